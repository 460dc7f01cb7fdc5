// Writes packages/cli/oclif.manifest.json so `nexa` finds a command without
// importing every command file (what `oclif manifest` does, without its
// dependency tree). Run by `pnpm build`.
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

const root = fileURLToPath(new URL('..', import.meta.url));
const plugin = new Plugin({ root, type: 'core', ignoreManifest: true, errorOnManifestCreate: true });
await plugin.load();
await writeFile(`${root}/oclif.manifest.json`, `${JSON.stringify(plugin.manifest, null, 2)}\n`);
console.log(
  `wrote ${Object.keys(plugin.manifest.commands).length} commands to packages/cli/oclif.manifest.json`,
);
