import { TERMINAL_CONTROLS } from '@nexa/core';
import type xterm from '@xterm/headless';

/** A stretch of one row whose cells share their attributes; colours are Ink colour names or `#rrggbb`. */
export interface StyledRun {
  text: string;
  fg?: string;
  bg?: string;
  bold?: boolean;
  dim?: boolean;
  italic?: boolean;
  underline?: boolean;
  inverse?: boolean;
}
export type StyledRow = StyledRun[];

/** The 16 ANSI colours by palette index, as Ink (chalk) names them, so the person's terminal theme applies. */
const ansiColourNames = [
  'black',
  'red',
  'green',
  'yellow',
  'blue',
  'magenta',
  'cyan',
  'white',
  'blackBright',
  'redBright',
  'greenBright',
  'yellowBright',
  'blueBright',
  'magentaBright',
  'cyanBright',
  'whiteBright',
] as const;

const cubeLevels = [0, 95, 135, 175, 215, 255] as const;
const hex = (r: number, g: number, b: number) =>
  `#${[r, g, b].map((channel) => channel.toString(16).padStart(2, '0')).join('')}`;

/** xterm's 256-colour palette above the first 16: a 6×6×6 cube, then 24 greys. */
function paletteHex(index: number): string {
  if (index >= 232) {
    const grey = 8 + (index - 232) * 10;
    return hex(grey, grey, grey);
  }
  const cube = index - 16;
  return hex(
    cubeLevels[Math.floor(cube / 36)]!,
    cubeLevels[Math.floor(cube / 6) % 6]!,
    cubeLevels[cube % 6]!,
  );
}

function colour(palette: boolean, rgb: boolean, value: number): string | undefined {
  if (palette) return value < 16 ? ansiColourNames[value] : paletteHex(value);
  if (rgb) return hex((value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
  return undefined;
}

function attributesOf(cell: xterm.IBufferCell): Omit<StyledRun, 'text'> {
  const run: Omit<StyledRun, 'text'> = {};
  const fg = colour(cell.isFgPalette(), cell.isFgRGB(), cell.getFgColor());
  const bg = colour(cell.isBgPalette(), cell.isBgRGB(), cell.getBgColor());
  if (fg) run.fg = fg;
  if (bg) run.bg = bg;
  if (cell.isBold()) run.bold = true;
  if (cell.isDim()) run.dim = true;
  if (cell.isItalic()) run.italic = true;
  if (cell.isUnderline()) run.underline = true;
  if (cell.isInverse()) run.inverse = true;
  return run;
}

const sameAttributes = (a: Omit<StyledRun, 'text'>, b: Omit<StyledRun, 'text'>) =>
  a.fg === b.fg &&
  a.bg === b.bg &&
  a.bold === b.bold &&
  a.dim === b.dim &&
  a.italic === b.italic &&
  a.underline === b.underline &&
  a.inverse === b.inverse;

/** A blank that shows nothing: trailing ones are dropped so a short line stays short. */
const showsNothing = (run: StyledRun) => !run.bg && !run.inverse && !run.underline && run.text.trim() === '';

// Cells hold what the task printed, bidi overrides included (xterm stores
// them as characters); they would reorder the person's own screen.
const ALL_CONTROLS = new RegExp(TERMINAL_CONTROLS.source, 'g');

/**
 * One terminal line as runs of equal-attribute cells (gemini-cli's
 * terminalSerializer is the model: one reused cell, no per-cell objects).
 */
export function styledRow(
  line: xterm.IBufferLine | undefined,
  cols: number,
  cell: xterm.IBufferCell,
): StyledRow {
  const row: StyledRow = [];
  if (!line) return row;
  let current: StyledRun | undefined;
  const width = Math.min(cols, line.length);
  for (let x = 0; x < width; x++) {
    if (!line.getCell(x, cell)) break;
    // The second half of a wide character: its first half already drew it.
    if (cell.getWidth() === 0) continue;
    const chars = cell.getChars() || ' ';
    const attributes = attributesOf(cell);
    if (current && sameAttributes(current, attributes)) {
      current.text += chars;
    } else {
      current = { text: chars, ...attributes };
      row.push(current);
    }
  }
  for (const run of row) run.text = run.text.replace(ALL_CONTROLS, '\ufffd');
  while (row.length > 0 && showsNothing(row[row.length - 1]!)) row.pop();
  const last = row[row.length - 1];
  if (last && !last.bg && !last.inverse && !last.underline) last.text = last.text.trimEnd();
  return row;
}

/** SGR numbers of the 16 named colours, foreground; background is 10 more. */
const namedSgr: Record<string, number> = Object.fromEntries(
  ansiColourNames.map((name, index) => [name, index < 8 ? 30 + index : 90 + index - 8]),
);

function colourSgr(value: string, background: boolean): string {
  const named = namedSgr[value];
  if (named !== undefined) return String(background ? named + 10 : named);
  const r = Number.parseInt(value.slice(1, 3), 16);
  const g = Number.parseInt(value.slice(3, 5), 16);
  const b = Number.parseInt(value.slice(5, 7), 16);
  return `${background ? 48 : 38};2;${r};${g};${b}`;
}

/**
 * A row as one string with SGR escapes, for one `<Text>`: a pane row of a
 * dozen runs as a dozen nested elements costs React and Ink more than the
 * frame around it. Only styles come out: the text of a run has no control
 * characters (styledRow replaced them), so nothing else can reach the screen.
 */
export function styledRowToAnsi(row: StyledRow, color: boolean): string {
  let out = '';
  for (const run of row) {
    const codes: string[] = [];
    if (color && run.fg) codes.push(colourSgr(run.fg, false));
    if (color && run.bg) codes.push(colourSgr(run.bg, true));
    if (run.bold) codes.push('1');
    if (run.dim) codes.push('2');
    if (run.italic) codes.push('3');
    if (run.underline) codes.push('4');
    if (run.inverse) codes.push('7');
    out += codes.length > 0 ? `\u001b[${codes.join(';')}m${run.text}\u001b[0m` : run.text;
  }
  return out;
}
