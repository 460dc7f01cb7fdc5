import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { daemonToken } from './daemonToken.js';

let dir: string;
const warnings: string[] = [];
const warn = (line: string) => warnings.push(line);
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nexa-token-file-'));
  warnings.length = 0;
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('a daemon’s token: --token-file, --token, NEXA_TOKEN', () => {
  it('reads --token-file, trimmed, and warns about nothing', async () => {
    const file = join(dir, 'token');
    await writeFile(file, '  eyJ.token.value\n\n');
    expect(await daemonToken({ 'token-file': file }, 'nexa worker', warn)).toBe('eyJ.token.value');
    expect(warnings).toEqual([]);
  });

  it('warns once on stderr when --token is on the command line', async () => {
    expect(await daemonToken({ token: 'eyJ.on.argv' }, 'nexa worker', warn)).toBe('eyJ.on.argv');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/--token .*process list.*NEXA_TOKEN or --token-file/);
    expect(warnings[0]).not.toContain('eyJ.on.argv');
  });

  it('leaves the token to NEXA_TOKEN or the credentials file when neither flag is given', async () => {
    expect(await daemonToken({}, 'nexa worker', warn)).toBeUndefined();
    expect(warnings).toEqual([]);
  });

  it('says in one line what is wrong with the file', async () => {
    const empty = join(dir, 'empty');
    await writeFile(empty, ' \n');
    await expect(daemonToken({ 'token-file': empty }, 'nexa worker', warn)).rejects.toMatchObject({
      code: 'invalid_input',
      message: `--token-file ${empty} is empty`,
    });
    await expect(
      daemonToken({ 'token-file': join(dir, 'missing') }, 'nexa worker', warn),
    ).rejects.toMatchObject({
      code: 'invalid_input',
      message: `cannot read --token-file ${join(dir, 'missing')} (ENOENT)`,
    });
    await expect(daemonToken({ 'token-file': dir }, 'nexa worker', warn)).rejects.toMatchObject({
      code: 'invalid_input',
      message: `cannot read --token-file ${dir} (EISDIR)`,
    });
    const file = join(dir, 'token');
    await writeFile(file, 'x');
    await expect(daemonToken({ token: 'a', 'token-file': file }, 'nexa worker', warn)).rejects.toMatchObject({
      code: 'invalid_input',
      message: 'pass --token-file or --token, not both',
    });
    await chmod(file, 0o600);
  });

  it('refuses a file too large to be a token instead of reading it all', async () => {
    const big = join(dir, 'big');
    await writeFile(big, 'x'.repeat(64 * 1024 + 1));
    await expect(daemonToken({ 'token-file': big }, 'nexa worker', warn)).rejects.toMatchObject({
      code: 'invalid_input',
      message: `--token-file ${big} is larger than 64 KiB: not a token`,
    });
  });
});
