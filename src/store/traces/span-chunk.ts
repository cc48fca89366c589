import duckdb from '@duckdb/node-bindings';
import { BIGINT, BLOB, DuckDBDataChunk, UBIGINT, UHUGEINT, UINTEGER, UTINYINT, VARCHAR, type DuckDBAppender } from '@duckdb/node-api';
import type { HeadSpan } from './span-head.js';
import { toI64 } from './span-rows.js';

/**
 * Appends span rows to DuckDB a data chunk (2,048 rows) at a time instead of value by value:
 * the appender's per-value calls cross into native code fifteen times a row, while here the
 * number columns are written into plain typed arrays and copied into the chunk's vectors once
 * per chunk, and so are strings of up to 12 bytes (DuckDB keeps those inline in the 16-byte
 * string entry: tenant, most payloads). Only longer strings (attribute text, most names and
 * services) are handed over one by one. Column order: SPAN_COLUMNS.
 */
const TYPES = [VARCHAR, UHUGEINT, UBIGINT, UBIGINT, BIGINT, BIGINT, VARCHAR, VARCHAR, UTINYINT, UTINYINT, UBIGINT, UBIGINT, VARCHAR, BLOB, UINTEGER];
const C_TENANT = 0;
const C_TRACE = 1;
const C_SPAN = 2;
const C_PARENT = 3;
const C_START = 4;
const C_END = 5;
const C_SERVICE = 6;
const C_NAME = 7;
const C_KIND = 8;
const C_STATUS = 9;
const C_RESOURCE = 10;
const C_SCOPE = 11;
const C_ATTRS = 12;
const C_PAYLOAD = 13;
const C_FLUSH = 14;
const STRING_COLUMNS = [C_TENANT, C_SERVICE, C_NAME, C_ATTRS, C_PAYLOAD] as const;
const INLINE = 12;

/** 8 hex digits at `from` as a number (ids are validated lowercase hex). */
function hexWord(s: string, from: number): number {
  let v = 0;
  for (let i = from; i < from + 8; i++) {
    const c = s.charCodeAt(i);
    v = v * 16 + (c <= 57 ? c - 48 : (c | 0x20) - 87);
  }
  return v;
}

/** A string column staged as DuckDB string entries (16 bytes a row), the long ones kept aside. */
class StringColumn {
  readonly bytes: Uint8Array;
  private readonly view: DataView;
  readonly long: Array<{ row: number; value: string | Uint8Array }> = [];

  constructor(rows: number) {
    this.bytes = new Uint8Array(rows * 16);
    this.view = new DataView(this.bytes.buffer);
  }

  setString(row: number, s: string): void {
    const at = row * 16;
    if (s.length <= INLINE) {
      let ascii = true;
      for (let i = 0; i < s.length; i++) {
        if (s.charCodeAt(i) > 0x7f) {
          ascii = false;
          break;
        }
      }
      if (ascii) {
        this.view.setUint32(at, s.length, true);
        for (let i = 0; i < s.length; i++) this.bytes[at + 4 + i] = s.charCodeAt(i);
        return;
      }
    }
    this.long.push({ row, value: s });
  }

  setBytes(row: number, b: Uint8Array): void {
    if (b.length > INLINE) {
      this.long.push({ row, value: b });
      return;
    }
    const at = row * 16;
    this.view.setUint32(at, b.length, true);
    this.bytes.set(b, at + 4);
  }

  clear(): void {
    this.bytes.fill(0);
    this.long.length = 0;
  }
}

export class SpanChunkWriter {
  private readonly chunk: DuckDBDataChunk;
  private readonly capacity: number;
  private rows = 0;
  private readonly strings: StringColumn[];
  private readonly trace: Uint32Array;
  private readonly span: Uint32Array;
  private readonly parent: Uint32Array;
  private readonly start: BigInt64Array;
  private readonly end: BigInt64Array;
  private readonly kind: Uint8Array;
  private readonly status: Uint8Array;
  private readonly resource: BigUint64Array;
  private readonly scope: BigUint64Array;
  private readonly flush: Uint32Array;

