import type { DuckDBValue } from '@duckdb/node-api';
import { keyToken, keyValueToken } from './attr-tokens.js';
import type { SpanPredicate } from './span-predicate.js';

/**
 * Spans live in one table per UTC day of their start (`spans_YYYYMMDD`): retention drops whole
 * days, and a time window reads only its days. Each flush appends its spans in start order with
 * its flush number, so a time slice reads only its rows and a lookup by id only the flushes
 * FlushIndex points at.
 */
export const SPAN_COLUMNS = `tenant VARCHAR NOT NULL, trace_id UHUGEINT NOT NULL, span_id UBIGINT NOT NULL, parent_id UBIGINT NOT NULL,
  start_ns BIGINT NOT NULL, end_ns BIGINT NOT NULL, service VARCHAR NOT NULL, name VARCHAR NOT NULL, kind UTINYINT NOT NULL,
  status UTINYINT NOT NULL, resource_id UBIGINT NOT NULL, scope_id UBIGINT NOT NULL, attrs VARCHAR NOT NULL, payload BLOB NOT NULL,
  flush_no UINTEGER NOT NULL DEFAULT 0`;

/** The columns a span is rebuilt from, in this order. */
export const READ_COLUMNS = 'trace_id, span_id, parent_id, start_ns, end_ns, name, kind, status, resource_id, scope_id, payload, attrs';

const DAY_NS = 86_400_000_000_000n;
export const TABLE_RE = /^spans_(\d{8})$/;

export function dayOf(ns: bigint): number {
  return Number((ns < 0n ? 0n : ns) / DAY_NS);
}

export function tableOfDay(day: number): string {
  const d = new Date(day * 86_400_000);
  const ymd = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}${String(d.getUTCDate()).padStart(2, '0')}`;
  return `spans_${ymd}`;
}

export function dayOfTable(name: string): number | undefined {
  const m = TABLE_RE.exec(name);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]!.slice(0, 4)), Number(m[1]!.slice(4, 6)) - 1, Number(m[1]!.slice(6, 8)));
  return Math.floor(t / 86_400_000);
}

export function dayRange(day: number): { startNs: bigint; endNs: bigint } {
  return { startNs: BigInt(day) * DAY_NS, endNs: BigInt(day + 1) * DAY_NS - 1n };
}

/** Builds a WHERE fragment with positional parameters appended to `params`. */
export class SqlParams {
  readonly values: DuckDBValue[] = [];
  constructor(initial: DuckDBValue[] = []) {
    this.values.push(...initial);
  }
  add(v: DuckDBValue): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

/**
 * The predicate as SQL over a span table; `resourceIds` turns a resource test into the ids
 * that pass it. Regexes go to DuckDB's RE2 (TraceQL's regexes are RE2, fully anchored).
 */
export function predicateSql(p: SpanPredicate, params: SqlParams, resourceIds: (test: Extract<SpanPredicate, { kind: 'resource' }>['test']) => bigint[]): string {
  switch (p.kind) {
    case 'true':
      return 'TRUE';
    case 'false':
      return 'FALSE';
    case 'and':
      return `(${p.items.map((x) => predicateSql(x, params, resourceIds)).join(' AND ')})`;
    case 'or':
      return `(${p.items.map((x) => predicateSql(x, params, resourceIds)).join(' OR ')})`;
    case 'text': {
      const v = params.add(p.value);
      if (p.op === '=') return `${p.column} = ${v}`;
      if (p.op === '!=') return `${p.column} <> ${v}`;
      return `${p.op === '!~' ? 'NOT ' : ''}regexp_full_match(${p.column}, ${v})`;
    }
    case 'enum':
      return `${p.column} ${p.op === '=' ? '=' : '<>'} ${Math.trunc(p.value)}`;
    case 'duration':
      return `(end_ns - start_ns) ${p.op === '!=' ? '<>' : p.op} ${params.add(BigInt(Math.round(p.ns)))}`;
    case 'spanAttr':
      return `contains(attrs, ${params.add(p.value === undefined ? keyToken(p.key) : keyValueToken(p.key, p.value))})`;
    case 'resource': {
      const ids = resourceIds(p.test);
      if (ids.length === 0) return 'FALSE';
      return `resource_id IN (${ids.map((id) => `${id}::UBIGINT`).join(', ')})`;
    }
    case 'root':
      return 'parent_id = 0';
    case 'spanId':
      return `span_id = ${BigInt(`0x${p.id}`)}::UBIGINT`;
  }
}

/** A literal for a hex trace id (ids are ours, validated hex: safe to inline, and exact for 128 bits). */
export function traceIdLiteral(hex: string): string {
  return `${BigInt(`0x${hex}`)}::UHUGEINT`;
}
