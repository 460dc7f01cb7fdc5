/**
 * The scripted model behind the fake model APIs that agent tests run against.
 * It does what the prompt's lines say, so a test reads like the task it sets:
 *
 *   run: echo hello > made.txt      a shell tool call, one per turn, in order
 *   say: some text                  text it answers with at the end (default "done")
 *
 * Each turn it looks at how many tool results the conversation already holds
 * and makes the next call; after the last one it answers with its text and
 * the last tool result it saw, so a test can check what the agent was told
 * (e.g. a denial's message).
 */
export type ModelStep = { kind: 'run'; command: string } | { kind: 'answer'; text: string };

export function commandsIn(prompt: string): string[] {
  return prompt
    .split('\n')
    .map((line) => /^\s*run:\s*(.+)$/.exec(line)?.[1]?.trim())
    .filter((command): command is string => Boolean(command));
}

/** The next thing the model does, given the prompt and the tool results it has seen so far. */
export function nextStep(prompt: string, toolResults: readonly string[]): ModelStep {
  const commands = commandsIn(prompt);
  const command = commands[toolResults.length];
  if (command !== undefined) return { kind: 'run', command };
  const said = /^\s*say:\s*(.+)$/m.exec(prompt)?.[1]?.trim() ?? 'done';
  const last = toolResults.at(-1);
  return { kind: 'answer', text: last === undefined ? said : `${said} (last tool result: ${last.trim()})` };
}
