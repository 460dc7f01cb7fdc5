import { join } from 'node:path';
import { agentCredentialNames } from '@nexa/core';
import { readCredentials, writeCredentials } from '@nexa/core/config';
import {
  coordinatorFlags,
  coordinatorTiming,
  shutdownFlag,
  workerFlags,
  workerOptionsFrom,
} from '../lib/daemonFlags.js';
import { say } from '../lib/say.js';
import { untilSignal } from '../lib/untilSignal.js';
import { upHints } from '../lib/upHints.js';
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
    // The commands it prints, and any run in another shell, reach this server, not one an
    // older credentials file names: the last `nexa up` started is the default.
    const credentials = await readCredentials();
    if (credentials.defaultServer !== server.url) {
      await writeCredentials({ ...credentials, defaultServer: server.url });
    }
    const workerToken = await server.services.tokens.issue('worker', 'local-worker');
    const workerOptions = workerOptionsFrom(flags);
    const worker = await startWorker({
      server: server.url,
      token: workerToken.token,
      name: flags.name ?? 'local',
      ...workerOptions,
      // The local worker's agents use this user's model account, as the agents would if run here.
      passEnv: [
        ...new Set([
          ...workerOptions.passEnv,
          ...agentCredentialNames.filter((name) => Boolean(process.env[name])),
        ]),
      ],
      dataDir: join(dataDir, 'worker'),
      log: say,
    }).catch(async (error: unknown) => {
      await server.close();
      throw error;
    });
    say(upHints(server.url, dataDir, worker));
    const signal = await untilSignal();
    say(`nexa up: ${signal}, stopping`);
    await worker.stop();
    await server.close();
  }
}
