import { expect } from 'vitest';

/**
 * Compares a frame with the one committed under `__frames__` (next to the
 * calling test), and checks the rules every frame obeys: never as tall as the
 * terminal, never wider, never a full clear.
 */
export async function expectFrame(
  name: string,
  rendered: { lines: string[]; written: string },
  size: { cols: number; rows: number },
) {
  expect(rendered.lines.length, 'a frame as tall as the terminal makes Ink clear the screen').toBeLessThan(
    size.rows,
  );
  for (const line of rendered.lines) expect(line.length).toBeLessThanOrEqual(size.cols);
  expect(rendered.written).not.toContain('\u001b[2J');
  expect(rendered.written).not.toContain('\u001b[3J');
  await expect(rendered.lines.join('\n')).toMatchFileSnapshot(
    `__frames__/${name}-${size.cols}x${size.rows}.txt`,
  );
}
