import type { SandboxName } from '@nexa/core';
import { processSandbox } from './process.js';
import type { Sandbox } from './sandbox.js';

export type { ExitInfo, Sandbox, SandboxLimits, SandboxProcess, SpawnRequest } from './sandbox.js';
export { WORKDIR_IN_SANDBOX } from './sandbox.js';

export const sandboxes: Record<SandboxName, Sandbox> = {
  process: processSandbox,
};
