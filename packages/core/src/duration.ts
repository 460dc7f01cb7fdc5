import { NexaError } from './errors.js';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses "500ms", "30s", "2m", "1h", "1m30s" or a bare number of seconds into milliseconds. */
export function parseDuration(text: string, flag = 'duration'): number {
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const parts = [...trimmed.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== trimmed) {
    throw new NexaError('invalid_input', `${flag} "${text}" is not a duration`, {
      hint: 'write it like 500ms, 30s, 2m, 1h or 1m30s',
    });
  }
  return Math.round(
    parts.reduce((total, [, value, unit]) => total + Number(value) * (units[unit as string] ?? 0), 0),
  );
}

/** The shortest readable form: 1500 → "1.5s", 90000 → "1m30s". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1000);
  if (minutes < 60) return seconds ? `${minutes}m${seconds}s` : `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 ? `${hours}h${minutes % 60}m` : `${hours}h`;
}

const byteUnits: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Parses "512m", "2g", "64k" or a number of bytes (binary units, as Docker reads them). */
export function parseBytes(text: string, flag = 'size'): number {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)i?b?$/i.exec(text.trim());
  const unit = byteUnits[match?.[2]?.toLowerCase() ?? 'x'];
  if (!match || unit === undefined) {
    throw new NexaError('invalid_input', `${flag} "${text}" is not a size`, {
      hint: 'write it like 512m, 2g or 64k',
    });
  }
  return Math.round(Number(match[1]) * unit);
}
