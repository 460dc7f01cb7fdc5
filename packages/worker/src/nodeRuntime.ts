import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { programPaths } from './agentPrograms.js';

/**
 * This machine's node as a sandbox runs it: the host paths to mount for it
 * (read-only, under /opt/nexa in a walled sandbox), and its argv prefix given
 * where the sandbox shows a host path.
 */
export interface NodeRuntime {
  paths: string[];
  argv(inSandbox: (hostPath: string) => string): string[];
}

/** What node links against: its ELF loader and the shared libraries it names. */
export interface SharedLibraries {
  loader: string | undefined;
  libraries: string[];
}

/** `ldd` output: "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" and the loader's "/lib64/ld-linux-x86-64.so.2 (0x...)". */
export function parseLdd(output: string): SharedLibraries {
  let loader: string | undefined;
  const libraries: string[] = [];
  for (const line of output.split('\n')) {
    const linked = /=>\s*(\/\S+)\s*\(/.exec(line)?.[1];
    if (linked) libraries.push(linked);
    else {
      const bare = /^\s*(\/\S+)\s*\(/.exec(line)?.[1];
      if (bare) loader = bare;
    }
  }
  return { loader, libraries };
}

const linked = new Map<string, SharedLibraries>();

/** Asked once per program: a static node, or no ldd here, has none. */
function sharedLibrariesOf(program: string): SharedLibraries {
  let found = linked.get(program);
  if (!found) {
    const ldd = spawnSync('ldd', [program], { encoding: 'utf8' });
    found = ldd.status === 0 ? parseLdd(ldd.stdout) : { loader: undefined, libraries: [] };
    linked.set(program, found);
  }
  return found;
}

/**
 * How a sandbox runs `node` (this worker's own): as it is where the system is
 * this machine's (a plain process, bubblewrap); in a container image, which
 * may have no node and no C++ runtime at all (busybox), through its own
 * loader with its shared libraries mounted beside it, file by file.
 */
export function nodeRuntime(
  system: 'host' | 'image',
  node = process.execPath,
  libraries: (program: string) => SharedLibraries = sharedLibrariesOf,
): NodeRuntime {
  if (system === 'host') return { paths: programPaths([node]), argv: (inSandbox) => [inSandbox(node)] };
  const real = realpathSync(node);
  const { loader, libraries: libs } = libraries(real);
  if (!loader) return { paths: [real], argv: (inSandbox) => [inSandbox(real)] };
  return {
    paths: [real, loader, ...libs],
    argv: (inSandbox) => [
      inSandbox(loader),
      '--library-path',
      [...new Set(libs.map((lib) => dirname(inSandbox(lib))))].join(':'),
      inSandbox(real),
    ],
  };
}
