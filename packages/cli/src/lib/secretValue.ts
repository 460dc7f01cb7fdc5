import { limits, NexaError, SecretName } from '@nexa/core';

/**
 * A secret's value, from stdin: never a flag or an argument, which every
 * process on the machine can read (/proc/PID/cmdline, `ps`) and shells keep
 * in their history. On a terminal it is typed with echo off.
 */
export async function readSecretValue(
  name: string,
  stdin: NodeJS.ReadStream = process.stdin,
): Promise<string> {
  const value = stdin.isTTY ? await typed(name, stdin) : await piped(stdin);
  if (value.length === 0) {
    throw new NexaError('invalid_input', `no value for ${name} was given`, {
      hint: `pipe it in: printf %s "$VALUE" | nexa secret set ${name}`,
    });
  }
  return value;
}

/** Everything piped in, without the one newline `echo` adds. */
async function piped(stdin: NodeJS.ReadStream): Promise<string> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    bytes += buffer.length;
    // A newline more is allowed: it is cut below.
    if (bytes > limits.secrets.valueBytes + 2) {
      throw new NexaError(
        'invalid_input',
        `a secret value may be at most ${limits.secrets.valueBytes} bytes`,
      );
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Typed on the terminal, not shown; Enter ends it, Ctrl-C or Ctrl-D gives up. */
function typed(name: string, stdin: NodeJS.ReadStream): Promise<string> {
  process.stderr.write(`value for ${name} (not shown): `);
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (error?: NexaError) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003' || char === '\u0004') {
          return done(new NexaError('invalid_input', `nothing was set: ${name} was not entered`));
        }
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.setRawMode(true);
    stdin.on('data', onData);
    stdin.resume();
  });
}

/** A NAME argument, checked here: a bad name is one line saying what a secret name is. */
export function secretName(arg: string): SecretName {
  const parsed = SecretName.safeParse(arg);
  if (!parsed.success) throw new NexaError('invalid_input', `"${arg}": ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}
