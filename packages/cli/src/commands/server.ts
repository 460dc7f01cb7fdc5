import { coordinatorFlags, coordinatorRetention, coordinatorTiming } from '../lib/daemonFlags.js';
import { say } from '../lib/say.js';
import { serverTls, serverTlsFlags } from '../lib/serverTls.js';
import { untilSignal } from '../lib/untilSignal.js';
import { NexaCommand } from '../nexaCommand.js';

export default class Server extends NexaCommand<typeof Server> {
  static override summary = 'Run the coordinator.';
  static override description =
    'Serves HTTP (/healthz, tRPC) and WebSocket (tRPC with subscriptions) on one port and keeps all state in libSQL. On its first start it makes a signing key in the data dir and writes an admin token to ~/.config/nexa/credentials.json, so local commands need no setup.';
  static override examples = [
    '<%= config.bin %> server',
    '<%= config.bin %> server --host 0.0.0.0 --tls-cert /etc/nexa/server.crt --tls-key /etc/nexa/server.key',
    '<%= config.bin %> server --host 127.0.0.1 --port 7420 --data-dir /var/lib/nexa   # behind a TLS reverse proxy',
  ];
  static override enableJsonFlag = false;
  static override flags = { ...coordinatorFlags, ...serverTlsFlags };

  async run(): Promise<void> {
    const { startServer } = await import('@nexa/server');
    const { flags } = this;
    // Listened for before it says it is listening: a SIGTERM right after must stop it cleanly.
    const signalled = untilSignal();
    const server = await startServer({
      host: flags.host,
      port: flags.port,
      dataDir: flags['data-dir'],
      dbUrl: flags.db,
      ...coordinatorTiming(flags),
      ...coordinatorRetention(flags),
      tls: await serverTls(flags),
      insecure: flags.insecure,
      log: say,
    });
    say(`nexa server listening on ${server.url} (data in ${flags['data-dir']})`);
    const signal = await signalled;
    say(`nexa server: ${signal}, stopping`);
    await server.close();
  }
}
