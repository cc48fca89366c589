import { readFileSync } from 'node:fs';
import { STALE_NAN_HI, STALE_NAN_LO, labelsFromRecord, labelsKey, parseDuration, type Labels } from '../../src/model/index.js';
import type { MetricBatch } from '../../src/store/index.js';

/**
 * Our own script format for PromQL engine tests, in the style of Prometheus' promqltest
 * (written from scratch for Ichigen):
 *
 *   load 1m                                   samples every minute from t=0
 *     http_requests{job="api"} 0+10x5 _ stale 100
 *   eval instant at 5m sum(http_requests)     expected series follow, one per line
 *     {} 50
 *   eval range from 0 to 10m step 1m rate(http_requests[5m])
 *     {job="api"} _ 0.16 ...                  `_` = no point at that step
 *   eval_ordered instant at ...               the order of the answer matters
 *   eval_fail instant at 0 foo{               an error is expected
 *     error /regex/                           (optional) its message
 *   eval_warn / eval_info ...                 a warning / info annotation is expected
 *     warning /regex/ | info /regex/          (optional) one of them must match
 *   set compatibility prometheus2             engine mode for the following evals
 *   clear                                     drop all loaded data
 *
 * Values: `1`, `-2.5`, `Inf`, `NaN`, `_` (none), `stale`, `a+bxn` (a, a+b, … n+1 values),
 * `a-bxn`, `_xn` (n+1 blanks). Times: Prometheus durations or plain seconds.
 */
export type Expected = { kind: 'series'; series: Array<{ labels: Labels; values: Array<number | null> }> } | { kind: 'scalar'; value: number } | { kind: 'string'; value: string };

export type ScriptCommand =
  | { kind: 'load'; batch: MetricBatch; line: number }
  | { kind: 'clear'; line: number }
  | { kind: 'set'; key: string; value: string; line: number }
  | {
      kind: 'eval';
      line: number;
      query: string;
      range: { start: number; end: number; step: number } | undefined;
      at: number;
      ordered: boolean;
      fail: RegExp | true | undefined;
      warn: boolean;
      info: boolean;
      annotations: Array<{ kind: 'warning' | 'info'; re: RegExp }>;
      expected: Expected;
    };

