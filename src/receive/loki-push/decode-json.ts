import { IchigenError, isValidLabelName, type Label, type Labels } from '../../model/index.js';
import { normalizeLabels } from './label-string.js';
import type { LogEntry, PushBatch, PushStream } from './push-batch.js';

/**
 * Decodes Loki's JSON push body: `{"streams":[{"stream":{...},"values":[["<ns>","line",{meta}]]}]}`.
 * Timestamps must be strings of nanoseconds, as Loki requires (a JSON number loses precision).
 */
export function decodeJsonPush(body: unknown): PushBatch {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { streams?: unknown }).streams)) {
    throw new IchigenError('INVALID_BODY', 'loghttp.PushRequest: expected an object with a "streams" array');
  }
  const streams: PushStream[] = [];
  const list = (body as { streams: unknown[] }).streams;
  for (let si = 0; si < list.length; si++) {
    const raw = list[si];
    if (typeof raw !== 'object' || raw === null) throw invalid(`streams[${si}] is not an object`);
    const { stream, values } = raw as { stream?: unknown; values?: unknown };
    const labels = labelsOf(stream, `streams[${si}].stream`);
    if (!Array.isArray(values)) throw invalid(`streams[${si}].values is not an array`);
    // The hot loop of a push: no per-entry allocation beyond the entry (the error context is
    // built only when an entry is bad).
    const entries: LogEntry[] = new Array<LogEntry>(values.length);
    for (let vi = 0; vi < values.length; vi++) {
      const v = values[vi] as unknown;
      if (Array.isArray(v) && v.length === 2) {
        const ts = v[0] as unknown;
        const line = v[1] as unknown;
        if (typeof ts === 'string' && typeof line === 'string' && isNanos(ts)) {
          entries[vi] = { tsNs: BigInt(ts), line, metadata: NO_METADATA };
          continue;
        }
      }
      entries[vi] = entryOf(v, `streams[${si}].values[${vi}]`);
    }
    streams.push({ labels, entries });
  }
  return { streams };
}

const NO_METADATA: readonly Label[] = Object.freeze([]) as readonly Label[];

/** `-?\d{1,19}` without a regular expression (it runs once per pushed entry). */
function isNanos(ts: string): boolean {
  const n = ts.length;
  let i = n > 0 && ts.charCodeAt(0) === 45 ? 1 : 0;
  if (n - i < 1 || n - i > 19) return false;
  for (; i < n; i++) {
    const c = ts.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * Validated, normalised stream labels by their raw text: a sender repeats the same streams in
 * every request, and checking and sorting them again per request showed in the ingest profile.
 * The arrays are shared, never mutated. Bounded: cleared when full.
 */
const labelCache = new Map<string, Labels>();
const LABEL_CACHE_MAX = 100_000;

function labelsOf(raw: unknown, where: string): Labels {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid(`${where} must be an object of label names to values`);
  const obj = raw as Record<string, unknown>;
  let key: string | undefined = '';
  for (const name in obj) {
    const value = obj[name];
    if (typeof value !== 'string') {
      key = undefined;
      break;
    }
    key += name + '\xff' + value + '\xfe';
  }
  const hit = key === undefined ? undefined : labelCache.get(key);
  if (hit) return hit;
  const out: Label[] = [];
  for (const [name, value] of Object.entries(obj)) {
    if (typeof value !== 'string') throw invalid(`${where}.${name} must be a string`);
    if (!isValidLabelName(name)) throw invalid(`${where}: invalid label name "${name}"`);
    out.push({ name, value });
  }
  const labels = normalizeLabels(out, where);
  if (key !== undefined) {
    if (labelCache.size >= LABEL_CACHE_MAX) labelCache.clear();
    labelCache.set(key, labels);
  }
  return labels;
}

function entryOf(v: unknown, where: string): LogEntry {
  if (!Array.isArray(v) || v.length < 2 || v.length > 3) throw invalid(`${where} must be ["<unix epoch in nanoseconds>", "<log line>"] or with a third metadata object`);
  const [ts, line, meta] = v as unknown[];
  if (typeof ts !== 'string') {
    throw invalid(`${where}: timestamp must be a string of nanoseconds since the epoch, got ${typeof ts === 'number' ? 'a number' : typeof ts}`);
  }
  if (!/^-?\d{1,19}$/.test(ts)) throw invalid(`${where}: timestamp "${ts}" is not an integer of nanoseconds`);
  if (typeof line !== 'string') throw invalid(`${where}: log line must be a string`);
  const metadata = meta === undefined ? [] : metadataOf(meta, where);
  return { tsNs: BigInt(ts), line, metadata };
}

function metadataOf(raw: unknown, where: string): Label[] {
  if (raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid(`${where}: structured metadata must be an object of strings`);
  const out: Label[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'string') throw invalid(`${where}: structured metadata ${name} must be a string`);
    if (!isValidLabelName(name)) throw invalid(`${where}: invalid structured metadata name "${name}"`);
    out.push({ name, value });
  }
  return [...normalizeLabels(out, where)];
}

function invalid(why: string): IchigenError {
  return new IchigenError('INVALID_BODY', `loghttp.PushRequest: ${why}`);
}
