import { readFileSync } from 'node:fs';
import { labelsKey, parseDuration, type Labels } from '../../src/model/index.js';
import { parseLabelString, type PushBatch } from '../../src/receive/loki-push/index.js';
import type { QueryResult } from '../../src/query/logql/index.js';

/**
 * Our own script format for LogQL engine tests (written for Ichigen, in the spirit of
 * Prometheus' promqltest). Times are offsets from the script's T0.
 *
 *   load {app="api", env="prod"}              a stream; its entries follow, one per line:
 *     0s | level=info msg="hello"               <offset> | <line, verbatim to the end>
 *     1.5s {trace_id="abc"} | boom              structured metadata before the `|`
 *   eval logs from 0 to 1m [limit N] [forward|backward] <log query>
 *     {app="api"} 0s "level=info msg=\"hello\""  expected entries: labels, offset, JSON line;
 *                                               per stream in query direction
 *   eval instant at 1m <metric query>
 *     {app="api"} 3                             or `scalar 2`
 *   eval range from 0 to 2m step 1m <metric query>
 *     {app="api"} 1 2 _                         one value per (Loki-aligned) step, `_` = none
 *   eval_ordered …                              the order of series/samples matters
 *   eval_fail … / error /regex/                 an error is expected (and its message)
 *   `__error_details__="*"` in expected labels matches any details text.
 *
 * Offsets: Prometheus durations (`90s`, `1m30s`, `250ms`) or decimal seconds to the
 * nanosecond (`10.000000001`). Values: numbers, `Inf`, `-Inf`, `NaN`.
 */
export type LogqlCommand =
  | { kind: 'load'; line: number; batch: PushBatch }
  | {
      kind: 'eval';
      line: number;
      mode: 'logs' | 'instant' | 'range';
      query: string;
      startNs: bigint;
      endNs: bigint;
      stepMs: number;
      limit: number;
      direction: 'forward' | 'backward';
      ordered: boolean;
      fail: RegExp | true | undefined;
      expected: Expected;
    };

export type Expected =
  | { kind: 'logs'; entries: Array<{ labels: Labels; tsNs: bigint; line: string }> }
  | { kind: 'series'; series: Array<{ labels: Labels; values: Array<number | null> }> }
  | { kind: 'scalar'; value: number };

/** Offsets in nanoseconds. */
export function offsetNs(text: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,9}))?$/.exec(text);
  if (m) return (m[1] === '-' ? -1n : 1n) * (BigInt(m[2]!) * 1_000_000_000n + BigInt((m[3] ?? '').padEnd(9, '0')));
  const neg = text.startsWith('-');
  const ms = BigInt(parseDuration(neg ? text.slice(1) : text)) * 1_000_000n;
  return neg ? -ms : ms;
}

function num(text: string): number | null {
  if (text === '_') return null;
  const t = text.toLowerCase();
  if (t === 'inf' || t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan') return NaN;
  const v = Number(text);
  if (Number.isNaN(v)) throw new Error(`bad number "${text}"`);
  return v;
}

/** `{...}` at the start of `text` (quotes respected) and the rest. */
function leadingBraces(text: string): [string, string] | undefined {
  if (!text.startsWith('{')) return undefined;
  let inStr = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '}') return [text.slice(0, i + 1), text.slice(i + 1).trim()];
  }
  return undefined;
}

const EVAL_RE = /^(eval|eval_ordered|eval_fail)\s+(?:logs\s+from\s+(\S+)\s+to\s+(\S+)((?:\s+limit\s+\d+)?)((?:\s+(?:forward|backward))?)|instant\s+at\s+(\S+)|range\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+))\s+(.+)$/;

