import { exitCodes, type TaskStatus } from '@nexa/core';

/** `nexa run`'s exit code for a finished task (DESIGN.md, "The command line"). */
export function exitCodeFor(status: TaskStatus, exitCode: number | null | undefined): number {
  switch (status) {
    case 'succeeded':
      return exitCodes.ok;
    case 'timed_out':
      return exitCodes.timedOut;
    case 'cancelled':
      return exitCodes.cancelled;
    default:
      // A task that failed without an exit code of its own failed because of Nexa (e.g. its worker was lost).
      return exitCode === null || exitCode === undefined || exitCode === 0 ? exitCodes.nexaFailed : exitCode;
  }
}
