import { visible } from '@nexa/core';

/**
 * Renders rows as left-aligned columns with a header, the way `docker ps`
 * does. Cells come from tasks, agents and workers: their control characters
 * and line breaks are shown escaped, so no cell can recolour, rewrite or add
 * a row.
 */
export function table(headers: readonly string[], cells: readonly (readonly string[])[]): string {
  const rows = cells.map((row) => row.map((cell) => visible(cell)));
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}
