import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Our own script format for TraceQL tests (written for Ichigen; the expected answers are
 * what Tempo's documented semantics give, worked out by hand):
 *
 *   load                                        traces, one `trace NAME` block each
 *     trace checkout
 *       root svc=web name="GET /" kind=server status=ok start=0 dur=120ms span.http.status_code=200
 *       pay parent=root svc=pay name=charge kind=client start=10ms dur=60ms status=error msg="declined"
 *         event "retry" 5ms retry.count=1       an event of the span above (offset from its start)
 *         link checkout/root reason="x"         a link of the span above (attributes: link.*)
 *   search { status = error }                   expected spansets follow, one per line
 *     checkout: pay                             trace name: span names (any order)
 *     checkout: root pay | count()=2            … with the spanset's attributes
 *   search { name = "nothing" }                 no lines: no trace matches
 *   error { span.x = }                          the query must fail with a 400
 *   metrics step=60s { } | rate()               expected series, samples as offset=value (seconds;
 *     {__name__="rate"} 0=0.05 60=0.0166…        zero samples may be left out)
 *
 * Span fields: parent, svc (resource service.name), name, kind, status, msg (status
 * message), start/dur (durations from the load's base time), scope / scope.version
 * (instrumentation), span.K / resource.K / instrumentation.K = value. Values: "text", 12
 * (int), 1.5 or 2.0 (double), true/false, [1, 2] / ["a", "b"] (arrays).
 */
export type AnyValueJson = Record<string, unknown>;

export interface ScriptSpan {
  readonly trace: string;
  readonly name: string;
  readonly line: number;
  parent?: string;
  svc: string;
  spanName: string;
  kind: number;
  status: number;
  msg: string;
  startNs: bigint;
  durNs: bigint;
  scope: string;
  scopeVersion: string;
  readonly span: Array<[string, AnyValueJson]>;
  readonly resource: Array<[string, AnyValueJson]>;
  readonly instrumentation: Array<[string, AnyValueJson]>;
  readonly events: Array<{ name: string; offsetNs: bigint; attrs: Array<[string, AnyValueJson]> }>;
  readonly links: Array<{ trace: string; span: string; attrs: Array<[string, AnyValueJson]> }>;
}

export type ScriptCommand =
  | { kind: 'load'; spans: ScriptSpan[]; line: number }
  | { kind: 'search'; query: string; expected: string[]; line: number }
  | { kind: 'error'; query: string; line: number }
  | { kind: 'metrics'; query: string; stepS: number; expected: string[]; line: number };

const KINDS: Record<string, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };
const STATUSES: Record<string, number> = { unset: 0, ok: 1, error: 2 };
const UNITS: Record<string, bigint> = { ns: 1n, us: 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n };

export function traceIdOf(name: string): string {
  return createHash('sha256').update(`trace:${name}`).digest('hex').slice(0, 32);
}
export function spanIdOf(trace: string, span: string): string {
  return createHash('sha256').update(`span:${trace}/${span}`).digest('hex').slice(0, 16);
}

function durationNs(text: string, line: number): bigint {
  if (text === '0') return 0n;
  const m = /^(\d+)(ns|us|ms|s|m)$/.exec(text);
  if (!m) throw new Error(`line ${line}: bad duration "${text}"`);
  return BigInt(m[1]!) * UNITS[m[2]!]!;
}

/** Splits on spaces outside quotes and brackets. */
function tokens(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote = false;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      cur += c;
      if (c === '\\') cur += text[++i] ?? '';
      else if (c === '"') quote = false;
      continue;
    }
    if (c === '"') quote = true;
    else if (c === '[') depth++;
    else if (c === ']') depth--;
    else if (c === '#' && depth === 0 && cur === '') break;
    if ((c === ' ' || c === '\t') && depth === 0) {
      if (cur !== '') out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur !== '') out.push(cur);
  return out;
}

export function parseValue(text: string, line: number): AnyValueJson {
  if (text.startsWith('"')) return { stringValue: JSON.parse(text) as string };
  if (text === 'true' || text === 'false') return { boolValue: text === 'true' };
  if (/^-?\d+$/.test(text)) return { intValue: text };
  if (/^-?\d+\.\d+$/.test(text)) return { doubleValue: Number(text) };
  if (text.startsWith('[') && text.endsWith(']')) {
    const inner = text.slice(1, -1).trim();
    const parts = inner === '' ? [] : inner.split(/\s*,\s*/);
    return { arrayValue: { values: parts.map((p) => parseValue(p, line)) } };
  }
  throw new Error(`line ${line}: bad value "${text}"`);
}

