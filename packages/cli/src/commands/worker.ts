import { join } from 'node:path';
import { NexaError } from '@nexa/core';
import { defaultDataDir, resolveClientSettings } from '@nexa/core/config';
import { Flags } from '@oclif/core';
import { ClientCommand } from '../clientCommand.js';
import { shutdownFlag, tokenFileFlag, workerFlags, workerOptionsFrom } from '../lib/daemonFlags.js';
import { daemonToken } from '../lib/daemonToken.js';
import { nexaCommand } from '../lib/nexaCommand.js';
import { say } from '../lib/say.js';
import { untilSignal } from '../lib/untilSignal.js';

export default class Worker extends ClientCommand<typeof Worker> {
  static override summary = 'Run a worker that takes tasks from a coordinator.';
  static override description =
    'Dials the coordinator over WebSocket, registers its name, labels and capacity, and runs the tasks it is given, streaming their output back. Reconnects by itself if the connection drops.';
  static override examples = [
    'NEXA_TOKEN="$(cat worker.token)" <%= config.bin %> worker --server http://coordinator:7420',
    '<%= config.bin %> worker --server http://coordinator:7420 --token-file /etc/nexa/worker.token',
    '<%= config.bin %> worker --name gpu-box-1 --labels gpu=1,os=linux --capacity 2',
    '<%= config.bin %> worker --server https://coordinator.example:7420 --ca /etc/nexa/ca.crt --token-file /etc/nexa/worker.token',
  ];
  static override enableJsonFlag = false;
  static override flags = {
    ...workerFlags,
    'token-file': tokenFileFlag,
    'shutdown-timeout': shutdownFlag('30s'),
    'data-dir': Flags.string({
      description: 'Where the worker keeps working copies. Default: <nexa data dir>/worker-<name>.',
    }),
  };

  async run(): Promise<void> {
    const { defaultWorkerName, startWorker } = await import('@nexa/worker');
    const { flags } = this;
    const token = await daemonToken(flags, 'nexa worker', say);
    const settings = await resolveClientSettings({ server: flags.server, token, ca: flags.ca });
    if (!settings.token) {
      throw new NexaError('unauthorized', `no token for ${settings.server}`, {
        hint: 'pass NEXA_TOKEN or --token-file (make one on the coordinator with `nexa token create --role worker`)',
      });
    }
    this.settings = settings;
    const name = flags.name ?? defaultWorkerName();
    const options = workerOptionsFrom(flags); // a bad flag is said before anything starts
    say(`nexa worker ${name}: connecting to ${settings.server}`);
    const worker = await startWorker({
      server: settings.server,
      token: settings.token,
      ca: settings.ca,
      name,
      ...options,
      dataDir: flags['data-dir'] ?? join(defaultDataDir(), `worker-${name}`),
      nexaCommand: nexaCommand(),
      log: say,
    });
    say(`nexa worker ${worker.name} (${worker.workerId}) connected to ${settings.server}`);
    const ended = await Promise.race([untilSignal(), worker.refused]);
    if (ended instanceof NexaError) {
      // Its tasks were stopped; the coordinator runs them again elsewhere when their leases lapse.
      throw new NexaError('unauthorized', ended.message, {
        hint: 'make a new worker token with `nexa token create --role worker` and start the worker with it',
      });
    }
    say(`nexa worker ${worker.name}: ${ended}, stopping`);
    await worker.stop();
  }
}
