import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { NexaError } from '@nexa/core';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A secret is bound to where it belongs: its project and name are the
 * associated data, so a sealed value copied to another row does not open.
 */
function associatedData(project: string, name: string): Buffer {
  return Buffer.from(`${project}\0${name}`, 'utf8');
}

/** base64(iv | tag | ciphertext) of `value`, AES-256-GCM under `key`. */
export function seal(key: Uint8Array, project: string, name: string, value: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(associatedData(project, name));
  const ciphertext = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]).toString('base64');
}

/**
 * The value `seal` sealed. A wrong key, a changed byte, or a value sealed for
 * another project or name is refused (`internal`, one line), never returned wrong.
 */
export function unseal(key: Uint8Array, project: string, name: string, sealed: string): string {
  const bytes = Buffer.from(sealed, 'base64');
  const refused = new NexaError(
    'internal',
    `secret ${name} of project ${project} cannot be opened with this coordinator's key`,
    {
      hint: 'the data dir’s secret.key is not the one it was set with: restore that key, or set the secret again',
    },
  );
  if (bytes.length < IV_BYTES + TAG_BYTES) throw refused;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES));
    decipher.setAAD(associatedData(project, name));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    throw refused;
  }
}
