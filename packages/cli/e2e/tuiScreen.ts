// Reading the `nexa tui` screen as a person does: which rows are under which heading, which one
// is selected, which numbers a pane shows. Plain text in, plain answers out; the tests wait on them.
import { type Home, nexaBin } from './harness.js';
import { Tmux } from './tmux.js';

export interface TuiSize {
  cols: number;
  rows: number;
}

/** `nexa tui ARGS...` in a fresh tmux pane, with the home's config (credentials) and server. */
export function openTui(
  home: Home,
  args: string[],
  { cols, rows }: TuiSize,
  recordTo?: string,
): Promise<Tmux> {
  return Tmux.start({
    command: [process.execPath, nexaBin, 'tui', ...args],
    env: home.env,
    cols,
    rows,
    ...(recordTo ? { recordTo } : {}),
  });
}

/** How the list shows a task id: "t-" and its last four characters. */
export const shortId = (id: string): string => `t-${id.slice(-4)}`;

const taskRow = /^([›\s])(\S) (t-\w{4}) /;

/** Where the list ends and the panes begin: side by side from 120 columns (see views/layout.ts). */
const listWidth = (cols: number): number => (cols >= 120 ? Math.floor(cols / 2) : cols);

/** The body's rows: below the tab bar, above the hint line and the status bar (the frame is rows - 1 tall). */
const bodyLines = (screen: string, { rows }: TuiSize): string[] => screen.split('\n').slice(1, rows - 3);

/** The list's half of each body row. */
const listLines = (screen: string, size: TuiSize): string[] =>
  bodyLines(screen, size).map((line) => line.slice(0, listWidth(size.cols)));

/** The panes' half of each body row, on a side-by-side layout; the whole body row when zoomed. */
export function paneText(screen: string, size: TuiSize, zoomed = false): string {
  return bodyLines(screen, size)
    .map((line) => (zoomed ? line : line.slice(listWidth(size.cols) + 1)))
    .join('\n');
}

export interface ListedTask {
  short: string;
  glyph: string;
  selected: boolean;
}

/** The tasks listed under a heading ("Running", "Finished", ...), top to bottom. */
export function tasksUnder(screen: string, size: TuiSize, heading: string): ListedTask[] {
  const lines = listLines(screen, size);
  const start = lines.findIndex((line) => line.startsWith(`${heading} (`));
  if (start < 0) return [];
  const found: ListedTask[] = [];
  for (const line of lines.slice(start + 1)) {
    const row = taskRow.exec(line);
    if (!row) break;
    found.push({ selected: row[1] === '›', glyph: row[2] ?? '', short: row[3] ?? '' });
  }
  return found;
}

/** Every task row in the list, whatever its heading. */
export function listedTasks(screen: string, size: TuiSize): ListedTask[] {
  return listLines(screen, size).flatMap((line) => {
    const row = taskRow.exec(line);
    return row ? [{ selected: row[1] === '›', glyph: row[2] ?? '', short: row[3] ?? '' }] : [];
  });
}

export const selectedTask = (screen: string, size: TuiSize): string | undefined =>
  listedTasks(screen, size).find((task) => task.selected)?.short;

/** Every number printed as `${prefix}N` (a whole word) in `text`, in screen order. */
export function numbersAfter(prefix: string, text: string): number[] {
  return [...text.matchAll(new RegExp(`\\b${prefix}(\\d+)\\b`, 'g'))].map((match) => Number(match[1]));
}

export const highest = (prefix: string, text: string): number => Math.max(0, ...numbersAfter(prefix, text));

export const count = (text: string, needle: string): number => text.split(needle).length - 1;

/**
 * Moves the selection to the task shown as `short`, one key at a time, each waiting for the
 * screen to answer: keys that arrive in one read are not all taken (see the report on `pjp`).
 */
export async function selectTask(tmux: Tmux, size: TuiSize, short: string): Promise<string> {
  for (let step = 0; step < 50; step++) {
    const screen = await tmux.screen();
    const listed = listedTasks(screen, size);
    const at = listed.findIndex((task) => task.short === short);
    const from = listed.findIndex((task) => task.selected);
    if (at >= 0 && at === from) return screen;
    const before = listed[from]?.short;
    await tmux.sendKeys(at >= 0 && at < from ? 'k' : 'j');
    await tmux.waitFor((next) => selectedTask(next, size) !== before, {
      what: `the selection to move off ${before} towards ${short}`,
    });
  }
  throw new Error(`could not select ${short}:\n${await tmux.screen()}`);
}
