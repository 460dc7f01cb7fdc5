/**
 * The scripted model behind the fake model APIs that agent tests run against.
 * It does what the prompt's lines say, so a test reads like the task it sets:
 *
 *   run: echo hello > made.txt      a shell tool call, one per turn, in order
 *   mcp: kv_set {"key":"k","value":1}   a call to nexa's MCP tool kv_set (Claude Code
 *                                   offers it as mcp__nexa__kv_set), in the same order
 *   say: some text                  text it answers with at the end (default "done")
 *
 * Each turn it looks at how many tool results the conversation already holds
 * (since the latest user turn with a script: a follow-up's or a continued
 * session's new prompt may bring its own) and makes the next call; after the last one it answers with its text and
 * the last tool result it saw, so a test can check what the agent was told
 * (e.g. a denial's message).
 */
export type ModelStep =
  | { kind: 'run'; command: string }
  | { kind: 'tool'; name: string; input: object }
  | { kind: 'answer'; text: string };

type ScriptStep = { kind: 'run'; command: string } | { kind: 'mcp'; tool: string; input: string };

function stepsIn(prompt: string): ScriptStep[] {
  const steps: ScriptStep[] = [];
  for (const line of prompt.split('\n')) {
    const command = /^\s*run:\s*(.+)$/.exec(line)?.[1]?.trim();
    if (command) steps.push({ kind: 'run', command });
    const mcp = /^\s*mcp:\s*([A-Za-z0-9_]+)\s*(.*)$/.exec(line);
    if (mcp?.[1]) steps.push({ kind: 'mcp', tool: mcp[1], input: mcp[2]?.trim() || '{}' });
  }
  return steps;
}

/** The name an API request offers nexa's `tool` under (mcp__nexa__kv_set, nexa__kv_set...), if it does. */
export function offeredMcpTool(tool: string, offered: readonly string[]): string | undefined {
  return (
    offered.find((name) => name === `mcp__nexa__${tool}`) ??
    offered.find((name) => name.includes('nexa') && name.endsWith(`__${tool}`))
  );
}

/** Whether a user turn carries a script of its own (a follow-up or `nexa continue` prompt may). */
export function hasScript(text: string): boolean {
  return /^\s*(run|mcp|say):/m.test(text);
}

export function commandsIn(prompt: string): string[] {
  return prompt
    .split('\n')
    .map((line) => /^\s*run:\s*(.+)$/.exec(line)?.[1]?.trim())
    .filter((command): command is string => Boolean(command));
}

/**
 * The next thing the model does, given the prompt, the tool results it has
 * seen so far and the tools the request offers (by name).
 */
export function nextStep(
  prompt: string,
  toolResults: readonly string[],
  offered: readonly string[] = [],
): ModelStep {
  const step = stepsIn(prompt)[toolResults.length];
  if (step?.kind === 'run') return { kind: 'run', command: step.command };
  if (step?.kind === 'mcp') {
    const name = offeredMcpTool(step.tool, offered);
    if (!name) return { kind: 'answer', text: `the tool mcp__nexa__${step.tool} was missing` };
    let input: object;
    try {
      input = JSON.parse(step.input) as object;
    } catch {
      return { kind: 'answer', text: `the input of ${step.tool} is not JSON: ${step.input}` };
    }
    return { kind: 'tool', name, input };
  }
  const said = /^\s*say:\s*(.+)$/m.exec(prompt)?.[1]?.trim() ?? 'done';
  const last = toolResults.at(-1);
  return { kind: 'answer', text: last === undefined ? said : `${said} (last tool result: ${last.trim()})` };
}
