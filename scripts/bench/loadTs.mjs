// Imports one of the e2e helpers written in TypeScript (tmux.ts, terminalBytes.ts) from a plain
// node script: Node 20 cannot strip types, so the file is transpiled (types dropped, nothing
// checked) to a temporary module first. Only for files that import nothing but node builtins.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

export async function loadTs(url) {
  const source = await readFile(url, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  const dir = await mkdtemp(join(tmpdir(), 'nexa-ts-'));
  const file = join(dir, 'module.mjs');
  await writeFile(file, outputText);
  try {
    return await import(pathToFileURL(file).href);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
