import { IchigenError } from '../../model/index.js';
import type { AnyValue, KeyValue } from './any-value.js';

/**
 * Readers shared by the protobuf and the JSON path. A protobufjs-decoded message and an
 * OTLP/JSON object have the same lowerCamelCase field names; they differ in how bytes
 * (Buffer vs hex/base64 text), 64-bit numbers (Long vs string/number) and enums (number vs
 * number or name) arrive. Each reader accepts both, so one converter serves both encodings.
 * Set fields are own properties in both (protobufjs keeps defaults on the prototype).
 */
export type Obj = Record<string, unknown>;

export function bad(path: string, problem: string): IchigenError {
  return new IchigenError('INVALID_BODY', `invalid OTLP payload at ${path}: ${problem}`);
}

/** Field by lowerCamelCase name, or its snake_case original (accepted in OTLP/JSON). */
export function field(o: Obj, camel: string, snake?: string): unknown {
  // Own properties only: a protobufjs message answers unset fields from its prototype.
  if (Object.hasOwn(o, camel)) return o[camel];
  return snake !== undefined && Object.hasOwn(o, snake) ? o[snake] : undefined;
}

export function obj(v: unknown, path: string): Obj | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(path, 'expected an object');
  return v as Obj;
}

export function list(v: unknown, path: string): readonly unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw bad(path, 'expected an array');
  return v;
}

export function str(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw bad(path, 'expected a string');
  return v;
}

const HEX_RE = /^[0-9a-fA-F]*$/;

/**
 * An id (trace 16 bytes, span 8 bytes) as lowercase hex; '' when absent or empty. OTLP/JSON
 * sends ids as hex (not base64, unlike generic protobuf JSON).
 */
export function id(v: unknown, bytes: number, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') {
    if (v === '') return '';
    if (v.length !== bytes * 2 || !HEX_RE.test(v)) throw bad(path, `expected ${bytes * 2} hex digits, got "${v.slice(0, 48)}"`);
    return v.toLowerCase();
  }
  // protobufjs' default for an unset bytes field is an empty array on the prototype.
  if (Array.isArray(v) && v.length === 0) return '';
  if (v instanceof Uint8Array) {
    if (v.length === 0) return '';
    if (v.length !== bytes) throw bad(path, `expected ${bytes} bytes, got ${v.length}`);
    return Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex');
  }
  throw bad(path, 'expected a hex string');
}

interface LongLike {
  readonly low: number;
  readonly high: number;
  readonly unsigned?: boolean;
}

const DEC_RE = /^-?\d+$/;

/** A 64-bit integer: protobufjs Long, decimal string, or JSON number. */
export function int64(v: unknown, path: string, unsigned = false): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || !Number.isInteger(v)) throw bad(path, `expected an integer, got ${v}`);
    return BigInt(v);
  }
  if (typeof v === 'string') {
    if (!DEC_RE.test(v)) throw bad(path, `expected an integer, got "${v.slice(0, 40)}"`);
    return BigInt(v);
  }
  if (typeof v === 'object' && typeof (v as LongLike).low === 'number') {
    const l = v as LongLike;
    const raw = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
    return unsigned || l.unsigned === true ? raw : BigInt.asIntN(64, raw);
  }
  throw bad(path, 'expected an integer');
}

/** A small unsigned counter (uint32 / fixed32 / count fields that fit a JS number). */
export function uint(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v) && v >= 0) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return Number(v);
  if (typeof v === 'object') return Number(int64(v, path, true));
  throw bad(path, 'expected a non-negative integer');
}

export function double(v: unknown, path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  // proto3 JSON writes non-finite doubles as strings.
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  throw bad(path, 'expected a number');
}

export function bool(v: unknown, path: string): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  throw bad(path, 'expected true or false');
}

/** An enum: number, or its name (proto3 JSON permits names; OTLP/JSON senders use numbers). */
export function enumValue(v: unknown, names: readonly string[], path: string): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string') {
    const i = names.indexOf(v);
    if (i >= 0) return i;
    if (/^\d+$/.test(v)) return Number(v);
  }
  throw bad(path, `expected one of ${names.join(', ')} or its number, got ${JSON.stringify(v)?.slice(0, 40)}`);
}

function bytesValue(v: unknown, path: string): Buffer {
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length);
  if (typeof v === 'string') return Buffer.from(v, 'base64');
  throw bad(path, 'expected base64 bytes');
}

const MAX_DEPTH = 32;

export function anyValue(v: unknown, path: string, depth = 0): AnyValue {
  const o = obj(v, path);
  if (o === undefined) return { type: 'empty' };
  if (depth > MAX_DEPTH) throw bad(path, `values nested deeper than ${MAX_DEPTH} levels`);
  let x: unknown;
  if ((x = field(o, 'stringValue', 'string_value')) !== undefined) return { type: 'string', value: str(x, path) };
  if ((x = field(o, 'intValue', 'int_value')) !== undefined) return { type: 'int', value: int64(x, path) };
  if ((x = field(o, 'doubleValue', 'double_value')) !== undefined) return { type: 'double', value: double(x, path) };
  if ((x = field(o, 'boolValue', 'bool_value')) !== undefined) return { type: 'bool', value: bool(x, path) };
  if ((x = field(o, 'arrayValue', 'array_value')) !== undefined) {
    const vals = list(obj(x, path)?.values, `${path}.values`);
    return { type: 'array', value: vals.map((e, i) => anyValue(e, `${path}[${i}]`, depth + 1)) };
  }
  if ((x = field(o, 'kvlistValue', 'kvlist_value')) !== undefined) {
    return { type: 'kvlist', value: keyValues(obj(x, path)?.values, path, depth + 1) };
  }
  if ((x = field(o, 'bytesValue', 'bytes_value')) !== undefined) return { type: 'bytes', value: bytesValue(x, path) };
  return { type: 'empty' };
}

export function keyValues(v: unknown, path: string, depth = 0): KeyValue[] {
  const items = list(v, path);
  const out: KeyValue[] = new Array<KeyValue>(items.length);
  for (let i = 0; i < items.length; i++) {
    const kv = obj(items[i], `${path}[${i}]`);
    if (kv === undefined) throw bad(`${path}[${i}]`, 'expected a key/value object');
    out[i] = { key: str(kv.key, `${path}[${i}].key`), value: anyValue(kv.value, `${path}[${i}].value`, depth) };
  }
  return out;
}
