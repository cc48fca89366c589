import { createHash, randomBytes } from 'node:crypto';

/** API tokens carry a recognisable prefix so secret scanners and our Basic-auth path spot them. */
export const API_TOKEN_PREFIX = 'igt_';

export function newSecret(prefix = ''): string {
  return prefix + randomBytes(24).toString('base64url');
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

export function looksLikeApiToken(value: string): boolean {
  return value.startsWith(API_TOKEN_PREFIX) && value.length > API_TOKEN_PREFIX.length + 16;
}
