import { IchigenError, isValidLabelName, type Label } from '../../model/index.js';
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
  for (const [si, raw] of ((body as { streams: unknown[] }).streams).entries()) {
    if (typeof raw !== 'object' || raw === null) throw invalid(`streams[${si}] is not an object`);
    const { stream, values } = raw as { stream?: unknown; values?: unknown };
    const labels = labelsOf(stream, `streams[${si}].stream`);
    if (!Array.isArray(values)) throw invalid(`streams[${si}].values is not an array`);
    const entries: LogEntry[] = [];
    for (const [vi, v] of values.entries()) entries.push(entryOf(v, `streams[${si}].values[${vi}]`));
    streams.push({ labels, entries });
  }
  return { streams };
}

function labelsOf(raw: unknown, where: string): Label[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalid(`${where} must be an object of label names to values`);
  const out: Label[] = [];
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof value !== 'string') throw invalid(`${where}.${name} must be a string`);
    if (!isValidLabelName(name)) throw invalid(`${where}: invalid label name "${name}"`);
    out.push({ name, value });
  }
  return [...normalizeLabels(out, where)];
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