export function parseLogqlScript(text: string, t0Ns: bigint): LogqlCommand[] {
  const lines = text.split('\n');
  const out: LogqlCommand[] = [];
  let i = 0;
  const body = (): Array<{ text: string; line: number }> => {
    const b: Array<{ text: string; line: number }> = [];
    while (i < lines.length && /^\s+\S/.test(lines[i]!)) {
      // Entry lines keep their text after `| ` verbatim (trailing spaces included).
      if (!lines[i]!.trim().startsWith('#')) b.push({ text: lines[i]!.replace(/^\s+/, ''), line: i + 1 });
      i++;
    }
    return b;
  };
  while (i < lines.length) {
    const t = lines[i]!.trim();
    const line = ++i;
    if (t === '' || t.startsWith('#')) continue;
    const load = /^load\s+(\{.*\})$/.exec(t);
    if (load) {
      const labels = parseLabelString(load[1]!);
      const entries = body().map(({ text, line: l }) => {
        const m = /^(\S+)\s+(.*)$/s.exec(text);
        if (!m) throw new Error(`line ${l}: expected "<offset> | <line>"`);
        let rest = m[2]!;
        let metadata: Labels = [];
        const braces = leadingBraces(rest);
        if (braces) {
          metadata = parseLabelString(braces[0]);
          rest = braces[1];
        }
        if (!rest.startsWith('|')) throw new Error(`line ${l}: expected "|" before the log line`);
        return { tsNs: t0Ns + offsetNs(m[1]!), line: rest.slice(rest.startsWith('| ') ? 2 : 1), metadata };
      });
      out.push({ kind: 'load', line, batch: { streams: [{ labels, entries }] } });
      continue;
    }
    const m = EVAL_RE.exec(t);
    if (!m) throw new Error(`line ${line}: cannot parse "${t}"`);
    const mode = m[2] !== undefined ? 'logs' : m[6] !== undefined ? 'instant' : 'range';
    const startNs = t0Ns + offsetNs(m[2] ?? m[6] ?? m[7]!);
    const endNs = t0Ns + offsetNs(m[3] ?? m[6] ?? m[8]!);
    const stepMs = m[9] !== undefined ? Number(offsetNs(m[9]) / 1_000_000n) : 0;
    let fail: RegExp | true | undefined = m[1] === 'eval_fail' ? true : undefined;
    const logs: Array<{ labels: Labels; tsNs: bigint; line: string }> = [];
    const series: Array<{ labels: Labels; values: Array<number | null> }> = [];
    let scalar: number | undefined;
    for (const b of body()) {
      const em = /^error\s+\/(.*)\/$/.exec(b.text.trim());
      if (em) {
        fail = new RegExp(em[1]!);
        continue;
      }
      const sm = /^scalar\s+(\S+)$/.exec(b.text.trim());
      if (sm) {
        scalar = num(sm[1]!) ?? NaN;
        continue;
      }
      const braces = leadingBraces(b.text.trim());
      if (!braces) throw new Error(`line ${b.line}: expected {labels} …`);
      const labels = parseExpectedLabels(braces[0]);
      if (mode === 'logs') {
        const lm = /^(\S+)\s+(".*")$/.exec(braces[1]);
        if (!lm) throw new Error(`line ${b.line}: expected <offset> "<line>"`);
        logs.push({ labels, tsNs: t0Ns + offsetNs(lm[1]!), line: JSON.parse(lm[2]!) as string });
      } else series.push({ labels, values: braces[1].split(/\s+/).filter((x) => x !== '').map(num) });
    }
    const expected: Expected = mode === 'logs' ? { kind: 'logs', entries: logs } : scalar !== undefined ? { kind: 'scalar', value: scalar } : { kind: 'series', series };
    const limit = m[4] ? Number(/\d+/.exec(m[4])![0]) : 1000;
    const direction = m[5]?.trim() === 'forward' ? 'forward' : 'backward';
    out.push({ kind: 'eval', line, mode, query: m[10]!, startNs, endNs, stepMs, limit, direction, ordered: m[1] === 'eval_ordered', fail, expected });
  }
  return out;
}

/** Expected labels may hold empty values (parsed labels can be empty), unlike pushed streams. */
function parseExpectedLabels(text: string): Labels {
  const out: Array<{ name: string; value: string }> = [];
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text.slice(1, -1))) !== null) out.push({ name: m[1]!, value: JSON.parse(`"${m[2]!}"`) as string });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function loadLogqlScript(path: string, t0Ns: bigint): LogqlCommand[] {
  return parseLogqlScript(readFileSync(path, 'utf8'), t0Ns);
}

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) || Math.abs(a - b) < 1e-12;
}

