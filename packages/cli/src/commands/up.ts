import { join } from 'node:path';
import {
  coordinatorFlags,
  coordinatorTiming,
  shutdownFlag,
  workerFlags,
  workerOptionsFrom,
} from '../lib/daemonFlags.js';
import { say } from '../lib/say.js';
import { untilSignal } from '../lib/untilSignal.js';
import { NexaCommand } from '../nexaCommand.js';

export default class Up extends NexaCommand<typeof Up> {
  static override summary = 'Run a coordinator and a local worker in one process.';
  static override description =
    'The embedded default: everything on this machine, state in a local libSQL file. Other machines can join as workers. Ctrl-C stops both.';
  static override examples = [
    '<%= config.bin %> up',
    '<%= config.bin %> up --port 7421 --data-dir ./.nexa-data',
  ];
  static override enableJsonFlag = false;
  static override flags = { ...coordinatorFlags, ...workerFlags, 'shutdown-timeout': shutdownFlag('0s') };

  async run(): Promise<void> {
    const [{ startServer }, { startWorker }] = await Promise.all([
      import('@nexa/server'),
      import('@nexa/worker'),
    ]);
    const { flags } = this;
    const dataDir = flags['data-dir'];
    const server = await startServer({
      host: flags.host,
      port: flags.port,
      dataDir,
      dbUrl: flags.db,
      ...coordinatorTiming(flags),
      log: say,
    });
    const workerToken = await server.services.tokens.issue('worker', 'local-worker');
    const worker = await startWorker({
      server: server.url,
      token: workerToken.token,
      name: flags.name ?? 'local',
      ...workerOptionsFrom(flags),
      dataDir: join(dataDir, 'worker'),
      log: say,
    }).catch(async (error: unknown) => {
      await server.close();
      throw error;
    });
    say(
      [
        `Nexa is up at ${server.url} (data in ${dataDir})`,
        `  worker "${worker.name}" is connected`,
        `  run a task:    ${
          worker.sandboxes.some((name) => name === 'docker' || name === 'bwrap')
            ? 'nexa run -- echo hello'
            : 'nexa run --sandbox process -- echo hello   (no bubblewrap or Docker here: tasks run unwalled)'
        }`,
        '  see tasks:     nexa tasks list',
        `  add a worker:  nexa worker --server ${server.url} --token "$(nexa token create --role worker)"`,
        'Press Ctrl-C to stop.',
      ].join('\n'),
    );
    const signal = await untilSignal();
    say(`nexa up: ${signal}, stopping`);
    await worker.stop();
    await server.close();
  }
}
