import xterm from '@xterm/headless';
import { type StyledRow, styledRow } from './styledRow.js';

/**
 * Rows a pane keeps above its screen. Every visible or pinned pane holds
 * one headless terminal, and xterm keeps a few hundred bytes per row, so
 * 2000 rows (a couple of MB with 4 panes) is enough to scroll back through
 * a build's output without a TUI with many panes growing past its RSS budget.
 */
export const SCROLLBACK_ROWS = 2000;

/**
 * A task's output as a terminal shows it: a headless xterm of exactly the
 * pane's size, so colours, carriage-return progress bars and cursor moves
 * land where the task meant them. Nothing it parses reaches the person's
 * terminal as bytes: the pane draws the cells.
 */
export class TerminalBuffer {
  private readonly terminal: xterm.Terminal;
  private readonly cell: xterm.IBufferCell;
  private changes = 0;

  constructor(size: { cols: number; rows: number }) {
    this.terminal = new xterm.Terminal({
      cols: Math.max(MIN_COLS, atLeastOne(size.cols)),
      rows: atLeastOne(size.rows),
      scrollback: SCROLLBACK_ROWS,
      // Task output comes from pipes, not a TTY: nothing turned '\n' into CR LF.
      convertEol: true,
      allowProposedApi: true,
    });
    this.cell = this.terminal.buffer.active.getNullCell();
    this.terminal.onWriteParsed(() => this.changes++);
  }

  /** Goes up each time parsed writes change what the buffer holds: a cheap "has it changed?" for renderers. */
  get version(): number {
    return this.changes;
  }

  get cols(): number {
    return this.terminal.cols;
  }

  get rows(): number {
    return this.terminal.rows;
  }

  /** Parses asynchronously; `onChange` fires once it has. */
  write(text: string): void {
    this.terminal.write(text);
  }

  /** Resolves once everything written so far has been parsed. */
  flushed(): Promise<void> {
    return new Promise((resolve) => this.terminal.write('', resolve));
  }

  /** Keeps the terminal the pane's exact size (cursor addressing assumes it); a size below the smallest is taken as it (a 145×1 tmux window must not throw). */
  resize(cols: number, rows: number): void {
    const nextCols = Math.max(MIN_COLS, atLeastOne(cols));
    const nextRows = atLeastOne(rows);
    if (nextCols === this.terminal.cols && nextRows === this.terminal.rows) return;
    this.terminal.resize(nextCols, nextRows);
  }

  /** How many rows there are above the screen to scroll back through. */
  get maxScrollBack(): number {
    return this.terminal.buffer.active.baseY;
  }

  /** The `rows` rows a pane shows, `scrollBack` rows up from the bottom (0 follows the output). */
  visibleRows(scrollBack = 0): StyledRow[] {
    const buffer = this.terminal.buffer.active;
    const back = Math.min(Math.max(0, Math.floor(scrollBack)), buffer.baseY);
    const top = buffer.baseY - back;
    const rows: StyledRow[] = [];
    for (let y = 0; y < this.terminal.rows; y++) {
      rows.push(styledRow(buffer.getLine(top + y), this.terminal.cols, this.cell));
    }
    return rows;
  }

  /** The visible rows as plain text (for the task list's last line and for tests). */
  visibleText(scrollBack = 0): string[] {
    return this.visibleRows(scrollBack).map((row) => row.map((run) => run.text).join(''));
  }

  /** Calls `listener` after each parsed write; returns the unsubscribe. */
  onChange(listener: () => void): () => void {
    const subscription = this.terminal.onWriteParsed(listener);
    return () => subscription.dispose();
  }

  /**
   * Empties the buffer (scrollback too), for a rebuild from the events. A
   * full reset (RIS) in the write stream, not `terminal.reset()`, so writes
   * still waiting to be parsed cannot land after it.
   */
  reset(): void {
    this.terminal.write('\u001bc');
  }

  dispose(): void {
    this.terminal.dispose();
  }
}

/** xterm's own minimum width. */
const MIN_COLS = 2;
const atLeastOne = (n: number) => (Number.isFinite(n) ? Math.max(1, Math.floor(n)) : 1);
