import { join } from 'node:path';
import { ownDir, writeOwnFile } from '../ownCorner.js';

/** The worker's egress files in a working copy: the proxy's socket and the bridge script. */
export const EGRESS_DIR = '.nexa/egress';
export const EGRESS_SOCKET = `${EGRESS_DIR}/proxy.sock`;
export const EGRESS_BRIDGE = `${EGRESS_DIR}/bridge.mjs`;

/**
 * What runs first inside a walled sandbox under `allowlist` (it has no network
 * of its own, only loopback): it listens on 127.0.0.1 on a port of its own
 * loopback, pipes each connection to the worker's proxy through the unix
 * socket in the working copy, points the proxy variables at that port (and
 * clears NO_PROXY, so nothing goes around the proxy and past the log), then
 * runs the task's program and ends as it ends. It does not pass signals on:
 * sandboxes signal the whole process group, so the program has them already
 * (twice would read as an impatient second Ctrl-C), and the bridge waits for it.
 *
 * Plain JavaScript (node's own modules only), written into the working copy
 * for each attempt: the sandbox runs it with the worker's node.
 */
export const BRIDGE_SOURCE = `import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';

const [socket, ...argv] = process.argv.slice(2);
const bridge = createServer((inbound) => {
  const outbound = connect(socket);
  const close = () => { inbound.destroy(); outbound.destroy(); };
  inbound.on('error', close).on('close', close);
  outbound.on('error', close).on('close', close);
  inbound.pipe(outbound).pipe(inbound);
});
bridge.on('error', (error) => {
  process.stderr.write('nexa: the egress bridge cannot listen: ' + error.message + '\\n');
  process.exit(125);
});
bridge.listen(0, '127.0.0.1', () => {
  const proxy = 'http://127.0.0.1:' + bridge.address().port;
  const env = { ...process.env };
  for (const name of ['NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']) delete env[name];
  for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) env[name] = proxy;
  const child = spawn(argv[0], argv.slice(1), { stdio: 'inherit', env });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP']) process.on(signal, () => {});
  child.on('error', (error) => {
    process.stderr.write('nexa: cannot run ' + argv[0] + ': ' + error.message + '\\n');
    process.exit(127);
  });
  child.on('exit', (code, signal) => {
    bridge.close();
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
});
`;

/** Writes the bridge script afresh into the working copy (never through a link a task left there). */
export function writeEgressBridge(workdir: string): string {
  ownDir(workdir, EGRESS_DIR);
  const path = join(workdir, EGRESS_BRIDGE);
  writeOwnFile(path, BRIDGE_SOURCE, 0o644);
  return path;
}
