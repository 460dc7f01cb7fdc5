import { Box, Text, useInput } from 'ink';
import { useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { type RenderedFrame, renderFrame } from './renderFrame.js';

let rendered: RenderedFrame | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

function Boxed({ label }: { label: string }) {
  return (
    <Box borderStyle="single" width={20}>
      <Text>{label}</Text>
    </Box>
  );
}

function LastKey() {
  const [keys, setKeys] = useState('none');
  useInput((input, key) =>
    setKeys((before) => `${before === 'none' ? '' : `${before} `}${key.upArrow ? 'up' : input}`),
  );
  return <Text>keys: {keys}</Text>;
}

function FillsWidth() {
  return (
    <Box width="100%" justifyContent="space-between">
      <Text>left</Text>
      <Text>right</Text>
    </Box>
  );
}

describe('renderFrame', () => {
  it('returns the screen as text, without trailing blank rows', async () => {
    rendered = await renderFrame(<Boxed label="hello" />, { cols: 80, rows: 24 });
    expect(rendered.frame).toBe(
      ['┌──────────────────┐', '│hello             │', '└──────────────────┘'].join('\n'),
    );
    expect(rendered.lines).toHaveLength(3);
  });

  it('lays out at the terminal width it is given', async () => {
    rendered = await renderFrame(<FillsWidth />, { cols: 80, rows: 24 });
    expect(rendered.lines[0]).toBe(`left${' '.repeat(80 - 9)}right`);
    rendered.unmount();
    rendered = await renderFrame(<FillsWidth />, { cols: 160, rows: 48 });
    expect(rendered.lines[0]).toBe(`left${' '.repeat(160 - 9)}right`);
  });

  it('follows a resize', async () => {
    rendered = await renderFrame(<FillsWidth />, { cols: 80, rows: 24 });
    await rendered.resize({ cols: 100, rows: 30 });
    expect(rendered.lines[0]).toBe(`left${' '.repeat(100 - 9)}right`);
  });

  it('delivers typed keys to useInput', async () => {
    rendered = await renderFrame(<LastKey />, { cols: 80, rows: 24 });
    expect(rendered.frame).toBe('keys: none');
    await rendered.stdin.write('a');
    await rendered.stdin.write('\u001b[A');
    expect(rendered.frame).toBe('keys: a up');
  });

  it('shows a rerendered element in place of the old one, without clearing the screen', async () => {
    rendered = await renderFrame(<Boxed label="first" />, { cols: 80, rows: 24 });
    await rendered.rerender(<Boxed label="second" />);
    expect(rendered.frame).toContain('│second');
    expect(rendered.frame).not.toContain('first');
    expect(rendered.lines).toHaveLength(3);
    expect(rendered.written).not.toContain('\u001b[2J');
  });

  it('sees the full clear Ink sends when a frame is taller than the terminal', async () => {
    const tall = (label: string) => (
      <Box flexDirection="column">
        {Array.from({ length: 6 }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: fixed rows
          <Text key={i}>
            {label} {i}
          </Text>
        ))}
      </Box>
    );
    rendered = await renderFrame(tall('a'), { cols: 40, rows: 4 });
    await rendered.rerender(tall('b'));
    // What the byte-level checks look for: the helper must be able to see it.
    expect(rendered.written).toContain('\u001b[2J');
  });

  it('waits for a throttled frame when Ink caps the frame rate', async () => {
    rendered = await renderFrame(<Boxed label="one" />, { cols: 80, rows: 24, maxFps: 30 });
    await rendered.rerender(<Boxed label="two" />);
    await rendered.rerender(<Boxed label="three" />);
    await expect(rendered.waitForFrame((frame) => frame.includes('three'))).resolves.toContain('│three');
  });

  it('rejects with the last frame when nothing matches', async () => {
    rendered = await renderFrame(<Boxed label="only" />, { cols: 80, rows: 24 });
    await expect(rendered.waitForFrame((frame) => frame.includes('never'), 50)).rejects.toThrow(/│only/);
  });
});
