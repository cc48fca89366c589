import type { KeyValue } from './any-value.js';
import { field, keyValues, obj, str, uint, type Obj } from './fields.js';

/** The entity that produced the telemetry (service, host, …). */
export interface OtlpResource {
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
}

/** The instrumentation library that produced it. */
export interface OtlpScope {
  readonly name: string;
  readonly version: string;
  readonly attributes: readonly KeyValue[];
  readonly droppedAttributesCount: number;
}

export function readResource(v: unknown, path: string): OtlpResource {
  const o = obj(v, path);
  if (o === undefined) return { attributes: [], droppedAttributesCount: 0 };
  return {
    attributes: keyValues(o.attributes, `${path}.attributes`),
    droppedAttributesCount: uint(field(o, 'droppedAttributesCount', 'dropped_attributes_count'), path),
  };
}

export function readScope(v: unknown, path: string): OtlpScope {
  const o: Obj | undefined = obj(v, path);
  if (o === undefined) return { name: '', version: '', attributes: [], droppedAttributesCount: 0 };
  return {
    name: str(o.name, `${path}.name`),
    version: str(o.version, `${path}.version`),
    attributes: keyValues(o.attributes, `${path}.attributes`),
    droppedAttributesCount: uint(field(o, 'droppedAttributesCount', 'dropped_attributes_count'), path),
  };
}
