import { IchigenError, type Labels } from '../../model/index.js';
import type { LogStore } from '../../store/logs/index.js';
import { LabelsBuilder } from './labels-builder.js';
import { parseLogQL } from './parse.js';
import { compilePipeline } from './pipeline.js';
import { compileStage } from './stages.js';
import { parseGoDuration, parseGoFloat, parseHumanBytes } from './units.js';

/** The value types Loki's detected_fields reports. */
export type DetectedFieldType = 'string' | 'int' | 'float' | 'boolean' | 'duration' | 'bytes';

export interface DetectedField {
  readonly label: string;
  readonly type: DetectedFieldType;
  readonly cardinality: number;
  /** `json`/`logfmt` for fields found by parsing lines; empty for structured metadata. */
  readonly parsers: readonly string[];
}

export interface DetectedFieldsRequest {
  readonly tenant: string;
  /** A log query: a stream selector, optionally with a pipeline (its parsers add fields). */
  readonly query: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** Newest lines read (Loki's `line_limit`). */
  readonly lineLimit: number;
  /** Most fields reported, or values per field (Loki's `limit`). */
  readonly limit: number;
}

/** The first window read back from the end of the range; each next one is 4× longer. */
const FIRST_WINDOW_NS = 5n * 60n * 1_000_000_000n;
const INT_RE = /^[+-]?\d+$/;
const BOOLS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);

/** Loki's type guess for one value: int, float, boolean, duration, bytes, else string. */
export function fieldTypeOf(value: string): DetectedFieldType {
  if (INT_RE.test(value)) {
    const n = BigInt(value);
    if (n <= 9223372036854775807n && n >= -9223372036854775808n) return 'int';
  }
  if (parseGoFloat(value) !== undefined) return 'float';
  if (BOOLS.has(value)) return 'boolean';
  if (parseGoDuration(value) !== undefined) return 'duration';
  if (parseHumanBytes(value) !== undefined) return 'bytes';
  return 'string';
}

/** Two guesses for one field: ints and floats are floats; any other mix is a string. */
function unify(a: DetectedFieldType, b: DetectedFieldType): DetectedFieldType {
  if (a === b) return a;
  if ((a === 'int' && b === 'float') || (a === 'float' && b === 'int')) return 'float';
  return 'string';
}

/** One entry as the detection sees it: its metadata and every field parsed from it. */
interface EntryFields {
  readonly metadata: Labels;
  /** Parsed fields with the parser that found them ('' when only the query's own stages did). */
  readonly parsed: Map<string, string>;
  readonly parser: string;
}

const JSON_STAGE = compileStage({ kind: 'json', params: [] });
const LOGFMT_STAGE = compileStage({ kind: 'logfmt', strict: false, keepEmpty: false, params: [] });

/**
 * Fields of a line found the way Loki's detected_fields finds them: the json parser, and when
 * the line is not JSON, the lenient logfmt parser; keys that repeat a stream label get
 * `_extracted`. Empty values are no field.
 */
function parseLine(line: string, stream: Labels): { fields: Map<string, string>; parser: string } {
  for (const [stage, parser] of [
    [JSON_STAGE, 'json'],
    [LOGFMT_STAGE, 'logfmt'],
  ] as const) {
    const lb = new LabelsBuilder(stream, []);
    stage.process(line, 0n, lb);
    if (lb.err === '') {
      const fields = new Map<string, string>();
      for (const [k, v] of lb.parsed) if (v !== '') fields.set(k, v);
      return { fields, parser };
    }
  }
  return { fields: new Map(), parser: '' };
}

/**
 * The newest `lineLimit` entries the log query keeps, each with its structured metadata and
 * its parsed fields (from the query's parsers and from parsing the line).
 */
async function sampleEntries(store: LogStore, req: DetectedFieldsRequest): Promise<EntryFields[]> {
  const expr = parseLogQL(req.query);
  if (expr.kind !== 'log') throw new IchigenError('INVALID_PARAMETER', 'detected fields need a log query (a stream selector with an optional pipeline), not a metric query');
  const pipeline = compilePipeline(expr);
  const rows: Array<{ ts: bigint; line: string; stream: Labels; metadata: Labels; queryParsed: Map<string, string> }> = [];
  // Only the newest lines count: read backwards in growing windows, not the whole range.
  let windowNs = FIRST_WINDOW_NS;
  for (let to = req.endNs; to > req.startNs && rows.length < req.lineLimit; windowNs *= 4n) {
    const from = to - windowNs > req.startNs ? to - windowNs : req.startNs;
    const selected = await store.select({ tenant: req.tenant, matchers: expr.matchers, startNs: from, endNs: to, mustContain: pipeline.mustContain });
    const batch: typeof rows = [];
    for (const s of selected) {
      for (const e of s.entries) {
        const r = pipeline.run(e.line, e.tsNs, s.stream.labels, e.metadata);
        if (r) batch.push({ ts: e.tsNs, line: e.line, stream: s.stream.labels, metadata: e.metadata, queryParsed: r.lb.parsed });
      }
    }
    batch.sort((a, b) => (a.ts === b.ts ? 0 : a.ts > b.ts ? -1 : 1));
    rows.push(...batch);
    to = from;
  }
  return rows.slice(0, req.lineLimit).map((r) => {
    const { fields, parser } = parseLine(r.line, r.stream);
    const parsed = new Map<string, string>();
    for (const [k, v] of r.queryParsed) if (v !== '' && !k.startsWith('__')) parsed.set(k, v);
    for (const [k, v] of fields) parsed.set(k, v);
    return { metadata: r.metadata, parsed, parser };
  });
}

/**
 * Loki's `detected_fields`: over the newest lines of a log query, every structured metadata
 * field and every field a json/logfmt parse finds, with its type, its number of distinct
 * values and the parsers that found it. At most `limit` fields (the first ones seen).
 */
export async function detectFields(store: LogStore, req: DetectedFieldsRequest): Promise<DetectedField[]> {
  const fields = new Map<string, { type: DetectedFieldType; values: Set<string>; parsers: string[] }>();
  const add = (name: string, value: string, parser: string): void => {
    let f = fields.get(name);
    if (!f) {
      if (fields.size >= req.limit) return;
      fields.set(name, (f = { type: fieldTypeOf(value), values: new Set(), parsers: [] }));
    } else if (!f.values.has(value)) f.type = unify(f.type, fieldTypeOf(value));
    f.values.add(value);
    if (parser !== '' && !f.parsers.includes(parser)) f.parsers.push(parser);
  };
  for (const e of await sampleEntries(store, req)) {
    for (const m of e.metadata) add(m.name, m.value, '');
    for (const [k, v] of e.parsed) add(k, v, e.parser);
  }
  return [...fields]
    .map(([label, f]) => ({ label, type: f.type, cardinality: f.values.size, parsers: f.parsers }))
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
}

/** Loki's `detected_field/<name>/values`: the distinct values of one field, newest first, at most `limit`. */
export async function detectedFieldValues(store: LogStore, req: DetectedFieldsRequest, name: string): Promise<string[]> {
  const values = new Set<string>();
  for (const e of await sampleEntries(store, req)) {
    if (values.size >= req.limit) break;
    const v = e.metadata.find((m) => m.name === name)?.value ?? e.parsed.get(name);
    if (v !== undefined && v !== '') values.add(v);
  }
  return [...values];
}
