/**
 * Resolves on the first SIGINT or SIGTERM: how long-running commands know to
 * shut down cleanly. A second signal while shutting down exits at once.
 */
export function untilSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const first = (signal: NodeJS.Signals) => {
      process.off('SIGINT', first);
      process.off('SIGTERM', first);
      const again = (second: NodeJS.Signals) => {
        process.stderr.write(`nexa: ${second} again, exiting now\n`);
        process.exit(second === 'SIGINT' ? 130 : 143);
      };
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      resolve(signal);
    };
    process.on('SIGINT', first);
    process.on('SIGTERM', first);
  });
}
