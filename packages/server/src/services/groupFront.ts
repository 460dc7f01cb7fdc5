/**
 * How many of the oldest waiting items make the next group commit: as many
 * as fit in `maxRows` rows and `maxBytes` bytes, and at least one (an item
 * bigger than a group still goes, alone). The bounds are what a control write
 * may have to wait behind.
 */
export function groupFront<T>(
  pending: readonly T[],
  measure: (item: T) => { rows: number; bytes: number },
  maxRows: number,
  maxBytes: number,
): number {
  let rows = 0;
  let bytes = 0;
  let count = 0;
  for (const item of pending) {
    const size = measure(item);
    if (count > 0 && (rows + size.rows > maxRows || bytes + size.bytes > maxBytes)) break;
    rows += size.rows;
    bytes += size.bytes;
    count++;
  }
  return count;
}
