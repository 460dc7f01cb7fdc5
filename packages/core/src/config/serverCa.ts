import { readFile } from 'node:fs/promises';
import { NexaError } from '../errors.js';

/** A CA bundle is a few KiB; anything past this is the wrong file. */
const MAX_CA_BYTES = 1024 * 1024;

/**
 * The PEM text of the CA file a client trusts the coordinator with (--ca,
 * NEXA_CA, or the credentials file's `ca`); `source` names where the path
 * came from, for the one line a bad file gets.
 */
export async function readServerCa(path: string, source: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new NexaError(
      'config',
      `cannot read the CA file ${path} (${source}): ${(error as NodeJS.ErrnoException).code}`,
      {
        hint: 'point --ca or NEXA_CA at the PEM certificate of the CA that signed the server certificate',
      },
    );
  }
  if (text.length > MAX_CA_BYTES || !text.includes('-----BEGIN CERTIFICATE-----')) {
    throw new NexaError('config', `the CA file ${path} (${source}) holds no PEM certificate`, {
      hint: 'pass the CA certificate (-----BEGIN CERTIFICATE-----), not its key or the server certificate request',
    });
  }
  return text;
}
