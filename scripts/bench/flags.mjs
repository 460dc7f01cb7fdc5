// Reading a bench's own flags: a bad value is the person's mistake, said in one line (run.mjs
// prints a NexaError 'invalid_input' and exits 2), never a stack trace or NaN runs.
import { NexaError } from '@nexa/core';

/** A positive whole number given as `--name N`, or `fallback` when the flag is absent. */
export function countFlag(name, value, fallback) {
  if (value === undefined) return fallback;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1)
    throw new NexaError('invalid_input', `--${name} takes a positive whole number, not "${value}"`);
  return count;
}

/** A comma-separated list of positive whole numbers (`--tasks 1,10,100`). */
export function countsFlag(name, value, fallback) {
  if (value === undefined) return fallback;
  return value.split(',').map((part) => countFlag(name, part.trim(), undefined));
}
