import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { agentCredentialNames } from '@nexa/core';
import { readCredentials, readServerCa, resolveClientSettings, writeCredentials } from '@nexa/core/config';
import { Flags } from '@oclif/core';
import { clientFlags } from '../clientCommand.js';
import {
  coordinatorFlags,
  coordinatorRetention,
  coordinatorTiming,
  shutdownFlag,
  workerFlags,
  workerOptionsFrom,
} from '../lib/daemonFlags.js';
import { nexaCommand } from '../lib/nexaCommand.js';
import { say } from '../lib/say.js';
import { serverTls, serverTlsFlags } from '../lib/serverTls.js';
import { untilSignal } from '../lib/untilSignal.js';
import { upHints } from '../lib/upHints.js';
import { NexaCommand } from '../nexaCommand.js';
import { hasTerminal, prepareTerminalEnv } from '../tui/terminalEnv.js';

export default class Up extends NexaCommand<typeof Up> {
  static override summary = 'Run a coordinator and a local worker in one process.';
  static override description =
    `The embedded default: everything on this machine, state in a local libSQL file. Other machines can join as workers.

In a terminal it opens the terminal UI (nexa tui); quitting it (q) stops the coordinator and the worker, after asking if tasks are running. The daemons' own log lines then go to nexa-up.log in the data directory. With --no-tui, in a pipe, or with CI set, it prints how to use it instead, and Ctrl-C stops both.`;
  static override examples = [
    '<%= config.bin %> up',
    '<%= config.bin %> up --no-tui --port 7421 --data-dir ./.nexa-data',
  ];
  static override enableJsonFlag = false;
  static override flags = {
    ...coordinatorFlags,
    ...serverTlsFlags,
    ca: clientFlags.ca,
    ...workerFlags,
    'shutdown-timeout': shutdownFlag('0s'),
    tui: Flags.boolean({
      description: 'Open the terminal UI when stdin and stdout are a terminal (never in a pipe or CI).',
      default: true,
      allowNo: true,
    }),
    notify: Flags.boolean({
      description: 'In the terminal UI: bell and desktop notifications for approvals and ended tasks.',
      default: true,
      allowNo: true,
    }),
  };

  async run(): Promise<void> {
    const [{ startServer }, { startWorker }] = await Promise.all([
      import('@nexa/server'),
      import('@nexa/worker'),
    ]);
    const { flags } = this;
    const dataDir = flags['data-dir'];
    const withTui = flags.tui && hasTerminal() && !inCi();
    // Under the TUI, a daemon's line on stderr would tear the frame: it goes to a file instead.
    const logFile = withTui ? join(dataDir, 'nexa-up.log') : undefined;
    if (logFile) await mkdir(dataDir, { recursive: true, mode: 0o700 });
    const log = logFile ? fileLog(logFile) : say;
    const tls = await serverTls(flags);
    // The local worker and the TUI check the certificate too: against --ca / NEXA_CA, else the
    // certificate file itself (a self-signed certificate, or a file that ends with its CA).
    const caFile = flags.ca ?? process.env.NEXA_CA;
    const ca = caFile ? await readServerCa(caFile, flags.ca ? '--ca' : 'NEXA_CA') : tls?.cert;
    const server = await startServer({
      host: flags.host,
      port: flags.port,
      dataDir,
      dbUrl: flags.db,
      ...coordinatorTiming(flags),
      ...coordinatorRetention(flags),
      tls,
      insecure: flags.insecure,
      log,
    });
    // The commands it prints, and any run in another shell, reach this server, not one an
    // older credentials file names: the last `nexa up` started is the default.
    // With TLS, they check its certificate against the file this one trusts.
    const credentials = await readCredentials();
    const saved = credentials.servers[server.url];
    const caPath = tls ? (caFile ?? flags['tls-cert']) : undefined;
    const trusted = saved && caPath ? { ...saved, ca: resolve(caPath) } : saved;
    if (credentials.defaultServer !== server.url || trusted?.ca !== saved?.ca) {
      await writeCredentials({
        ...credentials,
        servers: trusted ? { ...credentials.servers, [server.url]: trusted } : credentials.servers,
        defaultServer: server.url,
      });
    }
    const workerToken = await server.services.tokens.issue('worker', 'local-worker');
    const workerOptions = workerOptionsFrom(flags);
    const worker = await startWorker({
      server: server.url,
      token: workerToken.token,
      ca,
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
      nexaCommand: nexaCommand(),
      log,
    }).catch(async (error: unknown) => {
      await server.close();
      throw error;
    });
    if (withTui) {
      say(`nexa up: coordinator at ${server.url}, worker "${worker.name}"; logs in ${logFile}`);
      const stopped = new AbortController();
      void untilSignal().then(() => stopped.abort());
      const settings = await resolveClientSettings({ server: server.url });
      prepareTerminalEnv();
      const { runTui } = await import('../tui/runTui.js');
      try {
        await runTui({
          server: server.url,
          token: settings.token,
          ca,
          embedded: true,
          notify: flags.notify,
          signal: stopped.signal,
        });
      } finally {
        say('nexa up: stopping the worker and the coordinator');
        await worker.stop();
        await server.close();
      }
      return;
    }
    const signalled = untilSignal(); // before the hints: a SIGTERM right after them stops it cleanly
    say(upHints(server.url, dataDir, worker));
    const signal = await signalled;
    say(`nexa up: ${signal}, stopping`);
    await worker.stop();
    await server.close();
  }
}

/** Ink's own rule (is-in-ci): CI set to anything but 0 or false. */
function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  return ['CI', 'CONTINUOUS_INTEGRATION'].some(
    (key) => key in env && env[key] !== '0' && env[key] !== 'false',
  );
}

function fileLog(file: string): (line: string) => void {
  const stream = createWriteStream(file, { flags: 'a', mode: 0o600 });
  return (line) => {
    stream.write(`${new Date().toISOString()} ${line}\n`);
  };
}
