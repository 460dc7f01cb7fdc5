import { open } from 'node:fs/promises';
import { NexaError } from '@nexa/core';

/** A JWT is well under 1 KiB; anything past this is the wrong file (or /dev/zero). */
const MAX_TOKEN_FILE_BYTES = 64 * 1024;

/**
 * The token a daemon (`nexa worker`) authenticates with, when a flag gives
 * one; undefined leaves it to NEXA_TOKEN and the credentials file.
 *
 * A command line is readable by every process on the machine (`ps`,
 * /proc/PID/cmdline), including the tasks a worker runs in the process
 * sandbox, for as long as the process lives: a daemon given `--token`
 * says so on stderr. One-shot commands (`nexa run`, `nexa token create`)
 * keep `--token` without a warning: they live for seconds and are mostly
 * run by hand or in CI, where the variable is the usual way anyway.
 */
export async function daemonToken(
  flags: { token?: string | undefined; 'token-file'?: string | undefined },
  command: string,
  warn: (line: string) => void,
): Promise<string | undefined> {
  const file = flags['token-file'];
  if (file !== undefined && flags.token !== undefined) {
    throw new NexaError('invalid_input', 'pass --token-file or --token, not both');
  }
  if (flags.token !== undefined) {
    warn(
      `${command}: warning: --token puts the token in the process list (ps, /proc/PID/cmdline), where other users and tasks can read it; use NEXA_TOKEN or --token-file`,
    );
    return flags.token;
  }
  if (file === undefined) return undefined;
  const token = (await readSmallFile(file)).trim();
  if (!token) {
    throw new NexaError('invalid_input', `--token-file ${file} is empty`, {
      hint: 'write the token from `nexa token create --role worker` into it',
    });
  }
  return token;
}

/** Reads at most MAX_TOKEN_FILE_BYTES (a pipe such as <(pass show nexa) works too). */
async function readSmallFile(path: string, flag = '--token-file'): Promise<string> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    const buffer = Buffer.alloc(MAX_TOKEN_FILE_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > MAX_TOKEN_FILE_BYTES) {
        throw new NexaError('invalid_input', `${flag} ${path} is larger than 64 KiB: not a token`);
      }
    }
    return buffer.subarray(0, length).toString('utf8');
  } catch (error) {
    if (error instanceof NexaError) throw error;
    throw new NexaError(
      'invalid_input',
      `cannot read ${flag} ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      { hint: 'check the path and that this user may read it' },
    );
  } finally {
    await handle?.close();
  }
}

/**
 * A join token (`nexa worker --join-token-file FILE`, or NEXA_JOIN_TOKEN):
 * never a flag's value, which every process can read in the process list.
 */
export async function daemonJoinToken(flags: {
  'join-token-file'?: string | undefined;
}): Promise<string | undefined> {
  const file = flags['join-token-file'];
  const token =
    file === undefined ? process.env.NEXA_JOIN_TOKEN : await readSmallFile(file, '--join-token-file');
  if (token === undefined) return undefined;
  if (!token.trim()) {
    throw new NexaError(
      'invalid_input',
      `${file === undefined ? 'NEXA_JOIN_TOKEN' : `--join-token-file ${file}`} is empty`,
      {
        hint: 'write the token from `nexa token create --role worker --join` into it',
      },
    );
  }
  return token.trim();
}
