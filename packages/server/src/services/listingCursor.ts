import { NexaError } from '@nexa/core';
import { z } from 'zod';

/** Where a newest-first listing stopped: the (created_at, id) of the last row it gave. */
export interface ListingKey {
  at: number;
  id: string;
}

/** A page of a listing and the cursor of the next one (null: this was the last). */
export interface ListingPage<T> {
  items: T[];
  nextCursor: string | null;
}

/** The cursor as a procedure takes it: opaque to callers, short enough to paste. */
export const ListingCursor = z.string().max(200, 'a cursor is at most 200 characters');

// Opaque so that callers pass back what they were given instead of building keys of their own.
export function encodeCursor(key: ListingKey): string {
  return Buffer.from(`${key.at}.${key.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): ListingKey {
  const text = Buffer.from(cursor, 'base64url').toString();
  const dot = text.indexOf('.');
  const at = Number(text.slice(0, dot));
  const id = text.slice(dot + 1);
  if (dot <= 0 || !Number.isSafeInteger(at) || id.length === 0 || !/^[\w-]+$/.test(id)) {
    throw new NexaError('invalid_input', `"${cursor}" is not a listing cursor`, {
      hint: 'pass the cursor the previous page printed (next: ...), or leave it out to start at the newest',
    });
  }
  return { at, id };
}
