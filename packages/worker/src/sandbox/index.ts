import type { SandboxName } from '@nexa/core';
import { processSandbox } from './process.js';
import type { Sandbox } from './sandbox.js';

export type { ExitInfo, Sandbox, SandboxProcess, SpawnRequest } from './sandbox.js';

export const sandboxes: Record<SandboxName, Sandbox> = {
  process: processSandbox,
};
