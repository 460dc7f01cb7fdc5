import { NexaError } from '@nexa/core';
import type { Db } from './writeQueue.js';

/** What drizzle can write with: a reader has none of them. */
const writing = ['insert', 'update', 'delete', 'run', 'batch', 'transaction'] as const;

export type ReadDb = Omit<Db, (typeof writing)[number]>;

/**
 * The database as every service reads it. The type has no way to write; the
 * proxy makes a cast around the type fail loudly too, instead of racing the
 * write queue into SQLITE_BUSY.
 */
export function readOnly(db: Db): ReadDb {
  const refused = new Set<PropertyKey>(writing);
  return new Proxy(db, {
    get(target, property, receiver) {
      if (refused.has(property)) {
        throw new NexaError('internal', `db.${String(property)} outside the write queue: use writes.run`);
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
