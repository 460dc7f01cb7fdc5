/** The size of one area of the screen, in cells. */
export interface Size {
  width: number;
  height: number;
}

/** The rows the frame may use: one fewer than the terminal, because Ink clears the whole screen after a frame as tall as the terminal. */
export const frameHeight = (rows: number): number => Math.max(1, rows - 1);

/** Tab bar above, hint line and status bar below. */
export const CHROME_ROWS = 3;

/**
 * A list and the area it drives: side by side on a wide terminal (the list
 * takes `beside` of the width), stacked on a narrow one (it takes `above` of
 * the height, at least 3 rows).
 */
export function listBesideArea(
  body: Size,
  share: { beside: number; above: number },
): { list: Size; area: Size; sideBySide: boolean } {
  if (body.width >= 120) {
    const listWidth = Math.floor(body.width * share.beside);
    return {
      list: { width: listWidth, height: body.height },
      area: { width: body.width - listWidth - 1, height: body.height },
      sideBySide: true,
    };
  }
  const listHeight = Math.max(3, Math.floor(body.height * share.above));
  return {
    list: { width: body.width, height: listHeight },
    area: { width: body.width, height: body.height - listHeight },
    sideBySide: false,
  };
}

/** Where the task list and its panes go; zoomed, the panes take it all. */
export function tasksLayout(
  body: Size,
  zoomed: boolean,
): { list: Size | null; panes: Size; sideBySide: boolean } {
  if (zoomed) return { list: null, panes: body, sideBySide: false };
  const { list, area, sideBySide } = listBesideArea(body, { beside: 0.5, above: 0.45 });
  return { list, panes: area, sideBySide };
}

/** One pane fills the area; two split it along its longer side; three or four make a 2×2 grid. */
export function paneGrid(count: number, area: Size): Size[][] {
  if (count <= 1) return [[area]];
  const halfW = Math.floor(area.width / 2);
  const halfH = Math.floor(area.height / 2);
  if (count === 2) {
    return area.width >= 2 * 40
      ? [
          [
            { width: halfW, height: area.height },
            { width: area.width - halfW, height: area.height },
          ],
        ]
      : [[{ width: area.width, height: halfH }], [{ width: area.width, height: area.height - halfH }]];
  }
  const top = [
    { width: halfW, height: halfH },
    { width: area.width - halfW, height: halfH },
  ];
  const bottom = [
    { width: halfW, height: area.height - halfH },
    { width: area.width - halfW, height: area.height - halfH },
  ];
  return [top, count === 3 ? bottom.slice(0, 1) : bottom];
}

/**
 * The first of `rows` rows to show so the row at `index` stays on screen,
 * centred when it can be: every list renders only the rows that fit.
 */
export function windowStart(index: number, count: number, rows: number): number {
  return Math.max(0, Math.min(index - Math.floor(rows / 2), count - rows));
}
