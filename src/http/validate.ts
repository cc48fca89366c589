import type { ZodType, ZodTypeDef } from 'zod';
import { IchigenError } from '../model/index.js';

/** Validates a request part with zod; the error names every offending field. */
export function parseWith<T>(schema: ZodType<T, ZodTypeDef, unknown>, value: unknown, what = 'body'): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : what}: ${i.message}`);
  throw new IchigenError('INVALID_PARAMETER', `invalid ${what}: ${problems.join('; ')}`);
}
