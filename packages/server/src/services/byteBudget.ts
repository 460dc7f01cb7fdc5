import { limits } from '@nexa/core';

/**
 * How many rows, in order, fit in a listing's byte budget: at least one, so a
 * listing always shows something, and never so many that a page of oversized
 * rows (each field is bounded, but a thousand rows of bounded fields are not
 * small) costs the coordinator and its reader more than the budget.
 */
export function rowsWithin(sizes: readonly number[], budget: number = limits.listing.bytes): number {
  let total = 0;
  let count = 0;
  for (const size of sizes) {
    if (count > 0 && total + size > budget) break;
    total += size;
    count++;
  }
  return count;
}
