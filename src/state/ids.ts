import { randomBytes } from 'node:crypto';

/**
 * Time-ordered random ids (48-bit ms time + 80 random bits, base32 Crockford, like ULID),
 * so rows sort by creation in both databases and ids are safe in URLs.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function newId(now = Date.now()): string {
  let out = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  const rnd = randomBytes(16);
  for (let i = 0; i < 16; i++) out += ALPHABET[rnd[i]! % 32]!;
  return out;
}
