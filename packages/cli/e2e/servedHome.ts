import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type Daemon, type Home, homeAt, startServer } from './harness.js';

/**
 * A private home with `nexa server` running in it (no worker) for the whole
 * test file: the server starts before the file's first test, and is stopped
 * and the home removed after its last. For tests of commands that need a
 * coordinator and nothing else.
 */
export function servedHome(): Home {
  const home = homeAt(mkdtempSync(join(tmpdir(), 'nexa-e2e-')));
  let server: Daemon | undefined;
  beforeAll(async () => {
    ({ daemon: server } = await startServer(home));
  });
  afterAll(async () => {
    await server?.stop();
    await home.cleanup();
  });
  return home;
}

/**
 * A private home whose coordinator a test kills and starts again, on the same
 * port and data directory, as a supervisor would. The processes it is told to
 * keep, and its servers, are SIGKILLed after the file and the home removed.
 */
export class CrashableCoordinator {
  readonly home = homeAt(mkdtempSync(join(tmpdir(), 'nexa-e2e-')));
  private readonly daemons: Daemon[] = [];
  private server: Daemon | undefined;
  private port = '0';

  /** Starts `nexa server` (again on the same port after a kill) and points the home's commands at it. */
  async start(): Promise<string> {
    const { daemon, url } = await startServer(this.home, [], this.port);
    this.server = this.keep(daemon);
    this.port = new URL(url).port;
    this.home.env.NEXA_SERVER = url;
    return url;
  }

  /** SIGKILLs the coordinator and resolves once it is gone. */
  async kill(): Promise<void> {
    this.server?.signal('SIGKILL');
    await this.server?.child;
  }

  /** Ends `daemon` with the rest after the file. */
  keep(daemon: Daemon): Daemon {
    this.daemons.push(daemon);
    return daemon;
  }

  async cleanup(): Promise<void> {
    for (const daemon of this.daemons) await daemon.stop('SIGKILL');
    await this.home.cleanup();
  }
}

/** A CrashableCoordinator for the whole test file, cleaned up after its last test. */
export function crashableCoordinator(): CrashableCoordinator {
  const coordinator = new CrashableCoordinator();
  afterAll(() => coordinator.cleanup());
  return coordinator;
}
