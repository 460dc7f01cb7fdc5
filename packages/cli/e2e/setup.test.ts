import { cp, mkdir, readFile, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Home, makeHome } from './harness.js';

const setupScript = fileURLToPath(new URL('../../../scripts/setup.sh', import.meta.url));

// A checkout of its own with pnpm, npm and tsc standing in (they log what they are asked
// to do), so the test sees which steps scripts/setup.sh runs, not how long they take.
let home: Home;
let checkout: string;
let log: string;
let env: Record<string, string>;
beforeAll(async () => {
  home = await makeHome();
  checkout = join(home.dir, 'checkout');
  log = join(home.dir, 'steps.log');
  const tools = join(home.dir, 'tools');
  const globalPrefix = join(home.dir, 'global');
  const files: Record<string, string> = {
    'package.json': '{}',
    'pnpm-lock.yaml': 'lockfileVersion: 9\n',
    'pnpm-workspace.yaml': 'packages: [packages/*]\n',
    'tsconfig.json': '{}',
    'tsconfig.base.json': '{}',
    'packages/cli/package.json': '{}',
    'packages/cli/tsconfig.json': '{}',
    'packages/cli/src/index.ts': 'export {};\n',
    'packages/cli/bin/run.js': 'console.log("this checkout\'s nexa", process.argv.slice(2).join(" "));\n',
    'packages/cli/scripts/writeManifest.mjs': `import { appendFileSync, writeFileSync } from 'node:fs';
appendFileSync(process.env.STEPS_LOG, 'manifest\\n');
writeFileSync('packages/cli/oclif.manifest.json', '{}');\n`,
  };
  for (const [path, text] of Object.entries(files)) {
    await mkdir(join(checkout, path, '..'), { recursive: true });
    await writeFile(join(checkout, path), text);
  }
  await mkdir(join(checkout, 'scripts'));
  await cp(setupScript, join(checkout, 'scripts', 'setup.sh'));
  const fakeTsc = `const { appendFileSync, mkdirSync, writeFileSync } = require('node:fs');
appendFileSync(process.env.STEPS_LOG, 'tsc ' + process.argv.slice(2).join(' ') + '\\n');
mkdirSync('packages/cli/dist', { recursive: true });
writeFileSync('packages/cli/dist/.tsbuildinfo', '');\n`;
  await mkdir(tools);
  await writeFile(
    join(tools, 'pnpm'),
    `#!/bin/sh
[ "$1" = --version ] && { echo 10.0.0; exit 0; }
echo "pnpm $*" >>"$STEPS_LOG"
mkdir -p node_modules/typescript/bin
cat >node_modules/typescript/bin/tsc <<'TSC'
${fakeTsc}TSC
`,
    { mode: 0o755 },
  );
  await writeFile(join(tools, 'npm'), `#!/bin/sh\necho "${globalPrefix}"\n`, { mode: 0o755 });
  env = {
    ...home.env,
    STEPS_LOG: log,
    PATH: `${join(globalPrefix, 'bin')}:${tools}:${process.env.PATH}`,
  };
});
afterAll(() => home.cleanup());

/** Runs setup in the checkout and returns the steps it took. */
async function setup(): Promise<string[]> {
  await writeFile(log, '');
  const result = await execa('sh', [join(checkout, 'scripts', 'setup.sh')], { env, reject: false });
  expect(result.exitCode, result.stderr).toBe(0);
  return (await readFile(log, 'utf8')).split('\n').filter(Boolean);
}

/** Edits a file after the last setup (the build's stamp moved back, whatever the clock's resolution). */
async function edit(path: string, text: string): Promise<void> {
  await writeFile(join(checkout, path), text);
  const earlier = new Date(Date.now() - 5000);
  await utimes(join(checkout, 'node_modules', '.nexa-setup-built'), earlier, earlier);
}

describe('scripts/setup.sh', () => {
  it('installs and builds a fresh clone, then does only what is out of date', async () => {
    expect(await setup()).toEqual(['pnpm install --frozen-lockfile --reporter=silent', 'tsc -b', 'manifest']);
    expect(await setup()).toEqual([]);

    await edit('packages/cli/src/index.ts', 'export const x = 1;\n');
    expect(await setup()).toEqual(['tsc -b', 'manifest']);
    expect(await setup()).toEqual([]);

    await edit('pnpm-lock.yaml', 'lockfileVersion: 9\n# a new dependency\n');
    expect(await setup()).toEqual(['pnpm install --frozen-lockfile --reporter=silent', 'tsc -b', 'manifest']);
    expect(await setup()).toEqual([]);
  });

  it('puts nexa on the PATH, running this checkout', async () => {
    await setup();
    const run = await execa('sh', ['-c', 'nexa tasks list'], { env, reject: false });
    expect(run.stdout).toBe("this checkout's nexa tasks list");
  });
});
