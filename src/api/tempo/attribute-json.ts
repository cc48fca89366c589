import type { Val } from '../../query/index.js';

/** A TraceQL value as an OTLP-JSON AnyValue (Tempo's search and metrics answers). */
export function valToAnyValue(v: Val): Record<string, unknown> {
  switch (v.t) {
    case 'string':
      return { stringValue: v.v };
    case 'int':
      return { intValue: v.v.toString() };
    case 'float':
      return { doubleValue: v.v };
    case 'bool':
      return { boolValue: v.v };
    case 'duration':
      return { stringValue: String(v.v) };
    case 'status':
    case 'kind':
      return { stringValue: v.v };
    case 'array':
      return { arrayValue: { values: v.v.map(valToAnyValue) } };
  }
}

/** Tempo's v2 tag value type names. */
export function valTypeName(v: Val): string {
  switch (v.t) {
    case 'float':
      return 'float';
    case 'status':
    case 'kind':
      return 'keyword';
    default:
      return v.t;
  }
}

export function valText(v: Val): string {
  return v.t === 'int' ? v.v.toString() : String(v.v);
}
