import type { AnyValue, KeyValue, OtlpResource, OtlpScope, OtlpSpanEvent, OtlpSpanLink } from '../../receive/otlp/index.js';

/**
 * The trace store's own compact binary form of what a span row does not keep in columns
 * (typed attributes, events, links, status message, trace state, flags, dropped counts) and
 * of resources and scopes. Written and read with plain Buffer calls: protobuf per span cost
 * more than the rest of a flush together.
 */
class Writer {
  private buf = Buffer.allocUnsafe(512);
  private pos = 0;

  /** Starts over (the span payload writer is reused: one buffer, not one per span). */
  reset(): this {
    this.pos = 0;
    return this;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }
  u8(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }
  uv(v: number): void {
    this.ensure(10);
    let x = v;
    while (x >= 0x80) {
      this.buf[this.pos++] = (x & 0x7f) | 0x80;
      x = Math.floor(x / 128);
    }
    this.buf[this.pos++] = x;
  }
  i64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigInt64LE(BigInt.asIntN(64, v), this.pos);
    this.pos += 8;
  }
  u64(v: bigint): void {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, v), this.pos);
    this.pos += 8;
  }
  f64(v: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(v, this.pos);
    this.pos += 8;
  }
  str(s: string): void {
    const n = Buffer.byteLength(s, 'utf8');
    this.uv(n);
    this.ensure(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }
  bytes(b: Uint8Array): void {
    this.uv(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }
  /** Hex text of a fixed width, as raw bytes ('' as zero bytes). */
  hex(h: string, bytes: number): void {
    this.ensure(bytes);
    if (h === '') this.buf.fill(0, this.pos, this.pos + bytes);
    else this.buf.write(h, this.pos, bytes, 'hex');
    this.pos += bytes;
  }
  done(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}

class Reader {
  private pos = 0;
  constructor(private readonly buf: Uint8Array) {}
  private view = (): Buffer => Buffer.from(this.buf.buffer, this.buf.byteOffset, this.buf.byteLength);
  u8(): number {
    return this.buf[this.pos++]!;
  }
  uv(): number {
    let out = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.pos++]!;
      out += (b & 0x7f) * mul;
      if (b < 0x80) return out;
      mul *= 128;
    }
  }
  i64(): bigint {
    const v = this.view().readBigInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  u64(): bigint {
    const v = this.view().readBigUInt64LE(this.pos);
    this.pos += 8;
    return v;
  }
  f64(): number {
    const v = this.view().readDoubleLE(this.pos);
    this.pos += 8;
    return v;
  }
  str(): string {
    const n = this.uv();
    const s = this.view().toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  bytes(): Buffer {
    const n = this.uv();
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return b;
  }
  hex(bytes: number): string {
    const h = this.view().toString('hex', this.pos, this.pos + bytes);
    this.pos += bytes;
    return /^0+$/.test(h) ? '' : h;
  }
}

const T_EMPTY = 0;
const T_STRING = 1;
const T_BOOL = 2;
const T_INT = 3;
const T_DOUBLE = 4;
const T_BYTES = 5;
const T_ARRAY = 6;
const T_KVLIST = 7;

function writeValue(w: Writer, v: AnyValue): void {
  switch (v.type) {
    case 'empty':
      w.u8(T_EMPTY);
      return;
    case 'string':
      w.u8(T_STRING);
      w.str(v.value);
      return;
    case 'bool':
      w.u8(T_BOOL);
      w.u8(v.value ? 1 : 0);
      return;
    case 'int':
      w.u8(T_INT);
      w.i64(v.value);
      return;
    case 'double':
      w.u8(T_DOUBLE);
      w.f64(v.value);
      return;
    case 'bytes':
      w.u8(T_BYTES);
      w.bytes(v.value);
      return;
    case 'array':
      w.u8(T_ARRAY);
      w.uv(v.value.length);
      for (const x of v.value) writeValue(w, x);
      return;
    case 'kvlist':
      w.u8(T_KVLIST);
      writeKeyValues(w, v.value);
  }
}

function readValue(r: Reader): AnyValue {
  const t = r.u8();
  switch (t) {
    case T_STRING:
      return { type: 'string', value: r.str() };
    case T_BOOL:
      return { type: 'bool', value: r.u8() === 1 };
    case T_INT:
      return { type: 'int', value: r.i64() };
    case T_DOUBLE:
      return { type: 'double', value: r.f64() };
    case T_BYTES:
      return { type: 'bytes', value: r.bytes() };
    case T_ARRAY: {
      const n = r.uv();
      const out: AnyValue[] = new Array<AnyValue>(n);
      for (let i = 0; i < n; i++) out[i] = readValue(r);
      return { type: 'array', value: out };
    }
    case T_KVLIST:
      return { type: 'kvlist', value: readKeyValues(r) };
    default:
      return { type: 'empty' };
  }
}

function writeKeyValues(w: Writer, list: readonly KeyValue[]): void {
  w.uv(list.length);
  for (const kv of list) {
    w.str(kv.key);
    writeValue(w, kv.value);
  }
}

function readKeyValues(r: Reader): KeyValue[] {
  const n = r.uv();
  const out: KeyValue[] = new Array<KeyValue>(n);
  for (let i = 0; i < n; i++) {
    const key = r.str();
    out[i] = { key, value: readValue(r) };
  }
  return out;
}

/** One attribute value in this binary form (for values the attribute text keeps opaque). */
export function encodeValue(v: AnyValue): Buffer {
  const w = new Writer();
  writeValue(w, v);
  return w.done();
}

export function decodeValue(buf: Uint8Array): AnyValue {
  return readValue(new Reader(buf));
}

/** What a span row keeps outside its columns. */
export interface SpanPayload {
  readonly attributes: readonly KeyValue[] | undefined;
  readonly droppedAttributesCount: number;
  readonly events: readonly OtlpSpanEvent[];
  readonly droppedEventsCount: number;
  readonly links: readonly OtlpSpanLink[];
  readonly droppedLinksCount: number;
  readonly statusMessage: string;
  readonly traceState: string;
  readonly flags: number;
}

const VERSION = 1;
/** Span payloads from version 2 on leave the attributes to the attribute text column. */
const SPAN_VERSION = 2;

const spanWriter = new Writer();
/** Payloads of spans without events, links, status message or trace state, by flags (most spans). */
const plainPayloads = new Map<number, Buffer>();

export function encodeSpanPayload(p: Omit<SpanPayload, 'attributes'>): Buffer {
  const plain =
    p.droppedAttributesCount === 0 && p.events.length === 0 && p.droppedEventsCount === 0 && p.links.length === 0 && p.droppedLinksCount === 0 && p.statusMessage === '' && p.traceState === '';
  if (plain) {
    // Shared: payloads are never written to after they are made.
    const known = plainPayloads.get(p.flags);
    if (known !== undefined) return known;
  }
  const out = writeSpanPayload(spanWriter.reset(), p);
  if (plain && plainPayloads.size < 64) plainPayloads.set(p.flags, out);
  return out;
}

function writeSpanPayload(w: Writer, p: Omit<SpanPayload, 'attributes'>): Buffer {
  w.u8(SPAN_VERSION);
  w.uv(p.droppedAttributesCount);
  w.uv(p.events.length);
  for (const e of p.events) {
    w.i64(e.timeUnixNano);
    w.str(e.name);
    writeKeyValues(w, e.attributes);
    w.uv(e.droppedAttributesCount);
  }
  w.uv(p.droppedEventsCount);
  w.uv(p.links.length);
  for (const l of p.links) {
    w.hex(l.traceId, 16);
    w.hex(l.spanId, 8);
    w.str(l.traceState);
    writeKeyValues(w, l.attributes);
    w.uv(l.droppedAttributesCount);
    w.uv(l.flags);
  }
  w.uv(p.droppedLinksCount);
  w.str(p.statusMessage);
  w.str(p.traceState);
  w.uv(p.flags);
  return w.done();
}

/** `attributes` is undefined from version 2 on (they come from the attribute text). */
export function decodeSpanPayload(buf: Uint8Array): Omit<SpanPayload, 'attributes'> & { attributes: KeyValue[] | undefined } {
  const r = new Reader(buf);
  const version = r.u8();
  if (version !== 1 && version !== SPAN_VERSION) throw new Error(`unknown span payload version ${version}`);
  const attributes = version === 1 ? readKeyValues(r) : undefined;
  const droppedAttributesCount = r.uv();
  const nEvents = r.uv();
  const events: OtlpSpanEvent[] = [];
  for (let i = 0; i < nEvents; i++) {
    const timeUnixNano = r.i64();
    const name = r.str();
    events.push({ timeUnixNano, name, attributes: readKeyValues(r), droppedAttributesCount: r.uv() });
  }
  const droppedEventsCount = r.uv();
  const nLinks = r.uv();
  const links: OtlpSpanLink[] = [];
  for (let i = 0; i < nLinks; i++) {
    const traceId = r.hex(16);
    const spanId = r.hex(8);
    const traceState = r.str();
    links.push({ traceId, spanId, traceState, attributes: readKeyValues(r), droppedAttributesCount: r.uv(), flags: r.uv() });
  }
  const droppedLinksCount = r.uv();
  const statusMessage = r.str();
  const traceState = r.str();
  const flags = r.uv();
  return { attributes, droppedAttributesCount, events, droppedEventsCount, links, droppedLinksCount, statusMessage, traceState, flags };
}

export function encodeResource(r: OtlpResource, schemaUrl: string): Buffer {
  const w = new Writer();
  w.u8(VERSION);
  writeKeyValues(w, r.attributes);
  w.uv(r.droppedAttributesCount);
  w.str(schemaUrl);
  return w.done();
}

export function decodeResource(buf: Uint8Array): { resource: OtlpResource; schemaUrl: string } {
  const r = new Reader(buf);
  r.u8();
  const attributes = readKeyValues(r);
  const droppedAttributesCount = r.uv();
  return { resource: { attributes, droppedAttributesCount }, schemaUrl: r.str() };
}

export function encodeScope(s: OtlpScope, schemaUrl: string): Buffer {
  const w = new Writer();
  w.u8(VERSION);
  w.str(s.name);
  w.str(s.version);
  writeKeyValues(w, s.attributes);
  w.uv(s.droppedAttributesCount);
  w.str(schemaUrl);
  return w.done();
}

export function decodeScope(buf: Uint8Array): { scope: OtlpScope; schemaUrl: string } {
  const r = new Reader(buf);
  r.u8();
  const name = r.str();
  const version = r.str();
  const attributes = readKeyValues(r);
  const droppedAttributesCount = r.uv();
  return { scope: { name, version, attributes, droppedAttributesCount }, schemaUrl: r.str() };
}
