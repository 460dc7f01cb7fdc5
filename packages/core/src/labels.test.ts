import { describe, expect, it } from 'vitest';
import { labelsMatch, parseLabels } from './labels.js';

describe('labels', () => {
  it('parses repeated and comma-separated k=v pairs', () => {
    expect(parseLabels(['gpu=1', 'os=linux,arch=x64', ''])).toEqual({ gpu: '1', os: 'linux', arch: 'x64' });
    expect(parseLabels(['tier='])).toEqual({ tier: '' });
  });

  it('says which pair is not a label and how to write one', () => {
    expect(() => parseLabels(['gpu'], '--labels')).toThrow('--labels "gpu" is not a label');
    expect(() => parseLabels(['=1'])).toThrow(/not a label/);
  });

  it('matches a worker that carries every selected label', () => {
    expect(labelsMatch({}, { any: 'thing' })).toBe(true);
    expect(labelsMatch({ gpu: '1' }, { gpu: '1', os: 'linux' })).toBe(true);
    expect(labelsMatch({ gpu: '1' }, { gpu: '0' })).toBe(false);
    expect(labelsMatch({ gpu: '1' }, {})).toBe(false);
  });
});