  constructor(private readonly appender: DuckDBAppender) {
    this.capacity = duckdb.vector_size();
    this.chunk = DuckDBDataChunk.create(TYPES);
    const n = this.capacity;
    this.strings = TYPES.map(() => new StringColumn(0));
    for (const c of STRING_COLUMNS) this.strings[c] = new StringColumn(n);
    this.trace = new Uint32Array(n * 4);
    this.span = new Uint32Array(n * 2);
    this.parent = new Uint32Array(n * 2);
    this.start = new BigInt64Array(n);
    this.end = new BigInt64Array(n);
    this.kind = new Uint8Array(n);
    this.status = new Uint8Array(n);
    this.resource = new BigUint64Array(n);
    this.scope = new BigUint64Array(n);
    this.flush = new Uint32Array(n);
  }

  add(tenant: string, s: HeadSpan, flushNo: number): void {
    const r = this.rows;
    this.strings[C_TENANT]!.setString(r, tenant);
    // UHUGEINT: lower 64 bits, then upper, each little-endian (hex is big-endian).
    const t = s.traceId;
    this.trace[r * 4] = hexWord(t, 24);
    this.trace[r * 4 + 1] = hexWord(t, 16);
    this.trace[r * 4 + 2] = hexWord(t, 8);
    this.trace[r * 4 + 3] = hexWord(t, 0);
    this.span[r * 2] = hexWord(s.spanId, 8);
    this.span[r * 2 + 1] = hexWord(s.spanId, 0);
    const p = s.parentSpanId;
    this.parent[r * 2] = p === '' ? 0 : hexWord(p, 8);
    this.parent[r * 2 + 1] = p === '' ? 0 : hexWord(p, 0);
    this.start[r] = toI64(s.startNs);
    this.end[r] = toI64(s.endNs);
    this.strings[C_SERVICE]!.setString(r, s.service);
    this.strings[C_NAME]!.setString(r, s.name);
    this.kind[r] = s.kind;
    this.status[r] = s.status;
    this.resource[r] = s.resourceId;
    this.scope[r] = s.scopeId;
    this.strings[C_ATTRS]!.setString(r, s.attrs);
    this.strings[C_PAYLOAD]!.setBytes(r, s.payload);
    this.flush[r] = flushNo;
    if (++this.rows === this.capacity) this.write();
  }

  /** Appends what is staged (call before closing the appender). */
  write(): void {
    const n = this.rows;
    if (n === 0) return;
    const raw = this.chunk.chunk;
    const copy = (col: number, a: ArrayBufferView, bytesPerRow: number): void => {
      duckdb.copy_data_to_vector(duckdb.data_chunk_get_vector(raw, col), 0, a.buffer as ArrayBuffer, a.byteOffset, n * bytesPerRow);
    };
    copy(C_TRACE, this.trace, 16);
    copy(C_SPAN, this.span, 8);
    copy(C_PARENT, this.parent, 8);
    copy(C_START, this.start, 8);
    copy(C_END, this.end, 8);
    copy(C_KIND, this.kind, 1);
    copy(C_STATUS, this.status, 1);
    copy(C_RESOURCE, this.resource, 8);
    copy(C_SCOPE, this.scope, 8);
    copy(C_FLUSH, this.flush, 4);
    for (const c of STRING_COLUMNS) {
      const col = this.strings[c]!;
      // Inline entries first; the long ones then overwrite their (zeroed) entries.
      copy(c, col.bytes, 16);
      const v = duckdb.data_chunk_get_vector(raw, c);
      for (const l of col.long) {
        if (typeof l.value === 'string') duckdb.vector_assign_string_element(v, l.row, l.value);
        else duckdb.vector_assign_string_element_len(v, l.row, l.value);
      }
      col.clear();
    }
    this.chunk.rowCount = n;
    this.appender.appendDataChunk(this.chunk);
    this.chunk.reset();
    this.rows = 0;
  }
}
