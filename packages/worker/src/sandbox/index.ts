import type { SandboxName } from '@nexa/core';
import { bwrapSandbox } from './bwrap.js';
import { dockerSandbox } from './docker.js';
import { processSandbox } from './process.js';
import type { Sandbox } from './sandbox.js';

export type {
  ExitInfo,
  Sandbox,
  SandboxLimits,
  SandboxNetwork,
  SandboxProcess,
  SpawnRequest,
} from './sandbox.js';
export { TOOLS_IN_SANDBOX, WORKDIR_IN_SANDBOX } from './sandbox.js';
export { bwrapSandbox, dockerSandbox, processSandbox };

export interface SandboxOptions {
  /** Plain processes only when the person running the worker said so. */
  allowUnsandboxed: boolean;
  /** The docker sandbox's image when a task names none. */
  image?: string | undefined;
}

/** Every sandbox this build knows, best first; one line each. Docker needs an image to run. */
function candidates(options: SandboxOptions): Sandbox[] {
  return [
    ...(options.image ? [dockerSandbox({ defaultImage: options.image })] : []),
    bwrapSandbox(),
    ...(options.allowUnsandboxed ? [processSandbox] : []),
  ];
}

/** The sandboxes that really work here, and why the others do not. */
export async function probeSandboxes(
  options: SandboxOptions,
): Promise<{ available: Map<SandboxName, Sandbox>; unavailable: Map<SandboxName, string> }> {
  const available = new Map<SandboxName, Sandbox>();
  const unavailable = new Map<SandboxName, string>();
  for (const sandbox of candidates(options)) {
    const verdict = await sandbox.probe();
    if (verdict === true) available.set(sandbox.name, sandbox);
    else unavailable.set(sandbox.name, verdict);
  }
  if (!options.image) unavailable.set('docker', 'no default image (start the worker with --image)');
  if (!options.allowUnsandboxed) unavailable.set('process', 'plain processes need --allow-unsandboxed');
  return { available, unavailable };
}

/**
 * The sandbox for one task: the one it asks for, else the best walled one
 * here (docker when there is an image to run, then bwrap). Never a plain
 * process unless the task asked for it.
 */
export function chooseSandbox(
  available: ReadonlyMap<SandboxName, Sandbox>,
  wanted: SandboxName | null,
  hasImage: boolean,
): Sandbox | string {
  if (wanted) return available.get(wanted) ?? `this worker cannot run the ${wanted} sandbox`;
  const docker = available.get('docker');
  if (docker && hasImage) return docker;
  return available.get('bwrap') ?? 'this worker has no walled sandbox (docker with an image, or bwrap)';
}
