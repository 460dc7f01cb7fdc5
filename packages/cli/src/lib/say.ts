/** Daemon status lines go to stderr so stdout stays clean for anything piped. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}
