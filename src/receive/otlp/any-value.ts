/**
 * OTLP attribute values in the normalised form every signal uses. Types are kept (an int
 * is not a double) because TraceQL and PromQL-from-OTLP compare them typed; ints are
 * bigint because OTLP ints are 64-bit and values above 2^53 occur in real data.
 */
export type AnyValue =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'int'; readonly value: bigint }
  | { readonly type: 'double'; readonly value: number }
  | { readonly type: 'bytes'; readonly value: Buffer }
  | { readonly type: 'array'; readonly value: readonly AnyValue[] }
  | { readonly type: 'kvlist'; readonly value: readonly KeyValue[] }
  /** An AnyValue with no field set (OTLP allows it; it means "empty"). */
  | { readonly type: 'empty' };

export interface KeyValue {
  readonly key: string;
  readonly value: AnyValue;
}

/** The attribute as a plain JS value (for logs, JSON output): bigint stays bigint. */
export function anyValueToPlain(v: AnyValue): unknown {
  switch (v.type) {
    case 'empty':
      return null;
    case 'bytes':
      return v.value.toString('base64');
    case 'array':
      return v.value.map(anyValueToPlain);
    case 'kvlist':
      return Object.fromEntries(v.value.map((kv) => [kv.key, anyValueToPlain(kv.value)]));
    default:
      return v.value;
  }
}

/** A text form (for labels, log lines): what OTLP-to-Prometheus conversions do. */
export function anyValueToString(v: AnyValue): string {
  switch (v.type) {
    case 'empty':
      return '';
    case 'string':
      return v.value;
    case 'int':
    case 'double':
    case 'bool':
      return String(v.value);
    case 'bytes':
      return v.value.toString('base64');
    default:
      return JSON.stringify(anyValueToPlain(v), (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
  }
}

/** Finds an attribute by key (last one wins, as most OTLP consumers do). */
export function getAttribute(attrs: readonly KeyValue[], key: string): AnyValue | undefined {
  for (let i = attrs.length - 1; i >= 0; i--) if (attrs[i]!.key === key) return attrs[i]!.value;
  return undefined;
}
