import { MIN_SECRET_LENGTH, Redactor } from '@nexa/core';
import { describe, expect, it } from 'vitest';
import { secretsOf } from './redact.js';

/** Feeds the chunks through one stream and returns everything it let out. */
function throughStream(redactor: Redactor, chunks: string[]): string {
  const stream = redactor.stream();
  return chunks.map((chunk) => stream.push(chunk)).join('') + stream.end();
}

describe('secretsOf', () => {
  it('takes the task’s variables named like secrets and every passed value, not short ones', () => {
    const secrets = secretsOf(
      {
        API_TOKEN: 'tok-1234',
        aws_secret: 'aws-5678',
        SSH_KEY: 'key-0000',
        DbPassword1: 'pw-99999',
        PASSWORD: 'abc', // too short
        MODE: 'fast-and-loose', // not a secret's name
        KEYRING: 'not-a-key', // *_KEY only at the end
      },
      { ANTHROPIC_API_KEY: 'sk-ant-xyz', LANGUAGE: 'fr_FR' },
    );
    expect(secrets.map((s) => s.name).sort()).toEqual(
      ['ANTHROPIC_API_KEY', 'API_TOKEN', 'DbPassword1', 'LANGUAGE', 'SSH_KEY', 'aws_secret'].sort(),
    );
    expect(MIN_SECRET_LENGTH).toBe(4);
  });
});

describe('Redactor', () => {
  const redactor = new Redactor([
    { name: 'API_TOKEN', value: 's3cr3tvalue' },
    { name: 'OTHER_KEY', value: 'k3y-k3y' },
  ]);

  it('replaces every occurrence in a whole string', () => {
    expect(redactor.redact('a s3cr3tvalue b s3cr3tvalues3cr3tvalue k3y-k3y.')).toBe(
      'a [redacted:API_TOKEN] b [redacted:API_TOKEN][redacted:API_TOKEN] [redacted:OTHER_KEY].',
    );
    expect(redactor.redact('nothing here')).toBe('nothing here');
  });

  it('catches a value split at every offset, the same as redacting the whole text', () => {
    const text = 'before s3cr3tvalue mid k3y-k3ys3cr3tvalue after s3cr3tvalu';
    const whole = redactor.redact(text);
    expect(whole).not.toContain('s3cr3tvalue');
    for (let i = 0; i <= text.length; i++) {
      expect(throughStream(redactor, [text.slice(0, i), text.slice(i)])).toBe(whole);
      for (let j = i; j <= text.length; j += 3) {
        expect(throughStream(redactor, [text.slice(0, i), text.slice(i, j), text.slice(j)])).toBe(whole);
      }
    }
  });

  it('catches a value sent one character at a time', () => {
    const text = 'xx s3cr3tvalue yy';
    expect(throughStream(redactor, [...text])).toBe('xx [redacted:API_TOKEN] yy');
  });

  it('holds back only what may begin a secret, and gives it back at the end', () => {
    const stream = redactor.stream();
    expect(stream.push('plain text ')).toBe('plain text ');
    expect(stream.holding).toBe(0);
    expect(stream.push('then s3cr')).toBe('then ');
    expect(stream.holding).toBe(4);
    expect(stream.end()).toBe('s3cr');
  });

  it('redacts overlapping and nested values, whatever the split', () => {
    const overlapping = new Redactor([
      { name: 'A_KEY', value: 'abcdef' },
      { name: 'B_KEY', value: 'cdefgh' },
      { name: 'LONG_KEY', value: 'abcdefghij' },
      { name: 'SHORT_KEY', value: 'defg' },
    ]);
    for (const text of ['abcdefgh', 'xxabcdefghijyy', 'abcdefabcdefgh', 'cdefghij', 'abcdefghi']) {
      const whole = overlapping.redact(text);
      for (const secret of ['abcdef', 'cdefgh', 'abcdefghij', 'defg']) expect(whole).not.toContain(secret);
      for (let i = 0; i <= text.length; i++) {
        expect(throughStream(overlapping, [text.slice(0, i), text.slice(i)])).toBe(whole);
      }
    }
    expect(overlapping.redact('abcdefghij')).toBe('[redacted:LONG_KEY]');
  });

  it('keeps multi-byte characters whole, in and around secrets', () => {
    const unicode = new Redactor([{ name: 'EMOJI_TOKEN', value: 'p🔑ss-wörd' }]);
    const text = '🎉 é p🔑ss-wörd 🎉🎉 p🔑ss';
    const whole = unicode.redact(text);
    expect(whole).toBe('🎉 é [redacted:EMOJI_TOKEN] 🎉🎉 p🔑ss');
    for (let i = 0; i <= text.length; i++) {
      const stream = unicode.stream();
      const first = stream.push(text.slice(0, i));
      const second = stream.push(text.slice(i));
      // What is let out before the end never ends in half a surrogate pair unless the input did.
      if (!/[\ud800-\udbff]$/.test(text.slice(0, i))) expect(first).not.toMatch(/[\ud800-\udbff]$/);
      expect(first + second + stream.end()).toBe(whole);
    }
  });

  it('redacts every string in an event, nested', () => {
    expect(
      redactor.redactDeep({
        kind: 'tool_call',
        input: { command: ['curl', '-H', 'Authorization: s3cr3tvalue'], n: 3, ok: true, none: null },
      }),
    ).toEqual({
      kind: 'tool_call',
      input: { command: ['curl', '-H', 'Authorization: [redacted:API_TOKEN]'], n: 3, ok: true, none: null },
    });
  });

  it('lets everything through at once when there is nothing to redact', () => {
    const none = new Redactor([{ name: 'PASSWORD', value: 'abc' }]);
    expect(none.active).toBe(false);
    const stream = none.stream();
    expect(stream.push('abc ab')).toBe('abc ab');
  });
});
