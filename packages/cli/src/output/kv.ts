import { type KvEntry, visible } from '@nexa/core';

/** An entry as it comes over the wire (JSON drops the difference between an absent and an undefined value). */
export type KvEntryShown = Omit<KvEntry, 'value'> & { value?: unknown };
export type KvChangeShown =
  | { type: 'set'; entry: KvEntryShown }
  | { type: 'removed'; project: string; key: string; version: number };

/**
 * A key's value as a person reads it: a string as it is, anything else as
 * compact JSON, with terminal controls escaped (anyone may have set it, a
 * hostile agent too; `--json` keeps the true value).
 */
export function valueText(value: unknown): string {
  return visible(typeof value === 'string' ? value : JSON.stringify(value), {
    keepNewlines: true,
    keepTabs: true,
  });
}

/**
 * What `nexa kv set KEY VALUE` stores: VALUE parsed as JSON when it is JSON
 * (`42`, `true`, `{"a":1}`, `"quoted"`), else the text itself as a string.
 */
export function parseValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function entryLine(entry: KvEntryShown): string {
  return `${entry.key} = ${valueText(entry.value)}  (version ${entry.version})`;
}

/** One change of a watch, as a line. */
export function changeLine(change: KvChangeShown): string {
  return change.type === 'set'
    ? `set ${entryLine(change.entry)}`
    : `removed ${change.key}  (was version ${change.version})`;
}
