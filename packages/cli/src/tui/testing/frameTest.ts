import { afterEach, beforeEach, vi } from 'vitest';
import { NOW, resetFixtureIds } from './fixtures.js';

/** The terminal sizes frames are checked at: the smallest the TUI supports, and a large one. */
export const frameSizes = [
  { cols: 80, rows: 24 },
  { cols: 160, rows: 48 },
] as const;

/** The bytes a terminal sends for the keys tests press. */
export const keys = { down: '\u001b[B', enter: '\r', escape: '\u001b', tab: '\t' };

/**
 * Every test of the file draws at NOW, with fixture ids counted from the
 * start, so ages and ids are the same on every run. Only Date is faked:
 * Ink's own timers stay real.
 */
export function drawAtNow(): void {
  beforeEach(() => {
    resetFixtureIds();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(NOW);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
}