function keyValue(tok: string, line: number): [string, string] {
  const eq = tok.indexOf('=');
  if (eq <= 0) throw new Error(`line ${line}: expected key=value, got "${tok}"`);
  return [tok.slice(0, eq), tok.slice(eq + 1)];
}

function parseSpan(trace: string, toks: string[], line: number): ScriptSpan {
  const s: ScriptSpan = {
    trace,
    name: toks[0]!,
    line,
    svc: 'svc',
    spanName: toks[0]!,
    kind: 1,
    status: 0,
    msg: '',
    startNs: 0n,
    durNs: 1_000_000n,
    scope: 'script',
    scopeVersion: '1.0',
    span: [],
    resource: [],
    instrumentation: [],
    events: [],
    links: [],
  };
  for (const tok of toks.slice(1)) {
    const [k, v] = keyValue(tok, line);
    const str = (): string => (v.startsWith('"') ? (JSON.parse(v) as string) : v);
    if (k === 'parent') s.parent = v;
    else if (k === 'svc') s.svc = str();
    else if (k === 'name') s.spanName = str();
    else if (k === 'kind') s.kind = KINDS[v] ?? Number.NaN;
    else if (k === 'status') s.status = STATUSES[v] ?? Number.NaN;
    else if (k === 'msg') s.msg = str();
    else if (k === 'start') s.startNs = durationNs(v, line);
    else if (k === 'dur') s.durNs = durationNs(v, line);
    else if (k === 'scope') s.scope = str();
    else if (k === 'scope.version') s.scopeVersion = str();
    else if (k.startsWith('span.')) s.span.push([k.slice(5), parseValue(v, line)]);
    else if (k.startsWith('resource.')) s.resource.push([k.slice(9), parseValue(v, line)]);
    else if (k.startsWith('instrumentation.')) s.instrumentation.push([k.slice(16), parseValue(v, line)]);
    else throw new Error(`line ${line}: unknown span field "${k}"`);
    if (Number.isNaN(s.kind) || Number.isNaN(s.status)) throw new Error(`line ${line}: bad kind or status in "${tok}"`);
  }
  return s;
}

