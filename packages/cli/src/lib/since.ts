import { NexaError, parseDuration } from '@nexa/core';

const DAY_MS = 86_400_000;

/**
 * `--since` as a point in time (epoch ms): a time ago ("30m", "1h", "7d") or
 * an ISO date ("2026-11-26", "2026-11-26T10:00Z").
 */
export function sinceTime(text: string, now = Date.now()): number {
  const trimmed = text.trim();
  const days = /^(\d+)d$/.exec(trimmed);
  if (days) return now - Number(days[1]) * DAY_MS;
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) {
      throw new NexaError('invalid_input', `--since "${text}" is not a date`, {
        hint: 'write a time ago like 30m, 1h or 7d, or a date like 2026-11-26T10:00Z',
      });
    }
    return at;
  }
  try {
    return now - parseDuration(trimmed, '--since');
  } catch {
    throw new NexaError('invalid_input', `--since "${text}" is neither a time ago nor a date`, {
      hint: 'write a time ago like 30m, 1h or 7d, or a date like 2026-11-26T10:00Z',
    });
  }
}
