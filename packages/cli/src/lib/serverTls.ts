import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { NexaError } from '@nexa/core';
import { Flags } from '@oclif/core';

/** Flags of the commands that start a coordinator: its certificate, or consent to go without one. */
export const serverTlsFlags = {
  'tls-cert': Flags.string({
    description:
      "Serve https and wss with this certificate (PEM; the chain after the server's own). Needs --tls-key.",
    dependsOn: ['tls-key'],
  }),
  'tls-key': Flags.string({
    description: "The certificate's private key (PEM). Keep it readable by the server's user only.",
    dependsOn: ['tls-cert'],
  }),
  insecure: Flags.boolean({
    description:
      'Allow --host beyond loopback without TLS: tokens, task output, secrets and approvals then cross the network in the clear.',
    default: false,
  }),
};

async function readPem(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new NexaError('config', `cannot read ${flag} ${file} (${(error as NodeJS.ErrnoException).code})`, {
      hint: `point ${flag} at a PEM file this user can read`,
    });
  }
}

/** The certificate and key from --tls-cert/--tls-key, read and checked to belong together; undefined without them. */
export async function serverTls(flags: {
  'tls-cert'?: string | undefined;
  'tls-key'?: string | undefined;
}): Promise<{ cert: string; key: string } | undefined> {
  const certFile = flags['tls-cert'];
  const keyFile = flags['tls-key'];
  if (certFile === undefined || keyFile === undefined) return undefined;
  const [cert, key] = await Promise.all([readPem(certFile, '--tls-cert'), readPem(keyFile, '--tls-key')]);
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    // OpenSSL's words ("no start line", "key values mismatch") are the useful part.
    const why = (error as Error).message.replace(/^error:[0-9A-F]+:/i, '');
    throw new NexaError('config', `--tls-cert ${certFile} and --tls-key ${keyFile} cannot be used: ${why}`, {
      hint: 'pass a PEM certificate and the private key it was made for',
    });
  }
  return { cert, key };
}
