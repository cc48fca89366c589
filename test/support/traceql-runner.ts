import { normalSpansetLine, spanIdOf, toOtlpJson, traceIdOf, valueText, type AnyValueJson, type ScriptCommand, type ScriptSpan } from './traceql-script.js';

/** A base time on a 5-minute boundary, 10 minutes ago: metrics steps that divide 5 minutes align. */
export function scriptBaseMs(): number {
  return Math.floor(Date.now() / 300_000) * 300_000 - 600_000;
}

/** Where a script runs: an OTLP/HTTP endpoint in, a Tempo API out. */
export interface TraceqlTarget {
  /** POSTs an OTLP/JSON body to /v1/traces. */
  push(body: Record<string, unknown>): Promise<Response>;
  /** GETs a Tempo API path with query parameters. */
  get(path: string, params: Record<string, string>): Promise<Response>;
}

interface SearchAnswer {
  traces?: Array<{ traceID: string; spanSets?: Array<{ spans: Array<{ spanID: string }>; matched: number; attributes?: Array<{ key: string; value: AnyValueJson }> }> }>;
}

interface MetricsAnswer {
  series?: Array<{ labels?: Array<{ key: string; value: AnyValueJson }>; samples?: Array<{ timestampMs: string; value: number }> }>;
}

/** Runs one script; returns a description of every failing command. */
export async function runTraceqlScript(file: string, commands: readonly ScriptCommand[], target: TraceqlTarget, baseMs: number): Promise<string[]> {
  const baseNs = BigInt(baseMs) * 1_000_000n;
  const window = { start: String(Math.floor(baseMs / 1000) - 3600), end: String(Math.floor(baseMs / 1000) + 3600) };
  const traceNames = new Map<string, string>();
  const spanNames = new Map<string, string>();
  const failures: string[] = [];
  const loaded: ScriptSpan[] = [];
  for (const c of commands) {
    const cmd = c.kind === 'load' ? c : { ...c, query: expandTemplates(c.query) };
    const where = `${file}:${cmd.line}`;
    if (cmd.kind === 'load') {
      for (const s of cmd.spans) {
        traceNames.set(traceIdOf(s.trace), s.trace);
        spanNames.set(spanIdOf(s.trace, s.name), s.name);
      }
      loaded.push(...cmd.spans);
      const res = await target.push(toOtlpJson(cmd.spans, baseNs));
      if (res.status !== 200) failures.push(`${where} load: HTTP ${res.status} ${await res.text()}`);
      continue;
    }
    if (cmd.kind === 'error') {
      const res = await target.get('/api/search', { q: cmd.query, ...window });
      if (res.status !== 400) failures.push(`${where} ${cmd.query}\n    expected a 400, got ${res.status}: ${(await res.text()).slice(0, 200)}`);
      continue;
    }
    if (cmd.kind === 'search') {
      const res = await target.get('/api/search', { q: cmd.query, ...window, limit: '1000', spss: '1000' });
      const text = await res.text();
      if (res.status !== 200) {
        failures.push(`${where} ${cmd.query}\n    HTTP ${res.status}: ${text.slice(0, 300)}`);
        continue;
      }
      const answer = JSON.parse(text) as SearchAnswer;
      const got: string[] = [];
      for (const t of answer.traces ?? []) {
        const name = traceNames.get(t.traceID.padStart(32, '0')) ?? `?${t.traceID}`;
        for (const set of t.spanSets ?? []) {
          const spans = set.spans.map((s) => spanNames.get(s.spanID) ?? `?${s.spanID}`);
          if (set.matched !== spans.length) got.push(`${name}: matched ${set.matched} but listed ${spans.length}`);
          const attrs = (set.attributes ?? []).map((a) => `${a.key}=${valueText(a.value)}`).join(' ');
          got.push(normalSpansetLine(`${name}: ${spans.join(' ')}${attrs !== '' ? ` | ${attrs}` : ''}`));
        }
      }
      const want = cmd.expected.map(normalSpansetLine).sort();
      got.sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        failures.push(`${where} ${cmd.query}\n    want: ${JSON.stringify(want)}\n    got:  ${JSON.stringify(got)}`);
      }
      continue;
    }
    const res = await target.get('/api/metrics/query_range', {
      q: cmd.query,
      start: String(baseMs / 1000),
      end: String(baseMs / 1000 + 600),
      step: `${cmd.stepS}s`,
    });
    const text = await res.text();
    if (res.status !== 200) {
      failures.push(`${where} ${cmd.query}\n    HTTP ${res.status}: ${text.slice(0, 300)}`);
      continue;
    }
    const got = new Map<string, Map<number, number>>();
    for (const s of (JSON.parse(text) as MetricsAnswer).series ?? []) {
      const labels = `{${(s.labels ?? []).map((l) => `${l.key}=${valueText(l.value)}`).join(', ')}}`;
      const samples = new Map<number, number>();
      for (const p of s.samples ?? []) if (p.value !== 0) samples.set((Number(p.timestampMs) - baseMs) / 1000, p.value);
      got.set(labels, samples);
    }
    const want = new Map<string, Map<number, number>>();
    for (const line of cmd.expected) {
      const m = /^(\{.*\})\s*(.*)$/.exec(line);
      if (!m) throw new Error(`${where}: bad series line "${line}"`);
      const samples = new Map<number, number>();
      for (const pair of m[2]!.split(/\s+/).filter((x) => x !== '')) {
        const [t, v] = pair.split('=');
        samples.set(Number(t), Number(v));
      }
      want.set(m[1]!, samples);
    }
    const problems: string[] = [];
    for (const [labels, samples] of want) {
      const g = got.get(labels);
      if (!g) {
        problems.push(`missing series ${labels}`);
        continue;
      }
      for (const [t, v] of samples) if (!close(g.get(t), v)) problems.push(`${labels} at ${t}: want ${v}, got ${g.get(t)}`);
      for (const [t, v] of g) if (!samples.has(t)) problems.push(`${labels} at ${t}: unexpected ${v}`);
    }
    for (const labels of got.keys()) if (!want.has(labels) && [...got.get(labels)!.values()].length > 0) problems.push(`unexpected series ${labels}`);
    if (problems.length > 0) failures.push(`${where} ${cmd.query}\n    ${problems.join('\n    ')}`);
  }
  return failures;
}

/** `${trace:NAME}` → the trace id without leading zeros (as search shows it), `${span:TRACE/SPAN}` → the span id. */
function expandTemplates(q: string): string {
  return q
    .replace(/\$\{trace:([^}]+)\}/g, (_m, t: string) => traceIdOf(t).replace(/^0+/, ''))
    .replace(/\$\{span:([^/}]+)\/([^}]+)\}/g, (_m, t: string, s: string) => spanIdOf(t, s));
}

function close(a: number | undefined, b: number): boolean {
  if (a === undefined) return false;
  return Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
}