export function loadTraceqlScript(file: string): ScriptCommand[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: ScriptCommand[] = [];
  let cur: ScriptCommand | undefined;
  let trace: string | undefined;
  let lastSpan: ScriptSpan | undefined;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const n = i + 1;
    if (raw.trim() === '' || raw.trim().startsWith('#')) continue;
    const indent = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (indent === 0) {
      const sp = text.indexOf(' ');
      const word = sp < 0 ? text : text.slice(0, sp);
      const rest = sp < 0 ? '' : text.slice(sp + 1).trim();
      if (word === 'load') cur = { kind: 'load', spans: [], line: n };
      else if (word === 'search') cur = { kind: 'search', query: rest, expected: [], line: n };
      else if (word === 'error') cur = { kind: 'error', query: rest, line: n };
      else if (word === 'metrics') {
        const m = /^step=(\d+)s\s+(.*)$/.exec(rest);
        if (!m) throw new Error(`${file}:${n}: expected "metrics step=Ns QUERY"`);
        cur = { kind: 'metrics', stepS: Number(m[1]), query: m[2]!, expected: [], line: n };
      } else throw new Error(`${file}:${n}: unknown command "${word}"`);
      out.push(cur);
      continue;
    }
    if (cur === undefined) throw new Error(`${file}:${n}: indented line outside a command`);
    if (cur.kind === 'search' || cur.kind === 'metrics') {
      cur.expected.push(text.replace(/\s+#.*$/, ''));
      continue;
    }
    if (cur.kind !== 'load') throw new Error(`${file}:${n}: unexpected line under ${cur.kind}`);
    const toks = tokens(text);
    if (toks[0] === 'trace') {
      trace = toks[1];
      continue;
    }
    if (trace === undefined) throw new Error(`${file}:${n}: span before any "trace NAME"`);
    if (toks[0] === 'event') {
      if (!lastSpan) throw new Error(`${file}:${n}: event before any span`);
      const attrs = toks.slice(3).map((t) => keyValue(t, n)).map(([k, v]) => [k, parseValue(v, n)] as [string, AnyValueJson]);
      lastSpan.events.push({ name: JSON.parse(toks[1]!) as string, offsetNs: durationNs(toks[2]!, n), attrs });
    } else if (toks[0] === 'link') {
      if (!lastSpan) throw new Error(`${file}:${n}: link before any span`);
      const [lt, ls] = toks[1]!.split('/');
      const attrs = toks.slice(2).map((t) => keyValue(t, n)).map(([k, v]) => [k, parseValue(v, n)] as [string, AnyValueJson]);
      lastSpan.links.push({ trace: lt!, span: ls!, attrs });
    } else {
      lastSpan = parseSpan(trace, toks, n);
      cur.spans.push(lastSpan);
    }
  }
  return out;
}

const kvs = (list: Array<[string, AnyValueJson]>): Array<{ key: string; value: AnyValueJson }> => list.map(([key, value]) => ({ key, value }));

/** The spans as one OTLP/JSON request (a resource per service and resource attributes). */
export function toOtlpJson(spans: readonly ScriptSpan[], baseNs: bigint): Record<string, unknown> {
  const resources = new Map<string, { attrs: Array<[string, AnyValueJson]>; scopes: Map<string, { s: ScriptSpan; spans: unknown[] }> }>();
  for (const s of spans) {
    const attrs: Array<[string, AnyValueJson]> = [['service.name', { stringValue: s.svc }], ...s.resource];
    const rk = JSON.stringify(attrs);
    let r = resources.get(rk);
    if (!r) resources.set(rk, (r = { attrs, scopes: new Map() }));
    const sk = JSON.stringify([s.scope, s.scopeVersion, s.instrumentation]);
    let sc = r.scopes.get(sk);
    if (!sc) r.scopes.set(sk, (sc = { s, spans: [] }));
    const start = baseNs + s.startNs;
    sc.spans.push({
      traceId: traceIdOf(s.trace),
      spanId: spanIdOf(s.trace, s.name),
      ...(s.parent !== undefined ? { parentSpanId: spanIdOf(s.trace, s.parent) } : {}),
      name: s.spanName,
      kind: s.kind,
      startTimeUnixNano: start.toString(),
      endTimeUnixNano: (start + s.durNs).toString(),
      attributes: kvs(s.span),
      events: s.events.map((e) => ({ name: e.name, timeUnixNano: (start + e.offsetNs).toString(), attributes: kvs(e.attrs) })),
      links: s.links.map((l) => ({ traceId: traceIdOf(l.trace), spanId: spanIdOf(l.trace, l.span), attributes: kvs(l.attrs) })),
      status: { code: s.status, ...(s.msg !== '' ? { message: s.msg } : {}) },
    });
  }
  return {
    resourceSpans: [...resources.values()].map((r) => ({
      resource: { attributes: kvs(r.attrs) },
      scopeSpans: [...r.scopes.values()].map((sc) => ({
        scope: { name: sc.s.scope, version: sc.s.scopeVersion, attributes: kvs(sc.s.instrumentation) },
        spans: sc.spans,
      })),
    })),
  };
}

/** An OTLP/JSON AnyValue as script text ("a", 1, 1.5, true). */
export function valueText(v: AnyValueJson): string {
  if ('stringValue' in v) return JSON.stringify(v.stringValue);
  if ('intValue' in v) return String(v.intValue);
  if ('doubleValue' in v) return String(v.doubleValue);
  if ('boolValue' in v) return String(v.boolValue);
  return JSON.stringify(v);
}

/** A spanset line in normal form: span names sorted, attributes in their order. */
export function normalSpansetLine(line: string): string {
  const [head, attrs] = line.split(/\s+\|\s+/, 2) as [string, string | undefined];
  const colon = head.indexOf(':');
  const trace = head.slice(0, colon).trim();
  const spans = head.slice(colon + 1).trim().split(/\s+/).filter((x) => x !== '').sort();
  return `${trace}: ${spans.join(' ')}${attrs !== undefined ? ` | ${attrs.trim()}` : ''}`;
}
