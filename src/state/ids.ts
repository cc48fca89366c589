import { randomBytes } from 'node:crypto';

/**
 * Time-ordered random ids (48-bit ms time + 80 random bits, base32 Crockford, like ULID),
 * so rows sort by creation in both databases and ids are safe in URLs.
 */
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Random bytes drawn in blocks: one call into the CSPRNG per 256 ids instead of one per id (alert intake makes several per alert). */
const POOL = 4096;
let pool = Buffer.alloc(0);
let used = POOL;

function random16(): Buffer {
  if (used + 16 > pool.length) {
    pool = randomBytes(POOL);
    used = 0;
  }
  used += 16;
  return pool.subarray(used - 16, used);
}

export function newId(now = Date.now()): string {
  let out = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  const rnd = random16();
  for (let i = 0; i < 16; i++) out += ALPHABET[rnd[i]! % 32]!;
  return out;
}
