import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NexaError } from '@nexa/core';

/**
 * Every git the worker runs on the host goes through `hostGit`. Git obeys
 * whatever config, hooks and attributes the repository it runs in names
 * (DESIGN.md, "Known traps"), so nothing here ever takes the caller's
 * environment: it is built from scratch, with no system or global config, and
 * the `-c` flags below switch off every place git would start a program.
 */

/** What a git call is for: only the user's own source may use their ssh agent and ssh command. */
export type GitPurpose = 'source' | 'vault';

export interface HostGitOptions {
  purpose: GitPurpose;
  /** Never a task's working copy: git must not discover a repository there. */
  cwd?: string;
  /** The repository (GIT_DIR): the user's source or a vault, never a working copy's `.git`. */
  gitDir?: string;
  /** A working copy read as data: its files are added, its `.git` is never opened. */
  workTree?: string;
  indexFile?: string;
  /** Object directories the vault reads besides its own (vault-owned, checked beforehand). */
  alternates?: string[];
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60_000;
const OUTPUT_LIMIT = 64 * 1024 * 1024;

/** Flags that neutralise every command-running setting a config file could hold. */
const HARDENING = [
  'core.fsmonitor=false',
  'core.hooksPath=/dev/null',
  'core.pager=cat',
  'core.editor=false',
  'core.askPass=',
  'diff.external=',
  'credential.helper=',
  'gc.auto=0',
  'maintenance.auto=false',
  'fetch.recurseSubmodules=false',
  'submodule.recurse=false',
  // The vault and the copy are local paths: cloning and fetching between them uses the file protocol.
  'protocol.file.allow=always',
];

/** Only the user's own source may reach a remote over ssh; nothing else has a reason to. */
const NO_SSH = ['core.sshCommand=false'];

let privateHome: string | undefined;

/** An empty directory of our own for HOME, so no ~/.gitconfig or ~/.config/git is read. */
function gitHome(): string {
  privateHome ??= mkdtempSync(join(tmpdir(), 'nexa-git-home-'));
  return privateHome;
}

/** The whole environment of a host git: built from nothing, never `...process.env`. */
export function hostGitEnv(
  purpose: GitPurpose,
  from: NodeJS.ProcessEnv = process.env,
  home: string = gitHome(),
): Record<string, string> {
  const env: Record<string, string> = {
    PATH: from.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'C',
    LC_ALL: 'C',
    HOME: home,
    XDG_CONFIG_HOME: home,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: '',
    SSH_ASKPASS: '',
  };
  // The user's ssh agent lets the worker clone their private repository; a vault needs no key.
  if (purpose === 'source' && from.SSH_AUTH_SOCK) env.SSH_AUTH_SOCK = from.SSH_AUTH_SOCK;
  return env;
}

/** The argv of a host git: the hardening flags, then the command. */
export function hostGitArgs(purpose: GitPurpose, args: readonly string[]): string[] {
  const flags = purpose === 'source' ? HARDENING : [...HARDENING, ...NO_SSH];
  return [...flags.flatMap((flag) => ['-c', flag]), ...args];
}

/** Runs git on the host, hardened; resolves with its stdout, or throws a NexaError naming the command. */
export function hostGit(args: readonly string[], options: HostGitOptions): Promise<string> {
  const env = hostGitEnv(options.purpose);
  if (options.gitDir) env.GIT_DIR = options.gitDir;
  if (options.workTree) env.GIT_WORK_TREE = options.workTree;
  if (options.indexFile) env.GIT_INDEX_FILE = options.indexFile;
  if (options.alternates?.length) env.GIT_ALTERNATE_OBJECT_DIRECTORIES = options.alternates.join(':');
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      hostGitArgs(options.purpose, args),
      {
        cwd: options.cwd ?? gitHome(),
        env,
        maxBuffer: OUTPUT_LIMIT,
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        killSignal: 'SIGKILL',
      },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const detail =
          (error as { killed?: boolean }).killed === true
            ? `took longer than ${Math.round((options.timeoutMs ?? DEFAULT_TIMEOUT_MS) / 1000)} s`
            : (String(stderr).trim().split('\n').at(-1) ?? error.message);
        reject(
          new NexaError('internal', `git ${args[0]} failed: ${detail || error.message}`, {
            cause: Object.assign(error, { stderr, stdout }),
          }),
        );
      },
    );
  });
}
