import { join } from 'node:path';
import { makeTlsFiles, type TlsFiles } from '@nexa/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminToken, Daemon, type Home, makeHome, nexa, startServer, startWorker } from './harness.js';

const hasStackTrace = (text: string) => /\n\s+at .+\(.+:\d+:\d+\)/.test(text);
const untrusted = /^nexa: the server's certificate is not trusted \(.+\): pass its CA with --ca FILE\n$/;

let home: Home;
let tls: TlsFiles;
beforeAll(async () => {
  [home, tls] = await Promise.all([makeHome(), makeTlsFiles()]);
});
afterAll(async () => {
  await Promise.all([home?.cleanup(), tls?.cleanup()]);
});

describe('a coordinator serving https and wss with a certificate from a self-made CA', () => {
  let server: Daemon;
  let url: string;
  let worker: Daemon;
  beforeAll(async () => {
    ({ daemon: server, url } = await startServer(home, ['--tls-cert', tls.cert, '--tls-key', tls.key]));
    // NEXA_CA for the admin's own commands, --ca for the worker: both ways in.
    const result = await nexa(home, ['token', 'create', '--role', 'worker', '--json', '--server', url], {
      NEXA_CA: tls.ca,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    worker = await startWorker(home, url, (JSON.parse(result.stdout) as { token: string }).token, [
      '--ca',
      tls.ca,
      '--name',
      'tls-worker',
    ]);
  }, 60_000);
  afterAll(async () => {
    await worker?.stop();
    await server?.stop();
  });

  it('says it listens on https, and records the admin token under the https URL', () => {
    expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('runs a task to the end for nexa run --ca, through a worker on wss; the task reaches it through the relay', async () => {
    // `nexa kv` inside the task speaks plain ws to the worker's socket; the worker's leg to the coordinator is TLS.
    const script = 'echo hello over wss; nexa kv set tls-proof relayed >/dev/null && nexa kv get tls-proof';
    const run = await nexa(home, [
      'run',
      '--server',
      url,
      '--ca',
      tls.ca,
      '--sandbox',
      'process',
      '--',
      'sh',
      '-c',
      script,
    ]);
    expect(run.stderr).not.toMatch(/certificate/);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toContain('hello over wss');
    expect(run.stdout).toContain('relayed');
    const shown = await nexa(home, ['kv', 'get', 'tls-proof', '--server', url], { NEXA_CA: tls.ca });
    expect(shown.stdout.trim()).toBe('relayed');
  });

  it('refuses nexa run without the CA, or with another CA: exit 125, one line, no stack', async () => {
    for (const extra of [[], ['--ca', tls.otherCa]]) {
      const run = await nexa(home, ['run', '--server', url, ...extra, '--sandbox', 'process', '--', 'true']);
      expect(run.exitCode).toBe(125);
      expect(run.stderr).toMatch(untrusted);
      expect(hasStackTrace(run.stderr)).toBe(false);
    }
  });

  it('nexa login records the CA with the token: later commands on that machine need neither', async () => {
    const laptop = await makeHome();
    try {
      const token = await adminToken(home, url);
      const login = await nexa(laptop, ['login', '--server', url, '--ca', tls.ca, '--json'], {
        NEXA_TOKEN: token,
      });
      expect(login.exitCode, login.stderr).toBe(0);
      expect(JSON.parse(login.stdout)).toMatchObject({ server: url, role: 'admin', ca: tls.ca });
      const list = await nexa(laptop, ['tasks', 'list', '--json']);
      expect(list.exitCode, list.stderr).toBe(0);
      // A bad token is checked before anything is saved.
      const refused = await nexa(laptop, ['login', '--server', url, '--ca', tls.ca], {
        NEXA_TOKEN: 'not-a-token',
      });
      expect(refused.exitCode).toBe(125);
      expect(refused.stderr).toMatch(/refused the token/);
      expect((await nexa(laptop, ['tasks', 'list', '--json'])).exitCode).toBe(0);
    } finally {
      await laptop.cleanup();
    }
  });

  it('refuses a worker without the CA: it exits 125 with the one line instead of retrying forever', async () => {
    const token = await nexa(home, ['token', 'create', '--role', 'worker', '--json', '--server', url], {
      NEXA_CA: tls.ca,
    });
    const lone = new Daemon(home, ['worker', '--server', url, '--allow-unsandboxed', '--name', 'no-ca'], {
      NEXA_TOKEN: (JSON.parse(token.stdout) as { token: string }).token,
    });
    const exitCode = await lone.child.then((result) => result.exitCode);
    expect(exitCode).toBe(125);
    expect(lone.log).toMatch(
      /nexa: the server's certificate is not trusted \(.+\): pass its CA with --ca FILE\n$/,
    );
    expect(hasStackTrace(lone.log)).toBe(false);
  });
});

describe('nexa up with a certificate', () => {
  it('serves wss to its own worker, and the commands it prints work as they are', async () => {
    const machine = await makeHome();
    const up = new Daemon(machine, [
      'up',
      '--no-tui',
      '--port',
      '0',
      '--allow-unsandboxed',
      '--data-dir',
      join(machine.dir, 'up-data'),
      '--tls-cert',
      tls.cert,
      '--tls-key',
      tls.key,
      '--ca',
      tls.ca,
    ]);
    try {
      const [, url] = (await up.waitFor(/Nexa is up at (https:\/\/\S+)[\s\S]*Press Ctrl-C/)) as [
        string,
        string,
      ];
      expect(url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      // No --server, --token or --ca: nexa up recorded them for this machine.
      const run = await nexa(machine, ['run', '--sandbox', 'process', '--', 'echo', 'hello']);
      expect(run).toMatchObject({ exitCode: 0, stdout: 'hello\n' });
      expect(await up.stop('SIGINT')).toBe(0);
    } finally {
      await up.stop();
      await machine.cleanup();
    }
  });
});

describe('a coordinator bound beyond loopback', () => {
  it('refuses to start without TLS, in one line saying what would be exposed and what to do', async () => {
    const result = await nexa(home, ['server', '--host', '0.0.0.0', '--port', '0']);
    expect(result.exitCode).toBe(125);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without TLS/);
    expect(result.stderr).toMatch(/tokens.*unencrypted/);
    expect(result.stderr).toMatch(/--tls-cert FILE --tls-key FILE/);
    expect(result.stderr).toMatch(/--insecure/);
  });

  it('starts with --insecure, warning on stderr what is exposed', async () => {
    const { daemon, url } = await startServer(home, [
      '--host',
      '0.0.0.0',
      '--insecure',
      '--data-dir',
      `${home.dir}/insecure`,
    ]);
    try {
      expect(url).toMatch(/^http:\/\//);
      expect(daemon.log).toMatch(
        /warning: listening on 0\.0\.0\.0 without TLS \(--insecure\).*tokens, task output, secrets and approvals travel unencrypted/,
      );
    } finally {
      await daemon.stop();
    }
  });

  it('starts with TLS and no warning; a client reaching it by a name its certificate lacks is told so', async () => {
    const { daemon, url } = await startServer(home, [
      '--host',
      '0.0.0.0',
      '--tls-cert',
      tls.cert,
      '--tls-key',
      tls.key,
      '--data-dir',
      `${home.dir}/tls-any`,
    ]);
    try {
      expect(url).toMatch(/^https:\/\//);
      expect(daemon.log).not.toMatch(/warning/);
      // The certificate names 127.0.0.1, ::1 and localhost; 127.0.0.2 reaches the same server under a name it lacks.
      const other = url.replace('127.0.0.1', '127.0.0.2');
      const run = await nexa(home, ['tasks', 'list', '--server', other, '--ca', tls.ca]);
      expect(run.exitCode).toBe(125);
      expect(run.stderr).toMatch(untrusted);
      expect(run.stderr).toContain('its certificate is for another name');
    } finally {
      await daemon.stop();
    }
  });

  it('refuses a key that does not belong to the certificate, in one line', async () => {
    const result = await nexa(home, [
      'server',
      '--port',
      '0',
      '--tls-cert',
      tls.cert,
      '--tls-key',
      `${tls.dir}/ca.key`,
    ]);
    expect(result.exitCode).toBe(125);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/--tls-cert .* and --tls-key .* cannot be used/);
  });
});
