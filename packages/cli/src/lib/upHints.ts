import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * What `nexa up` prints once it is up: commands a person can paste into
 * another shell as they are. `nexa` when it is on the PATH (scripts/setup.sh
 * puts it there), else this CLI by its full path.
 */
export function upHints(
  url: string,
  dataDir: string,
  worker: { name: string; sandboxes: readonly string[]; agents: readonly string[] },
  env: NodeJS.ProcessEnv = process.env,
): string {
  const nexa = onPath('nexa', env.PATH ?? '') ? 'nexa' : `node ${process.argv[1]}`;
  // NEXA_SERVER outranks the credentials file: name the server when it points elsewhere.
  const server = env.NEXA_SERVER && env.NEXA_SERVER !== url ? ` --server ${url}` : '';
  const walled = worker.sandboxes.some((name) => name === 'docker' || name === 'bwrap');
  return [
    `Nexa is up at ${url} (data in ${dataDir})`,
    `  worker "${worker.name}" is connected; agents: ${worker.agents.join(', ')}`,
    `  run a task:    ${
      walled
        ? `${nexa} run${server} -- echo hello`
        : `${nexa} run${server} --sandbox process -- echo hello   (no bubblewrap or Docker here: tasks run unwalled)`
    }`,
    `  see tasks:     ${nexa} tasks list${server}`,
    `  add a worker:  ${nexa} token create${server} --role worker > worker.token && ${nexa} worker --server ${url} --token-file worker.token`,
    'Press Ctrl-C to stop.',
  ].join('\n');
}

function onPath(name: string, path: string): boolean {
  return path
    .split(delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}
