// Writes docs/tui-*.txt: what `nexa tui` shows, captured from a real terminal (a tmux pane)
// attached to a real coordinator with two workers, tasks in every state and an agent waiting
// for approval (Claude Code against the scripted model API the tests use).
//
//   pnpm build && pnpm docs:tui
import { writeFile } from 'node:fs/promises';
import { startFakeAnthropic } from '@nexa/worker/testing/fake-model';
import { claudeWorker, makeRepo } from '../../packages/cli/e2e/agents.js';
import { startCluster } from '../../packages/cli/e2e/cluster.js';
import { adminToken, nexa, nexaBin, nexaInBackground } from '../../packages/cli/e2e/harness.js';
import { Tmux } from '../../packages/cli/e2e/tmux.js';

const size = { cols: 120, rows: 32 };
const docs = new URL('../../docs/', import.meta.url);

const fake = await startFakeAnthropic();
const cluster = await startCluster();
let tmux: Tmux | undefined;
try {
  const claude = claudeWorker(fake.url);
  await cluster.worker(
    'build-1',
    ['--labels', 'os=linux', '--capacity', '4', '--allow-unsandboxed', ...claude.flags],
    claude.env,
  );
  await cluster.worker('gpu-box', ['--labels', 'gpu=1', '--capacity', '2', '--allow-unsandboxed']);
  const run = (args: string[]) => nexa(cluster.home, ['run', '--sandbox', 'process', '--detach', ...args]);
  await run(['--', 'sh', '-c', 'echo building; echo "\u001b[32mok\u001b[0m 212 tests passed"']);
  await run(['--', 'sh', '-c', 'echo "\u001b[31merror\u001b[0m: lint found 3 problems" >&2; exit 1']);
  await run([
    '--',
    'sh',
    '-c',
    'i=0; while [ $i -lt 600 ]; do i=$((i+1)); printf "\\033[32m✓\\033[0m src/module%d.test.ts > case %d passed\\n" $((i % 37)) $i; printf "[%3d%%]\\r" $((i / 6)); sleep 0.5; done',
  ]);
  await run([
    '--label',
    'gpu=1',
    '--',
    'sh',
    '-c',
    'for e in 1 2 3 4 5 6 7 8 9; do echo "epoch $e loss 0.$((9 - e))1"; sleep 30; done',
  ]);
  await run(['--label', 'gpu=2', '--', 'python', 'train.py']);
  nexaInBackground(cluster.home, [
    'run',
    'run: echo hello > made.txt',
    '--agent',
    'claude',
    '--repo',
    makeRepo(),
    '--sandbox',
    'process',
  ]);

  // A free thread where two people and a task talk, for the Threads view.
  const said = async (args: string[]) => {
    const result = await nexa(cluster.home, args);
    if (result.exitCode !== 0) throw new Error(result.stderr);
    return (JSON.parse(result.stdout) as { id: string }).id;
  };
  const thread = await said(['threads', 'create', 'Release 1.4 plan', '--json']);
  const question = await said(['say', thread, 'Who takes the changelog?', '--kind', 'request', '--json']);
  await said(['say', thread, 'I will, after the parser fix lands.', '--reply-to', question, '--json']);
  await said(['say', thread, 'Parser fix is in review: t-7h2k.', '--json']);

  tmux = await Tmux.start({
    command: [process.execPath, nexaBin, 'tui', '--no-notify'],
    env: { ...cluster.home.env, NEXA_TOKEN: await adminToken(cluster.home, cluster.url) },
    ...size,
  });
  const capture = async (name: string, ...shows: string[]) => {
    const screen = await tmux!.waitFor((text) => shows.every((part) => text.includes(part)), {
      timeoutMs: 60_000,
      what: shows.join(', '),
    });
    await writeFile(new URL(`tui-${name}.txt`, docs), `${screen.replace(/\s+$/gm, '').trimEnd()}\n`);
    console.log(`docs/tui-${name}.txt`);
  };
  // The selection stays on the task it is on as rows come and go: start from the top row (the agent that needs you).
  await tmux.waitFor((text) => text.includes('Needs you (1)'), { timeoutMs: 60_000, what: 'Needs you (1)' });
  await tmux.sendKeys('k', 'k', 'k', 'k', 'k', 'k');
  await capture('tasks', 'Needs you (1)', 'needs approval', 'Running (2)', 'Queued (1)', 'Finished (2)');
  await tmux.sendKeys('j');
  await capture('pane', 'case 3 passed');
  await tmux.sendKeys('2');
  await capture('approvals', 'Bash: run `echo hello > made.txt`');
  await tmux.sendKeys('3');
  await capture('workers', 'gpu-box', 'codex not ready', 'People (nexa who)');
  await tmux.sendKeys('4', 'Enter');
  await capture('threads', 'Release 1.4 plan', 'I will, after the parser fix lands.');
  await tmux.sendKeys('Escape', '?');
  await capture('help', 'Keys (each action');
} finally {
  await tmux?.kill();
  await cluster.stop();
  await fake.close();
}
