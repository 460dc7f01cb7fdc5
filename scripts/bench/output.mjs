// Output rate of one task printing 1,000,000 short lines (quick: 100,000), end to end:
// worker → coordinator → database → subscriber, checked for loss and order.
// Beside it, the same command piped straight into this process.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { countFlag } from './flags.mjs';
import { figure } from './result.mjs';
import { runTask, startStack } from './stack.mjs';

export const outputFlags = { lines: { type: 'string' } };

function countLines(text, state) {
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) state.lines++;
}

function bare(command) {
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

async function viaNexa(client, command, lineCount) {
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

export async function benchOutput({ quick, lines }) {
  const lineCount = countFlag('lines', lines, quick ? 100_000 : 1_000_000);
  const command = ['seq', '1', String(lineCount)];
  const stack = await startStack();
  try {
    const plain = await bare(command);
    const nexa = await viaNexa(stack.client, command, lineCount);
    const rate = (r) => r.lines / r.seconds;
    const mb = (r) => r.bytes / r.seconds / 1e6;
    return {
      name: 'output',
      title: `Output: one task printing ${lineCount.toLocaleString('en-US')} lines (seq), persisted and streamed, beside a bare pipe`,
      rows: [
        figure('lines per second', { nexa: rate(nexa), raw: rate(plain), unit: 'lines/s', better: 'higher' }),
        figure('throughput', { nexa: mb(nexa), raw: mb(plain), unit: 'MB/s', better: 'higher' }),
        figure('seconds', { nexa: nexa.seconds, raw: plain.seconds, unit: 's' }),
        figure('every line, once, in order', {
          nexa: nexa.intact ? 'yes' : 'NO',
          raw: plain.lines === lineCount ? 'yes' : 'NO',
          budget: 'yes',
        }),
      ],
      notes: [`nexa delivered ${nexa.events.toLocaleString('en-US')} events`],
      data: { lines: lineCount, nexa, bare: plain },
    };
  } finally {
    await stack.close();
  }
}