function parseTime(text: string): number {
  if (/^-?\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const neg = text.startsWith('-');
  const ms = parseDuration(neg ? text.slice(1) : text);
  return neg ? -ms : ms;
}

function num(text: string): number {
  const t = text.toLowerCase();
  if (t === 'inf' || t === '+inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan') return NaN;
  const v = Number(text);
  if (Number.isNaN(v)) throw new Error(`bad number "${text}"`);
  return v;
}

/** Expands a value list; null = no sample, 'stale' = staleness marker. */
export function expandValues(tokens: readonly string[]): Array<number | null | 'stale'> {
  const out: Array<number | null | 'stale'> = [];
  for (const tok of tokens) {
    if (tok === '_') out.push(null);
    else if (tok === 'stale') out.push('stale');
    else if (/^_x\d+$/.test(tok)) for (let i = 0; i <= Number(tok.slice(2)); i++) out.push(null);
    else {
      const m = /^([-+]?[^+\-x]+|[-+]?Inf|NaN)([+-])([^x]+)x(\d+)$/.exec(tok);
      if (m) {
        const start = num(m[1]!);
        const step = num(m[3]!) * (m[2] === '-' ? -1 : 1);
        for (let i = 0; i <= Number(m[4]); i++) out.push(start + i * step);
      } else out.push(num(tok));
    }
  }
  return out;
}

const SERIES_RE = /^(\{.*\}|[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?)\s*(.*)$/;

export function parseSeriesDesc(text: string): Labels {
  const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{(.*)\})?$/.exec(text.trim());
  if (!m) throw new Error(`bad series "${text}"`);
  const rec: Record<string, string> = {};
  if (m[1]) rec.__name__ = m[1];
  const body = m[2] ?? '';
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/g;
  let lm: RegExpExecArray | null;
  while ((lm = re.exec(body)) !== null) rec[lm[1]!] = JSON.parse(`"${lm[2]!}"`) as string;
  return labelsFromRecord(rec);
}

function splitSeriesLine(line: string): [string, string] {
  const m = SERIES_RE.exec(line.trim());
  if (!m) throw new Error(`bad line "${line}"`);
  // Braces may contain spaces: take everything up to the matching brace.
  const t = line.trim();
  const brace = t.indexOf('{');
  const space = t.search(/\s/);
  if (brace >= 0 && (space < 0 || brace < space)) {
    let depth = 0;
    let inStr = false;
    for (let i = brace; i < t.length; i++) {
      const c = t[i];
      if (c === '"' && t[i - 1] !== '\\') inStr = !inStr;
      if (inStr) continue;
      if (c === '{') depth++;
      if (c === '}' && --depth === 0) return [t.slice(0, i + 1), t.slice(i + 1).trim()];
    }
  }
  return [m[1]!, m[2]!];
}

export function parseScript(text: string): ScriptCommand[] {
  const lines = text.split('\n');
  const out: ScriptCommand[] = [];
  let i = 0;
  const body = (): Array<{ text: string; line: number }> => {
    const b: Array<{ text: string; line: number }> = [];
    while (i < lines.length && /^\s+\S/.test(lines[i]!)) {
      if (!lines[i]!.trim().startsWith('#')) b.push({ text: lines[i]!.trim(), line: i + 1 });
      i++;
    }
    return b;
  };
  while (i < lines.length) {
    const raw = lines[i]!;
    const line = i + 1;
    i++;
    const t = raw.trim();
    if (t === '' || t.startsWith('#')) continue;
    if (t === 'clear') {
      out.push({ kind: 'clear', line });
      continue;
    }
    let m = /^set\s+(\S+)\s+(\S+)$/.exec(t);
    if (m) {
      out.push({ kind: 'set', key: m[1]!, value: m[2]!, line });
      continue;
    }
    m = /^load\s+(\S+)$/.exec(t);
    if (m) {
      const interval = parseTime(m[1]!);
      const series = body().map(({ text }) => {
        const [desc, vals] = splitSeriesLine(text);
        const values = expandValues(vals.split(/\s+/).filter((x) => x !== ''));
        const ts: number[] = [];
        const vs: number[] = [];
        const stale: boolean[] = [];
        values.forEach((v, k) => {
          if (v === null) return;
          ts.push(k * interval);
          vs.push(v === 'stale' ? NaN : v);
          stale.push(v === 'stale');
        });
        const arr = new Float64Array(vs.length);
        const bits = new Uint32Array(arr.buffer);
        vs.forEach((v, k) => {
          arr[k] = v;
          // Written through the bits: plain number stores may canonicalise NaN payloads.
          if (stale[k]) {
            bits[2 * k] = STALE_NAN_LO;
            bits[2 * k + 1] = STALE_NAN_HI;
          }
        });
        return { labels: parseSeriesDesc(desc), timestamps: Float64Array.from(ts), values: arr };
      });
      out.push({ kind: 'load', batch: { series }, line });
      continue;
    }
    m = /^(eval|eval_ordered|eval_fail|eval_warn|eval_info)\s+(instant\s+at\s+(\S+)|range\s+from\s+(\S+)\s+to\s+(\S+)\s+step\s+(\S+))\s+(.+)$/.exec(t);
    if (!m) throw new Error(`line ${line}: cannot parse "${t}"`);
    const kind = m[1]!;
    const range = m[4] !== undefined ? { start: parseTime(m[4]), end: parseTime(m[5]!), step: parseTime(m[6]!) } : undefined;
    const lines2 = body();
    let fail: RegExp | true | undefined = kind === 'eval_fail' ? true : undefined;
    let expected: Expected = { kind: 'series', series: [] };
    const series: Array<{ labels: Labels; values: Array<number | null> }> = [];
    const annotations: Array<{ kind: 'warning' | 'info'; re: RegExp }> = [];
    for (const l of lines2) {
      const an = /^(warning|info)\s+\/(.*)\/$/.exec(l.text);
      if (an) {
        annotations.push({ kind: an[1] as 'warning' | 'info', re: new RegExp(an[2]!) });
        continue;
      }
      const em = /^error\s+\/(.*)\/$/.exec(l.text);
      if (em) {
        fail = new RegExp(em[1]!);
        continue;
      }
      const sm = /^scalar\s+(\S+)$/.exec(l.text);
      if (sm) {
        expected = { kind: 'scalar', value: num(sm[1]!) };
        continue;
      }
      const st = /^string\s+"(.*)"$/.exec(l.text);
      if (st) {
        expected = { kind: 'string', value: st[1]! };
        continue;
      }
      const [desc, vals] = splitSeriesLine(l.text);
      const values = expandValues(vals.split(/\s+/).filter((x) => x !== '')).map((v) => (v === 'stale' ? null : v));
      series.push({ labels: parseSeriesDesc(desc), values });
    }
    if (expected.kind === 'series') expected = { kind: 'series', series };
    out.push({
      kind: 'eval',
      line,
      query: m[7]!,
      range,
      at: m[3] !== undefined ? parseTime(m[3]) : 0,
      ordered: kind === 'eval_ordered',
      fail,
      warn: kind === 'eval_warn',
      info: kind === 'eval_info',
      annotations,
      expected,
    });
  }
  return out;
}

export function loadScript(path: string): ScriptCommand[] {
  return parseScript(readFileSync(path, 'utf8'));
}

/** What a script evaluates against: the engine over a store, or the HTTP API. */
export interface ScriptTarget {
  clear(): Promise<void>;
  load(batch: MetricBatch): Promise<void>;
  setCompatibility(mode: 'prometheus3' | 'prometheus2'): Promise<void>;
  /** Normalised answer: series with values per step (null = none), or a scalar/string. */
  query(q: string, range: { start: number; end: number; step: number } | undefined, at: number): Promise<{ result: Expected; warnings: readonly string[]; infos: readonly string[] }>;
}

function close(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= 1e-9 * Math.max(Math.abs(a), Math.abs(b)) || Math.abs(a - b) < 1e-12;
}

function fmt(labels: Labels): string {
  return `{${labels.map((l) => `${l.name}="${l.value}"`).join(', ')}}`;
}

/** Runs one eval; returns a description of the mismatch, or undefined when it passed. */
export async function runEval(target: ScriptTarget, cmd: Extract<ScriptCommand, { kind: 'eval' }>): Promise<string | undefined> {
  let got;
  try {
    got = await target.query(cmd.query, cmd.range, cmd.at);
  } catch (e) {
    const msg = (e as Error).message;
    if (cmd.fail === undefined) return `unexpected error: ${msg}`;
    if (cmd.fail instanceof RegExp && !cmd.fail.test(msg)) return `error "${msg}" does not match ${String(cmd.fail)}`;
    return undefined;
  }
  if (cmd.fail !== undefined) return `expected an error, got ${JSON.stringify(got.result).slice(0, 200)}`;
  if (cmd.warn && got.warnings.length === 0) return 'expected a warning, got none';
  if (!cmd.warn && got.warnings.length > 0) return `unexpected warnings: ${got.warnings.join('; ')}`;
  if (cmd.info && got.infos.length === 0) return 'expected an info annotation, got none';
  for (const a of cmd.annotations) {
    const list = a.kind === 'warning' ? got.warnings : got.infos;
    if (!list.some((w) => a.re.test(w))) return `no ${a.kind} matches ${String(a.re)}: ${list.join('; ')}`;
  }
  const exp = cmd.expected;
  const res = got.result;
  if (exp.kind !== res.kind) return `expected ${exp.kind}, got ${res.kind}: ${JSON.stringify(res).slice(0, 300)}`;
  if (exp.kind === 'scalar' && res.kind === 'scalar') return close(exp.value, res.value) ? undefined : `expected scalar ${exp.value}, got ${res.value}`;
  if (exp.kind === 'string' && res.kind === 'string') return exp.value === res.value ? undefined : `expected string ${exp.value}, got ${res.value}`;
  if (exp.kind !== 'series' || res.kind !== 'series') return 'kind mismatch';
  const gotByKey = new Map(res.series.map((s) => [labelsKey(s.labels), s]));
  if (res.series.length !== exp.series.length || exp.series.some((s) => !gotByKey.has(labelsKey(s.labels)))) {
    return `series differ: expected ${exp.series.map((s) => fmt(s.labels)).join(' ')}, got ${res.series.map((s) => `${fmt(s.labels)} ${s.values.join(',')}`).join(' | ')}`;
  }
  for (let k = 0; k < exp.series.length; k++) {
    const e = exp.series[k]!;
    const g = gotByKey.get(labelsKey(e.labels))!;
    if (cmd.ordered && labelsKey(res.series[k]!.labels) !== labelsKey(e.labels)) return `order differs at ${k}: expected ${fmt(e.labels)}, got ${fmt(res.series[k]!.labels)}`;
    const n = Math.max(e.values.length, g.values.length);
    for (let i = 0; i < n; i++) {
      const ev = e.values[i] ?? null;
      const gv = g.values[i] ?? null;
      if (ev === null && gv === null) continue;
      if (ev === null || gv === null || !close(ev, gv)) return `${fmt(e.labels)} step ${i}: expected ${ev}, got ${gv} (all: ${g.values.join(' ')})`;
    }
  }
  return undefined;
}
