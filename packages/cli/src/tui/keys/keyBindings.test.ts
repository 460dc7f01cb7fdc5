import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { viewNames } from '../store/state.js';
import { commandFor, commands, keyBindings, keyDescriptions, keyLabel } from './keyBindings.js';

const readme = readFileSync(new URL('../../../../../README.md', import.meta.url), 'utf8');
const keyTable = readme.slice(readme.indexOf('## The terminal UI'), readme.indexOf('**Over SSH.**'));
const plain = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
} as Parameters<typeof commandFor>[1];

describe('the key table', () => {
  it('the README names every key the TUI answers, and its nexa command', () => {
    for (const command of commands) {
      for (const binding of keyBindings[command]) {
        if (command === 'back') continue; // Esc: mentioned in the zoom row
        expect(keyTable, `${command}: key ${keyLabel(binding)}`).toContain(`\`${keyLabel(binding)}\``);
      }
      const nexa = keyDescriptions[command].nexa?.replace(/ (ID|R|S)\b.*/, '');
      if (nexa && command !== 'help') expect(keyTable, `${command}: ${nexa}`).toContain(nexa);
    }
  });

  it('no key means two things in one view', () => {
    for (const view of viewNames) {
      const seen = new Map<string, string>();
      for (const command of commands) {
        const { views } = keyDescriptions[command];
        if (views !== 'all' && !views.includes(view)) continue;
        for (const binding of keyBindings[command]) {
          const label = keyLabel(binding);
          expect(seen.get(label), `${label} in ${view}`).toBeUndefined();
          seen.set(label, command);
        }
      }
    }
  });

  it('a view-only key does nothing elsewhere', () => {
    expect(commandFor('a', plain, 'approvals')).toBe('approve');
    expect(commandFor('a', plain, 'tasks')).toBeUndefined();
    expect(commandFor('x', plain, 'workers')).toBe('drain');
    expect(commandFor('x', plain, 'approvals')).toBeUndefined();
    expect(commandFor('R', plain, 'threads')).toBe('reply');
    expect(commandFor('n', plain, 'threads')).toBe('say');
    expect(commandFor('n', plain, 'tasks')).toBe('newTask');
    expect(commandFor('m', plain, 'tasks')).toBe('followUp');
    expect(commandFor('m', plain, 'threads')).toBeUndefined();
  });
});
