import type { AuditEntry } from '@nexa/core';
import { table } from './table.js';

const HEADER = ['WHEN', 'ACTION', 'ACTOR', 'TARGET', 'PROJECT', 'FROM', 'DETAIL'];

/** "2026-11-26T10:00:00Z": to the second, in UTC, as the log is read across time zones. */
const when = (iso: string) => iso.replace(/\.\d+Z$/, 'Z');

/**
 * The audit log as a table. Every field may hold anyone's text (a token's
 * subject, a failed login's reason, a deny reason): table() shows their
 * terminal controls escaped.
 */
export function auditTable(entries: readonly AuditEntry[]): string {
  return table(
    HEADER,
    entries.map((entry) => [
      when(entry.at),
      entry.action,
      entry.actor === null ? '-' : entry.role ? `${entry.actor} (${entry.role})` : entry.actor,
      entry.target ?? '-',
      entry.project ?? '-',
      entry.from ?? '-',
      entry.detail ?? '-',
    ]),
  );
}
