import { describe, expect, it } from 'vitest';
import { parseLabels } from './labels.js';
import { TaskSpec } from './schemas/task.js';
import { visible } from './text.js';

describe('visible', () => {
  it('shows every terminal control escaped and leaves ordinary text, accents and emoji alone', () => {
    expect(visible('ok \u001b[31mred\u001b[0m\rback\u0008\u0007\u009b2J\u202eevil\u2066')).toBe(
      'ok \\x1b[31mred\\x1b[0m\\rback\\x08\\x07\\x9b2J\\u202eevil\\u2066',
    );
    expect(visible('café — 日本 🚀 a|b; c && d')).toBe('café — 日本 🚀 a|b; c && d');
  });

  it('escapes line breaks in a value, keeps them in a whole message when asked', () => {
    expect(visible('a\nb\tc')).toBe('a\\nb\\tc');
    expect(visible('a\nb\r', { keepNewlines: true })).toBe('a\nb\\r');
  });
});

describe('labels refuse control characters', () => {
  it('at the command line and in the submitted spec', () => {
    expect(() => parseLabels(['os=linux\u001b[8m'])).toThrow(/control character/);
    expect(() => parseLabels(['os=linux\u001b[8m'])).toThrow('os=linux\\x1b[8m'); // shown escaped
    expect(TaskSpec.safeParse({ command: ['true'], labels: { os: 'a\rb' } }).success).toBe(false);
    expect(TaskSpec.safeParse({ command: ['true'], labels: { 'o\u202es': 'x' } }).success).toBe(false);
    expect(TaskSpec.safeParse({ command: ['true'], labels: { os: 'linux' } }).success).toBe(true);
  });
});

describe('visible, keeping tabs', () => {
  it('keeps tabs only when asked', () => {
    expect(visible('a\tb\u001b', { keepTabs: true })).toBe('a\tb\\x1b');
  });
});
