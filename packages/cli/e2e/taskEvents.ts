import type { StoredTaskEvent } from '@nexa/core';
import { type Home, nexa } from './harness.js';

/** A task's events as a script reads them: `nexa logs ID --json`, one event a line. */
export async function eventsOf(home: Home, taskId: string): Promise<StoredTaskEvent[]> {
  const logs = await nexa(home, ['logs', taskId, '--json']);
  if (logs.exitCode !== 0) throw new Error(`nexa logs ${taskId} --json: ${logs.stderr}`);
  return logs.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as StoredTaskEvent);
}

/** What each of the agent's calls to tool `tool` gave back, in order. */
export function toolResults(events: StoredTaskEvent[], tool: string): { ok: boolean; output: string }[] {
  const calls = new Set(events.flatMap((e) => (e.kind === 'tool_call' && e.tool === tool ? [e.callId] : [])));
  return events.flatMap((e) =>
    e.kind === 'tool_result' && calls.has(e.callId) ? [{ ok: e.ok, output: e.output }] : [],
  );
}
