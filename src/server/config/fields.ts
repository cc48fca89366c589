import { z } from 'zod';
import { tryParseBytes, tryParseDuration } from '../../model/index.js';

/**
 * Builders for configuration fields. Each records how it is documented and how an
 * `ICHIGEN_*` environment value is read into it, so the README table and the env
 * overrides come from the schema itself and cannot drift.
 */
export type FieldKind = 'string' | 'secret' | 'boolean' | 'integer' | 'number' | 'duration' | 'bytes' | 'enum' | 'list' | 'structured';

export interface FieldDoc {
  readonly kind: FieldKind;
  readonly description: string;
  /** Display form of the default ('' when none). */
  readonly defaultText: string;
  readonly typeText: string;
}

export const FIELD_DOCS = new WeakMap<z.ZodTypeAny, FieldDoc>();

function field<T extends z.ZodTypeAny>(schema: T, doc: FieldDoc): T {
  FIELD_DOCS.set(schema, doc);
  return schema;
}

export function str(def: string, description: string): z.ZodDefault<z.ZodString> {
  return field(z.string().default(def), { kind: 'string', description, defaultText: def === '' ? '""' : def, typeText: 'string' });
}

/** A string that is never shown in docs' defaults or in logs. */
export function secret(description: string): z.ZodDefault<z.ZodString> {
  return field(z.string().default(''), { kind: 'secret', description, defaultText: '""', typeText: 'string (secret)' });
}

export function bool(def: boolean, description: string): z.ZodDefault<z.ZodBoolean> {
  return field(z.boolean().default(def), { kind: 'boolean', description, defaultText: String(def), typeText: 'boolean' });
}

export function int(def: number, description: string, range: { min?: number; max?: number } = {}): z.ZodDefault<z.ZodNumber> {
  let s = z.number().int();
  if (range.min !== undefined) s = s.min(range.min);
  if (range.max !== undefined) s = s.max(range.max);
  return field(s.default(def), { kind: 'integer', description, defaultText: String(def), typeText: 'integer' });
}

export function num(def: number, description: string, range: { min?: number; max?: number } = {}): z.ZodDefault<z.ZodNumber> {
  let s = z.number();
  if (range.min !== undefined) s = s.min(range.min);
  if (range.max !== undefined) s = s.max(range.max);
  return field(s.default(def), { kind: 'number', description, defaultText: String(def), typeText: 'number' });
}

/** A Prometheus-style duration (`15s`, `1h30m`, `7d`), parsed to milliseconds. */
export function duration(def: string, description: string): z.ZodType<number, z.ZodTypeDef, unknown> {
  const s = z
    .union([z.string(), z.number()])
    .default(def)
    .transform((v, ctx) => {
      const ms = typeof v === 'number' ? v * 1000 : tryParseDuration(v);
      if (ms === undefined || ms < 0) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a duration such as 15s, 5m, 1h30m or 7d, got "${String(v)}"` });
        return z.NEVER;
      }
      return ms;
    });
  return field(s, { kind: 'duration', description, defaultText: def, typeText: 'duration' });
}

/** A size (`512MiB`, `10GB`, or bytes), parsed to bytes. */
export function bytes(def: string, description: string): z.ZodType<number, z.ZodTypeDef, unknown> {
  const s = z
    .union([z.string(), z.number()])
    .default(def)
    .transform((v, ctx) => {
      const n = typeof v === 'number' ? v : tryParseBytes(v);
      if (n === undefined || n < 0) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a size such as 512MiB, 10GB or a byte count, got "${String(v)}"` });
        return z.NEVER;
      }
      return n;
    });
  return field(s, { kind: 'bytes', description, defaultText: def, typeText: 'size' });
}

export function oneOf<const T extends readonly [string, ...string[]]>(values: T, def: T[number], description: string): z.ZodDefault<z.ZodEnum<z.Writeable<T>>> {
  return field(z.enum(values).default(def as never), { kind: 'enum', description, defaultText: def, typeText: values.join(' \\| ') });
}

export function stringList(def: readonly string[], description: string): z.ZodDefault<z.ZodArray<z.ZodString>> {
  return field(z.array(z.string()).default([...def]), {
    kind: 'list',
    description,
    defaultText: def.length === 0 ? '[]' : `[${def.join(', ')}]`,
    typeText: 'list of strings',
  });
}

/** Anything richer (scrape configs, routes): documented by a type name and a pointer. */
export function structured<T extends z.ZodTypeAny>(schema: T, typeText: string, defaultText: string, description: string): T {
  return field(schema, { kind: 'structured', description, defaultText, typeText });
}

/** A section of the file: unknown keys are errors (a typo must not be silently ignored). */
export function section<S extends z.ZodRawShape>(shape: S) {
  return z.object(shape).strict().default({} as never);
}
