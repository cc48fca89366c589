import type { AnyValue } from '../../receive/otlp/index.js';
import type { StaticValue } from './ast.js';

/** A runtime value: a TraceQL static, or an array of them (array attributes). */
export type Val =
  | { readonly t: 'string'; readonly v: string }
  | { readonly t: 'int'; readonly v: bigint }
  | { readonly t: 'float'; readonly v: number }
  | { readonly t: 'bool'; readonly v: boolean }
  | { readonly t: 'duration'; readonly v: number }
  | { readonly t: 'status'; readonly v: string }
  | { readonly t: 'kind'; readonly v: string }
  | { readonly t: 'array'; readonly v: readonly Val[] };

export const KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
export const STATUS_NAMES = ['unset', 'ok', 'error'];

export function fromAnyValue(a: AnyValue | undefined): Val | undefined {
  if (a === undefined) return undefined;
  switch (a.type) {
    case 'string':
      return { t: 'string', v: a.value };
    case 'int':
      return { t: 'int', v: a.value };
    case 'double':
      return { t: 'float', v: a.value };
    case 'bool':
      return { t: 'bool', v: a.value };
    case 'array': {
      const vals: Val[] = [];
      for (const x of a.value) {
        const v = fromAnyValue(x);
        if (v !== undefined && v.t !== 'array') vals.push(v);
      }
      return { t: 'array', v: vals };
    }
    default:
      return undefined;
  }
}

export function fromStatic(s: StaticValue): Val | undefined {
  switch (s.type) {
    case 'nil':
      return undefined;
    case 'int':
      return { t: 'int', v: s.big ?? BigInt(Math.trunc(s.value)) };
    case 'float':
      return { t: 'float', v: s.value };
    default:
      return { t: s.type, v: s.value } as Val;
  }
}

export function asNumber(v: Val): number | undefined {
  if (v.t === 'int') return Number(v.v);
  if (v.t === 'float' || v.t === 'duration') return v.v;
  return undefined;
}

/**
 * Compares two scalars. `strict` is Tempo's storage-level rule for `attribute OP literal`:
 * no conversion between int and float (an int literal never matches a double attribute).
 * Elsewhere (arithmetic results, aggregates) numbers compare numerically.
 */
export function compareScalars(a: Val, b: Val, op: string, strict: boolean, regex?: RegExp): boolean {
  if (op === '=~' || op === '!~') {
    if (a.t !== 'string' || regex === undefined) return false;
    const m = regex.test(a.v);
    return op === '=~' ? m : !m;
  }
  let c: number | undefined;
  if (a.t === 'int' && b.t === 'int') c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
  else if ((a.t === 'string' && b.t === 'string') || (a.t === 'status' && b.t === 'status') || (a.t === 'kind' && b.t === 'kind')) {
    if (op === '=' || op === '!=') c = a.v === b.v ? 0 : 1;
    else if (a.t === 'string') c = a.v < b.v ? -1 : a.v > b.v ? 1 : 0;
    else return false;
  } else if (a.t === 'bool' && b.t === 'bool') {
    if (op !== '=' && op !== '!=') return false;
    c = a.v === b.v ? 0 : 1;
  } else {
    const x = asNumber(a);
    const y = asNumber(b);
    if (x === undefined || y === undefined) return false;
    if (strict && a.t !== b.t && !(a.t === 'duration' || b.t === 'duration')) return false;
    if (Number.isNaN(x) || Number.isNaN(y)) return false;
    c = x < y ? -1 : x > y ? 1 : 0;
  }
  switch (op) {
    case '=':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
    default:
      return false;
  }
}

/** Go's time.Duration String(), which Tempo uses for duration aggregates. */
export function formatGoDuration(ns: number): string {
  if (ns === 0) return '0s';
  const neg = ns < 0;
  let u = Math.abs(Math.trunc(ns));
  const sign = neg ? '-' : '';
  if (u < 1e3) return `${sign}${u}ns`;
  if (u < 1e6) return `${sign}${trimFrac(u / 1e3)}µs`;
  if (u < 1e9) return `${sign}${trimFrac(u / 1e6)}ms`;
  let out = '';
  const h = Math.floor(u / 3600e9);
  u -= h * 3600e9;
  const m = Math.floor(u / 60e9);
  u -= m * 60e9;
  if (h > 0) out += `${h}h`;
  if (h > 0 || m > 0) out += `${m}m`;
  const secs = Math.floor(u / 1e9);
  const frac = u - secs * 1e9;
  out += frac === 0 ? `${secs}s` : `${secs}.${String(frac).padStart(9, '0').replace(/0+$/, '')}s`;
  return sign + out;
}

function trimFrac(x: number): string {
  return x.toFixed(6).replace(/\.?0+$/, '');
}
