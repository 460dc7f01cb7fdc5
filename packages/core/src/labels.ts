import { NexaError } from './errors.js';
import { TERMINAL_CONTROLS, visible } from './text.js';

export type Labels = Record<string, string>;

const labelKey = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;

/** Parses `k=v` pairs (from `--labels a=1,b=2` or repeated `--label a=1`). */
export function parseLabels(pairs: readonly string[], flag = '--label'): Labels {
  const labels: Labels = {};
  for (const raw of pairs.flatMap((p) => p.split(','))) {
    const pair = raw.trim();
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    if (eq === -1 || !labelKey.test(key)) {
      throw new NexaError('invalid_input', `${flag} "${pair}" is not a label`, {
        hint: 'write labels as key=value, e.g. gpu=1 or os=linux',
      });
    }
    if (TERMINAL_CONTROLS.test(value)) {
      throw new NexaError(
        'invalid_input',
        `${flag} "${visible(pair)}" has a control character in its value`,
        {
          hint: 'labels are plain text: letters, digits, punctuation and spaces',
        },
      );
    }
    labels[key] = value;
  }
  return labels;
}

/** A worker matches a task's selector when it carries every selected label with the same value. */
export function labelsMatch(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

export function formatLabels(labels: Labels): string {
  return Object.entries(labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}
