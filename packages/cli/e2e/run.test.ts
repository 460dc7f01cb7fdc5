import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Daemon, type Home, makeHome, nexa, startServer, startWorker, workerToken } from './harness.js';

let home: Home;
let server: Daemon;
let worker: Daemon;
let url: string;

beforeAll(async () => {
  home = await makeHome();
  ({ daemon: server, url } = await startServer(home));
  home.env.NEXA_SERVER = url;
  // A variable in the worker's own environment that no task may see.
  worker = await startWorker(home, url, await workerToken(home, url), ['--name', 'solo'], {
    WORKER_SECRET: 'do-not-leak',
  });
});

afterAll(async () => {
  await worker?.stop();
  await server?.stop();
  await home?.cleanup();
});

describe('nexa run', () => {
  it('prints 100,000 lines in order, stderr apart, and exits with the task exit code', async () => {
    const result = await nexa(home, [
      'run',
      '--sandbox',
      'process',
      '--',
      'sh',
      '-c',
      'for i in $(seq 1 100000); do echo "line $i"; done; echo oops >&2; exit 3',
    ]);
    expect(result.exitCode).toBe(3);
    const lines = result.stdout.split('\n');
    expect(lines.length).toBe(100_001); // the last is the empty string after the final newline
    expect(lines.slice(0, 100_000).every((line, index) => line === `line ${index + 1}`)).toBe(true);
    expect(result.stderr).toBe('oops\n');
  });

  it('gives the task only PATH, HOME (its working dir), LANG, its own NEXA_ variables and what --env sets', async () => {
    const result = await nexa(home, [
      'run',
      '--sandbox',
      'process',
      '--env',
      'GREETING=hello world',
      '--',
      'sh',
      '-c',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: shell syntax, not a template
      'echo "$GREETING|${WORKER_SECRET:-unset}|$(pwd)|$HOME"; env | cut -d= -f1 | sort | tr "\\n" " "; echo; ls -A',
    ]);
    expect(result.exitCode).toBe(0);
    const [first, names, ...entries] = result.stdout.trim().split('\n') as [string, string, ...string[]];
    const [greeting, secret, cwd, homeDir] = first.split('|');
    expect(greeting).toBe('hello world');
    expect(secret).toBe('unset');
    expect(homeDir).toBe(cwd); // HOME is the fresh working directory...
    // ...and it holds only Nexa's own corner (the relay to the coordinator and `nexa`, git-excluded).
    expect(entries).toEqual(['.nexa']);
    // The task's own token and where to use it, nothing of the worker's environment.
    expect(names.trim().split(' ')).toEqual([
      'GREETING',
      'HOME',
      'LANG',
      'NEXA_ATTEMPT',
      'NEXA_PROJECT',
      'NEXA_SERVER',
      'NEXA_TASK_ID',
      'NEXA_TOKEN',
      'PATH',
      'PWD',
    ]);
  });

  it('with --json prints one object per event and a final result line', async () => {
    const result = await nexa(home, [
      'run',
      '--sandbox',
      'process',
      '--json',
      '--',
      'sh',
      '-c',
      'echo out; echo err >&2; exit 4',
    ]);
    expect(result.exitCode).toBe(4);
    const objects = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const result_ = objects.at(-1);
    expect(result_).toMatchObject({ type: 'result', status: 'failed', exitCode: 4 });
    const events = objects.slice(0, -1);
    expect(events.every((e) => e.type === 'event' && e.taskId === result_?.taskId)).toBe(true);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, index) => index + 1));
    const output = events.filter((e) => e.kind === 'output').map((e) => [e.stream, e.data]);
    expect(output).toEqual([
      ['stdout', 'out\n'],
      ['stderr', 'err\n'],
    ]);
  });

  it('with --detach prints the task id; logs, tasks show and tasks list find it', async () => {
    const detached = await nexa(home, [
      'run',
      '--sandbox',
      'process',
      '--detach',
      '--',
      'sh',
      '-c',
      'echo one; echo two >&2',
    ]);
    expect(detached.exitCode).toBe(0);
    const id = detached.stdout.trim();
    expect(id).toMatch(/^t-[0-9a-z]+$/);

    const follow = await nexa(home, ['logs', id, '--follow']);
    expect(follow).toMatchObject({ exitCode: 0, stdout: 'one\n', stderr: 'two\n' });

    const show = await nexa(home, ['tasks', 'show', id, '--json']);
    const task = JSON.parse(show.stdout) as Record<string, unknown>;
    expect(task).toMatchObject({ id, status: 'succeeded', attempt: 1, exitCode: 0 });
    expect(task.workerId).toMatch(/^w-/);
    expect(Date.parse(task.createdAt as string)).not.toBeNaN();

    const list = await nexa(home, ['tasks', 'list', '--json']);
    expect((JSON.parse(list.stdout) as { id: string }[]).map((t) => t.id)).toContain(id);
    const table = await nexa(home, ['tasks', 'list']);
    expect(table.stdout).toMatch(/^ID\s+STATUS\s+EXIT\s+WORKER/);
    expect(table.stdout).toContain(`${id}  succeeded`);
  });

  it('reports a command that does not exist as exit 127 with a readable line', async () => {
    const result = await nexa(home, ['run', '--sandbox', 'process', '--', 'no-such-command-here']);
    expect(result.exitCode).toBe(127);
    expect(result.stderr).toBe('nexa: command not found: no-such-command-here\n');
  });
});
