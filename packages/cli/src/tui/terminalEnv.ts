/**
 * Settles what Ink and chalk read from the environment once, at import, so
 * call it before importing the TUI:
 * - Ink renders no frames while it believes it runs in CI (`CI` set); a
 *   person who opens `nexa tui` in a terminal wants the frames anyway.
 * - `NO_COLOR` (no-color.org) is not read by chalk; `FORCE_COLOR=0` is.
 * - React picks its development build unless NODE_ENV says production; the
 *   development build's checks and timing marks cost more than the frame itself.
 */
export function prepareTerminalEnv(env: NodeJS.ProcessEnv = process.env): void {
  delete env.CI;
  delete env.CONTINUOUS_INTEGRATION;
  if (env.NO_COLOR) env.FORCE_COLOR = '0';
  env.NODE_ENV ??= 'production';
}

/** Whether this process can show the TUI: both ends of the conversation are a terminal. */
export function hasTerminal(): boolean {
  return process.stdin.isTTY === true && process.stdout.isTTY === true;
}
