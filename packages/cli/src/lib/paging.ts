import { limits, visible } from '@nexa/core';
import { Flags } from '@oclif/core';

/** --limit of a listing: never more than the coordinator serves in one page. */
export const limitFlag = (fallback: number) =>
  Flags.integer({ description: 'At most this many.', default: fallback, min: 1, max: limits.listing.rows });

/** --limit and --cursor: one page of a listing, and where to start the next. */
export const pageFlags = {
  limit: limitFlag(50),
  cursor: Flags.string({ description: 'Start after the page that printed this cursor (its next: line).' }),
};

/**
 * When more are left, the command for the next page goes to stderr, so
 * --json stays a plain array on stdout.
 */
export function printNextPage(command: string, nextCursor: string | null): void {
  if (nextCursor === null) return;
  // The cursor is the server's text: shown with its controls escaped, like everything a person reads.
  process.stderr.write(`next: ${command} --cursor ${visible(nextCursor)}\n`);
}
