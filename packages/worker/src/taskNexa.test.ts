import { execFile } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startTaskNexa } from './taskNexa.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** A "coordinator" that answers every connection with what it was sent, upper-cased. */
async function coordinator(): Promise<string> {
  const server = createServer((socket) =>
    socket.on('data', (data) => socket.write(String(data).toUpperCase())),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

describe("a task's nexa", () => {
  it('is a nexa on the PATH that reaches the coordinator through the relay, as the task', async () => {
    const workdir = tempDir('nexa-task-');
    // Stands in for the CLI's run.js: prints its arguments and the token, then talks through NEXA_SERVER.
    const cli = join(tempDir('nexa-cli-'), 'run.js');
    writeFileSync(
      cli,
      `const net = require('node:net');
const socket = net.connect(process.env.NEXA_SERVER.slice('unix:'.length));
socket.write(process.argv.slice(2).join(' ') + ' as ' + process.env.NEXA_TOKEN + ' in ' + process.env.NEXA_PROJECT);
socket.on('data', (data) => { process.stdout.write(String(data)); socket.end(); });`,
    );
    const nexa = await startTaskNexa({
      workdir,
      workdirInSandbox: workdir,
      walled: false,
      system: 'host',
      nexaCommand: [process.execPath, cli],
      server: await coordinator(),
      token: 'task-token',
      project: 'p1',
    });
    if (typeof nexa === 'string') throw new Error(nexa);
    cleanups.push(() => nexa.close());

    const env = nexa.env('/usr/bin:/bin');
    expect(env).toEqual({
      NEXA_SERVER: `unix:${workdir}/.nexa/mcp.sock`,
      NEXA_TOKEN: 'task-token',
      NEXA_PROJECT: 'p1',
      PATH: `${workdir}/.nexa/bin:/usr/bin:/bin`,
    });
    const wrapper = join(workdir, '.nexa/bin/nexa');
    expect(statSync(wrapper).mode & 0o777).toBe(0o755);
    expect(readFileSync(wrapper, 'utf8')).not.toContain('task-token');
    const { stdout } = await promisify(execFile)('nexa', ['kv', 'set', "it's", '1'], { env });
    expect(stdout).toBe("KV SET IT'S 1 AS TASK-TOKEN IN P1");
    // The same CLI is the agents' MCP server, the token in its environment, not its argv.
    expect(nexa.mcp).toEqual({
      name: 'nexa',
      command: process.execPath,
      args: [cli, 'mcp'],
      env: { NEXA_SERVER: env.NEXA_SERVER, NEXA_TOKEN: 'task-token', NEXA_PROJECT: 'p1' },
    });
  });

  it('in a walled sandbox, names the CLI where the sandbox mounts it', async () => {
    const workdir = tempDir('nexa-task-');
    const cli = join(tempDir('nexa-cli-'), 'run.js');
    writeFileSync(cli, '');
    const nexa = await startTaskNexa({
      workdir,
      workdirInSandbox: '/work',
      walled: true,
      system: 'host',
      nexaCommand: [process.execPath, cli],
      server: await coordinator(),
      token: 't',
      project: 'default',
    });
    if (typeof nexa === 'string') throw new Error(nexa);
    cleanups.push(() => nexa.close());
    expect(nexa.env(undefined)).toMatchObject({
      NEXA_SERVER: 'unix:/work/.nexa/mcp.sock',
      PATH: '/work/.nexa/bin',
    });
    expect(nexa.mcp.args).toEqual([`/opt/nexa${cli}`, 'mcp']);
    expect(nexa.readOnlyPaths).toContain(join(cli, '..'));
  });

  it('never writes through links a task left in its working copy (.nexa, .nexa/bin, .nexa/bin/nexa)', async () => {
    // A repository can commit `.nexa` as a link, and a continued task's copy is the last attempt's:
    // whatever it left there, the worker's files go inside the copy, never where a link points.
    const outside = tempDir('nexa-outside-');
    writeFileSync(join(outside, 'precious'), 'keep me\n');
    const cli = join(tempDir('nexa-cli-'), 'run.js');
    writeFileSync(cli, '');
    const start = (workdir: string) =>
      startTaskNexa({
        workdir,
        workdirInSandbox: workdir,
        walled: false,
        system: 'host',
        nexaCommand: [process.execPath, cli],
        server: 'http://127.0.0.1:1',
        token: 't',
        project: 'default',
      });

    const linkedCorner = tempDir('nexa-task-');
    symlinkSync(outside, join(linkedCorner, '.nexa'));
    const linkedBin = tempDir('nexa-task-');
    mkdirSync(join(linkedBin, '.nexa'));
    symlinkSync(outside, join(linkedBin, '.nexa', 'bin'));
    const linkedWrapper = tempDir('nexa-task-');
    mkdirSync(join(linkedWrapper, '.nexa', 'bin'), { recursive: true });
    symlinkSync(join(outside, 'precious'), join(linkedWrapper, '.nexa', 'bin', 'nexa'));

    for (const workdir of [linkedCorner, linkedBin, linkedWrapper]) {
      const nexa = await start(workdir);
      if (typeof nexa === 'string') throw new Error(nexa);
      cleanups.push(() => nexa.close());
      expect(readFileSync(join(workdir, '.nexa', 'bin', 'nexa'), 'utf8')).toContain('exec');
    }
    expect(readdirSync(outside)).toEqual(['precious']);
    expect(readFileSync(join(outside, 'precious'), 'utf8')).toBe('keep me\n');
    expect(existsSync(join(outside, 'mcp.sock'))).toBe(false);
  });
});
