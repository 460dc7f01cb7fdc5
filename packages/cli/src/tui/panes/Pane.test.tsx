import type { StoredTaskEvent, TaskEventBody } from '@nexa/core';
import { Box } from 'ink';
import { afterEach, describe, expect, it } from 'vitest';
import { type RenderedFrame, renderFrame } from '../testing/renderFrame.js';
import { Pane, type PaneProps } from './Pane.js';
import { TaskTranscript } from './taskTranscript.js';
import { TerminalBuffer } from './terminalBuffer.js';

let rendered: RenderedFrame | undefined;
const buffers: TerminalBuffer[] = [];
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
  for (const buffer of buffers.splice(0)) buffer.dispose();
});

const sizes = [
  { cols: 80, rows: 24 },
  { cols: 160, rows: 48 },
] as const;

function newBuffer() {
  const buffer = new TerminalBuffer({ cols: 10, rows: 3 });
  buffers.push(buffer);
  return buffer;
}

let seq = 1;
const event = (body: TaskEventBody): StoredTaskEvent => ({ ...body, seq: seq++, at: 0, attempt: 1 });

/**
 * A pane filling the left half of the screen, as the tasks view lays it out
 * beside the list. One row short of the terminal: Ink 6.8 clears the whole
 * screen on every frame after one whose height reached the terminal's rows.
 */
function halfScreen(size: { cols: number; rows: number }, props: Omit<PaneProps, 'width' | 'height'>) {
  return (
    <Box width={size.cols} height={size.rows - 1}>
      <Pane {...props} width={Math.floor(size.cols / 2)} height={size.rows - 1} />
    </Box>
  );
}

const buildOutput =
  '\u001b[1mBuilding\u001b[0m nexa\n' +
  'downloading 10%\rdownloading 40%\rdownloading 100%\n' +
  '\u001b[32m✓ 12 passed\u001b[0m  \u001b[31m✗ 1 failed\u001b[0m\n';

describe.each(sizes)('Pane at $cols×$rows', (size) => {
  it('shows output as a terminal would: colours kept, a progress bar on one line', async () => {
    const buffer = newBuffer();
    const props = { title: 't-3f2a shell make test', buffer, scrollBack: 0, follow: true, focused: true };
    rendered = await renderFrame(halfScreen(size, props), size);
    buffer.write(buildOutput);
    const frame = await rendered.waitForFrame((text) => text.includes('✗ 1 failed'));
    const half = size.cols / 2;
    expect(rendered.lines.slice(0, 4)).toEqual([
      `${'t-3f2a shell make test'.padEnd(half - 'follow'.length - 1)} follow`,
      'Building nexa',
      'downloading 100%',
      '✓ 12 passed  ✗ 1 failed',
    ]);
    expect(frame).not.toContain('40%');
    // Ink drew the colours the task asked for.
    expect(rendered.written).toContain('\u001b[32m✓ 12 passed');
    expect(rendered.written).toContain('\u001b[31m✗ 1 failed');
  });

  it('shows an agent transcript: a collapsed tool call and an approval request inline', async () => {
    const buffer = newBuffer();
    const transcript = new TaskTranscript(buffer);
    const props = { title: 't-9c1e claude clean up', buffer, scrollBack: 0, follow: true, focused: false };
    rendered = await renderFrame(halfScreen(size, props), size);
    transcript.append([
      event({ kind: 'agent_message', role: 'assistant', text: 'Cleaning the build directory.' }),
      event({
        kind: 'tool_call',
        callId: 'c1',
        tool: 'Bash',
        title: 'run',
        input: { command: `rm -rf build ${'--verbose '.repeat(20)}` },
      }),
      event({
        kind: 'approval_requested',
        approvalId: 'ap-7',
        tool: 'Bash',
        action: 'rm -rf build',
        risk: 'execute',
      }),
    ]);
    await rendered.waitForFrame((text) => text.includes('needs approval'));
    const half = size.cols / 2;
    const body = rendered.lines.slice(1, 5).map((line) => line.trimEnd());
    expect(body[0]).toBe('Cleaning the build directory.');
    expect(body[1]).toMatch(/^▸ Bash {2}rm -rf build --verbose .*…$/);
    expect(body[1]).toHaveLength(half);
    // An approval request is never cut: it wraps, as a terminal wraps a long line.
    expect(`${body[2]}${body[3] ?? ''}`).toBe(
      '⚠ needs approval: Bash rm -rf build (execute, ap-7)'.slice(0, half * 2),
    );
  });

  it('is never taller than its height and never wraps, however much output there is', async () => {
    const buffer = newBuffer();
    const props = { title: 'long', buffer, scrollBack: 0, follow: true, focused: true };
    rendered = await renderFrame(halfScreen(size, props), size);
    buffer.write(Array.from({ length: 500 }, (_, i) => `${'x'.repeat(size.cols)} ${i}`).join('\n'));
    await rendered.waitForFrame((text) => text.includes('499'));
    expect(rendered.lines.length).toBeLessThanOrEqual(size.rows - 1);
    expect(rendered.lines.every((line) => line.length <= size.cols)).toBe(true);
    expect(rendered.written).not.toContain('\u001b[2J');
    expect(rendered.written).not.toContain('\u001b[3J');
  });
});

describe('Pane', () => {
  const size = { cols: 80, rows: 24 };
  const numbered = Array.from({ length: 100 }, (_, i) => `line ${i + 1}`).join('\n');

  it('scrolls back when not following, and says how far', async () => {
    const buffer = newBuffer();
    const pane = (scrollBack: number, follow: boolean) => (
      <Pane
        title="t-1"
        buffer={buffer}
        width={40}
        height={6}
        scrollBack={scrollBack}
        follow={follow}
        focused
      />
    );
    rendered = await renderFrame(pane(0, true), size);
    buffer.write(numbered);
    await rendered.waitForFrame((text) => text.includes('line 100'));
    expect(rendered.lines.map((line) => line.trimEnd())).toEqual([
      `t-1${' '.repeat(40 - 3 - 7)} follow`,
      'line 96',
      'line 97',
      'line 98',
      'line 99',
      'line 100',
    ]);
    await rendered.rerender(pane(10, false));
    expect(rendered.lines[0]).toMatch(/scrolled ↑10$/);
    expect(rendered.lines.at(-1)).toBe('line 90');
  });

  it('drops colours when colour is off (NO_COLOR), keeping the text', async () => {
    const buffer = newBuffer();
    rendered = await renderFrame(
      <Pane
        title="t"
        buffer={buffer}
        width={40}
        height={4}
        scrollBack={0}
        follow
        focused={false}
        color={false}
      />,
      size,
    );
    buffer.write('\u001b[31mred\u001b[0m \u001b[44mblue\u001b[0m\n');
    await rendered.waitForFrame((text) => text.includes('red blue'));
    for (const sgr of ['31', '44']) expect(rendered.written).not.toContain(`\u001b[${sgr}m`);
    expect(rendered.written).toContain('red');
  });

  it('reads NO_COLOR as the convention says: set and not empty', async () => {
    const { colorWanted } = await import('./Pane.js');
    expect(colorWanted({})).toBe(true);
    expect(colorWanted({ NO_COLOR: '' })).toBe(true);
    expect(colorWanted({ NO_COLOR: '1' })).toBe(false);
  });

  it('draws nothing when it has no room', async () => {
    const buffer = newBuffer();
    rendered = await renderFrame(
      <Pane title="t" buffer={buffer} width={0} height={0} scrollBack={0} follow focused />,
      size,
    );
    expect(rendered.frame).toBe('');
  });
});
