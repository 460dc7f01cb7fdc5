import { randomBytes } from 'node:crypto';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/**
 * Short, time-ordered ids (`t-` + 6 chars of milliseconds + 6 random chars):
 * they sort by creation in listings and are easy to type in `nexa logs ID`.
 */
export function newId(prefix: 't' | 'w' | 'k' | 'a' | 'h' | 'm'): string {
  let time = Date.now();
  let timePart = '';
  for (let i = 0; i < 9; i++) {
    timePart = alphabet[time % 32] + timePart;
    time = Math.floor(time / 32);
  }
  const random = randomBytes(6);
  let randomPart = '';
  for (const byte of random) randomPart += alphabet[byte % 32];
  return `${prefix}-${timePart}${randomPart}`;
}