const fmt = (labels: Labels): string => `{${labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`;

/**
 * `__error_details__="*"` in an expectation accepts any details (their wording is Go's
 * error text, which scripts need not repeat); any other value must match exactly.
 */
function withDetailsWildcard(got: Labels, want: Labels): Labels {
  if (!want.some((l) => l.name === '__error_details__' && l.value === '*')) return got;
  return got.map((l) => (l.name === '__error_details__' ? { name: l.name, value: '*' } : l));
}

/** Flattened log answer: streams in label order, entries in the stream's (query) order. */
function flatLogs(entries: Array<{ labels: Labels; tsNs: bigint; line: string }>): string[] {
  const byStream = new Map<string, string[]>();
  for (const e of entries) {
    const k = labelsKey(e.labels);
    if (!byStream.has(k)) byStream.set(k, []);
    byStream.get(k)!.push(`${fmt(e.labels)} ${e.tsNs} ${JSON.stringify(e.line)}`);
  }
  return [...byStream.keys()].sort().flatMap((k) => byStream.get(k)!);
}

/** Compares an answer with the expectation; a description of the first difference, or undefined. */
export function compareResult(cmd: Extract<LogqlCommand, { kind: 'eval' }>, result: QueryResult, stepsMs: number[]): string | undefined {
  const exp = cmd.expected;
  if (exp.kind === 'logs') {
    if (result.type !== 'streams') return `expected log streams, got ${result.type}`;
    const wildcard = exp.entries[0]?.labels ?? [];
    const got = flatLogs(result.streams.flatMap((s) => s.entries.map(([tsNs, line]) => ({ labels: withDetailsWildcard(s.labels, wildcard), tsNs, line }))));
    const want = flatLogs(exp.entries);
    if (got.join('\n') !== want.join('\n')) return `log answer differs:\n  expected:\n    ${want.join('\n    ')}\n  got:\n    ${got.join('\n    ')}`;
    return undefined;
  }
  if (exp.kind === 'scalar') {
    if (result.type !== 'scalar') return `expected a scalar, got ${result.type}`;
    return close(exp.value, result.value) ? undefined : `expected scalar ${exp.value}, got ${result.value}`;
  }
  let got: Array<{ labels: Labels; values: Array<number | null> }>;
  if (result.type === 'vector') got = result.samples.map((s) => ({ labels: s.labels, values: [s.value] }));
  else if (result.type === 'matrix') got = result.series.map((s) => ({ labels: s.labels, values: stepsMs.map((t) => s.points.find((p) => p[0] === t)?.[1] ?? null) }));
  else return `expected series, got ${result.type}`;
  const show = (): string => got.map((s) => `${fmt(s.labels)} ${s.values.map((v) => (v === null ? '_' : v)).join(' ')}`).join(' | ');
  const gotByKey = new Map(got.map((s) => [labelsKey(s.labels), s]));
  if (got.length !== exp.series.length || exp.series.some((s) => !gotByKey.has(labelsKey(s.labels)))) return `series differ: expected ${exp.series.map((s) => fmt(s.labels)).join(' ')}, got ${show()}`;
  for (let k = 0; k < exp.series.length; k++) {
    const e = exp.series[k]!;
    if (cmd.ordered && labelsKey(got[k]!.labels) !== labelsKey(e.labels)) return `order differs at ${k}: got ${show()}`;
    const g = gotByKey.get(labelsKey(e.labels))!;
    for (let i = 0; i < Math.max(e.values.length, g.values.length); i++) {
      const ev = e.values[i] ?? null;
      const gv = g.values[i] ?? null;
      if (ev === null && gv === null) continue;
      if (ev === null || gv === null || !close(ev, gv)) return `${fmt(e.labels)} step ${i}: expected ${ev}, got ${gv}; all: ${show()}`;
    }
  }
  return undefined;
}
