import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ownDir, writeOwnFile } from './ownCorner.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'nexa-corner-'));
  dirs.push(dir);
  return dir;
};

describe("the worker's corner of a working copy", () => {
  it("writes an agent's config inside the copy whatever links the task left on the way", () => {
    const outside = tempDir();
    writeFileSync(join(outside, '.bashrc'), 'keep me\n');
    const copy = tempDir();
    mkdirSync(join(copy, '.nexa'));
    symlinkSync(outside, join(copy, '.nexa', 'home'));
    const home = ownDir(copy, '.nexa/home');
    expect(home).toBe(join(copy, '.nexa', 'home'));
    expect(statSync(home).isDirectory()).toBe(true);

    symlinkSync(join(outside, '.bashrc'), join(home, 'nexa-mcp.json'));
    writeOwnFile(join(home, 'nexa-mcp.json'), '{"token":"t"}', 0o600);
    expect(readFileSync(join(home, 'nexa-mcp.json'), 'utf8')).toBe('{"token":"t"}');
    expect(statSync(join(home, 'nexa-mcp.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(outside)).toEqual(['.bashrc']);
    expect(readFileSync(join(outside, '.bashrc'), 'utf8')).toBe('keep me\n');
  });

  it('keeps a real directory and what it holds (a continued agent keeps its session)', () => {
    const copy = tempDir();
    mkdirSync(join(copy, '.nexa', 'home'), { recursive: true });
    writeFileSync(join(copy, '.nexa', 'home', 'session.jsonl'), 'turns\n');
    ownDir(copy, '.nexa/home');
    expect(readFileSync(join(copy, '.nexa', 'home', 'session.jsonl'), 'utf8')).toBe('turns\n');
  });
});
