// Output rate of one task printing 1,000,000 short lines, end to end:
// worker → coordinator → database → subscriber, checked for loss and order.
// Beside it, the same command piped straight into this process.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { runTask, startStack } from './stack.mjs';
import { printTable } from './stats.mjs';

const lineCount = 1_000_000;
const command = ['seq', '1', String(lineCount)];

function countLines(text, state) {
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) state.lines++;
}

function bare() {
  return new Promise((resolve) => {
    const started = performance.now();
    const state = { lines: 0, bytes: 0 };
    const child = spawn(command[0], command.slice(1));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      state.bytes += chunk.length;
      countLines(chunk, state);
    });
    child.on('close', () => resolve({ ...state, seconds: (performance.now() - started) / 1000 }));
  });
}

async function viaNexa(client) {
  const started = performance.now();
  const state = { lines: 0, bytes: 0, events: 0, lastTail: '' };
  let expected = 1;
  let inOrder = true;
  await runTask(client, command, (event) => {
    state.events++;
    if (event.kind !== 'output') return;
    state.bytes += event.data.length;
    countLines(event.data, state);
    // check order and completeness line by line
    const text = state.lastTail + event.data;
    const parts = text.split('\n');
    state.lastTail = parts.pop();
    for (const part of parts) if (Number(part) !== expected++) inOrder = false;
  });
  return {
    ...state,
    seconds: (performance.now() - started) / 1000,
    intact: inOrder && expected === lineCount + 1,
  };
}

export async function benchOutput() {
  const stack = await startStack();
  try {
    const plain = await bare();
    const nexa = await viaNexa(stack.client);
    const rate = (r) => `${Math.round(r.lines / r.seconds).toLocaleString('en-US')} lines/s`;
    const mb = (r) => `${(r.bytes / r.seconds / 1e6).toFixed(1)} MB/s`;
    printTable(
      `Output: one task printing ${lineCount.toLocaleString('en-US')} lines (seq), persisted and streamed`,
      ['path', 'seconds', 'rate', 'throughput', 'events', 'lines intact'],
      [
        [
          'bare pipe',
          plain.seconds.toFixed(2),
          rate(plain),
          mb(plain),
          '-',
          plain.lines === lineCount ? 'yes' : 'NO',
        ],
        ['nexa', nexa.seconds.toFixed(2), rate(nexa), mb(nexa), nexa.events, nexa.intact ? 'yes' : 'NO'],
      ],
    );
    return nexa;
  } finally {
    await stack.close();
  }
}
