import { z } from 'zod';
import { FIELD_DOCS, type FieldDoc } from './fields.js';

export interface ConfigLeaf {
  /** Dotted key path, e.g. `server.listen`. */
  readonly path: string;
  /** The environment variable that overrides it, e.g. `ICHIGEN_SERVER_LISTEN`. */
  readonly env: string;
  readonly doc: FieldDoc;
}

function unwrapObject(schema: z.ZodTypeAny): z.ZodObject<z.ZodRawShape> | undefined {
  let s: z.ZodTypeAny = schema;
  for (;;) {
    if (s instanceof z.ZodObject) return s as z.ZodObject<z.ZodRawShape>;
    if (s instanceof z.ZodDefault) s = s._def.innerType as z.ZodTypeAny;
    else if (s instanceof z.ZodOptional) s = s.unwrap() as z.ZodTypeAny;
    else if (s instanceof z.ZodEffects) s = s._def.schema as z.ZodTypeAny;
    else return undefined;
  }
}

export function envName(path: string): string {
  return 'ICHIGEN_' + path.toUpperCase().replace(/\./g, '_');
}

/** Every documented leaf of the schema, in declaration order. */
export function configLeaves(schema: z.ZodTypeAny, prefix = ''): ConfigLeaf[] {
  const out: ConfigLeaf[] = [];
  const doc = FIELD_DOCS.get(schema);
  if (doc !== undefined && prefix !== '') return [{ path: prefix, env: envName(prefix), doc }];
  const obj = unwrapObject(schema);
  if (!obj) return out;
  for (const [key, child] of Object.entries(obj.shape)) {
    out.push(...configLeaves(child as z.ZodTypeAny, prefix === '' ? key : `${prefix}.${key}`));
  }
  return out;
}
