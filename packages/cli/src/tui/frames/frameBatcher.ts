/** Ink draws at most 30 frames a second; updates that arrive within one frame are applied together. */
export const FRAME_MS = 33;

/**
 * Collects items as they arrive and hands them over at most once per frame.
 * A timer exists only while something waits to be flushed, so an idle TUI
 * has none.
 */
export class FrameBatcher<T> {
  private items: T[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly flush: (items: T[]) => void,
    private readonly frameMs = FRAME_MS,
  ) {}

  push(item: T): void {
    this.items.push(item);
    this.timer ??= setTimeout(() => this.flushNow(), this.frameMs);
  }

  flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.items.length === 0) return;
    const items = this.items;
    this.items = [];
    this.flush(items);
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.items = [];
  }
}
