/** One log entry as the UI shows it. */
export interface LogLine {
  /** Nanoseconds since the epoch, as Loki sends it (a string keeps full precision). */
  readonly ts: string;
  readonly ms: number;
  readonly line: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly metadata: Readonly<Record<string, string>>;
  readonly level: Level;
}

export type Level = 'error' | 'warn' | 'info' | 'debug' | 'unknown';

interface StreamResult {
  readonly stream: Record<string, string>;
  readonly values: ReadonlyArray<readonly [string, string, ...Array<Record<string, unknown> | undefined>]>;
}

const LEVEL_WORDS: ReadonlyArray<readonly [RegExp, Level]> = [
  [/^(err|error|fatal|crit|critical|alert|emerg|panic)$/i, 'error'],
  [/^(warn|warning)$/i, 'warn'],
  [/^(info|information|notice)$/i, 'info'],
  [/^(debug|trace|dbg)$/i, 'debug'],
];

function levelOfWord(w: string | undefined): Level | undefined {
  if (w === undefined) return undefined;
  for (const [re, l] of LEVEL_WORDS) if (re.test(w)) return l;
  // pino's numeric levels
  const n = Number(w);
  if (Number.isFinite(n) && n >= 10) return n >= 50 ? 'error' : n >= 40 ? 'warn' : n >= 30 ? 'info' : 'debug';
  return undefined;
}

/** The level from a label, structured metadata, a `level=`/`"level":` field, or a bare word. */
export function detectLevel(line: string, labels: Readonly<Record<string, string>>, metadata: Readonly<Record<string, string>> = {}): Level {
  for (const k of ['level', 'detected_level', 'severity', 'lvl']) {
    const l = levelOfWord(labels[k] ?? metadata[k]);
    if (l) return l;
  }
  const field = /(?:^|[\s,{])"?(?:level|lvl|severity)"?\s*[:=]\s*"?([A-Za-z]+|\d+)/.exec(line);
  const fromField = levelOfWord(field?.[1]);
  if (fromField) return fromField;
  const word = /\b(ERROR|ERR|FATAL|PANIC|WARN|WARNING|INFO|DEBUG|TRACE)\b/.exec(line);
  return levelOfWord(word?.[1]) ?? 'unknown';
}

/** Flattens Loki streams into lines, newest first. */
export function linesFromStreams(result: readonly StreamResult[]): LogLine[] {
  const out: LogLine[] = [];
  for (const s of result) {
    for (const [ts, line, meta] of s.values) {
      const metadata: Record<string, string> = {};
      for (const [k, v] of Object.entries(meta ?? {})) metadata[k] = String(v);
      out.push({ ts, ms: Number(ts.slice(0, -6)) + Number(ts.slice(-6)) / 1e6, line, labels: s.stream, metadata, level: detectLevel(line, s.stream, metadata) });
    }
  }
  out.sort((a, b) => (a.ts.length !== b.ts.length ? b.ts.length - a.ts.length : a.ts < b.ts ? 1 : a.ts > b.ts ? -1 : 0));
  return out;
}

/** Fields parsed from the line: JSON objects, else logfmt `k=v` pairs. */
export function parseFields(line: string): Record<string, string> {
  const t = line.trim();
  if (t.startsWith('{')) {
    try {
      const j = JSON.parse(t) as Record<string, unknown>;
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(j)) out[k] = typeof v === 'string' ? v : JSON.stringify(v);
      return out;
    } catch {
      // not JSON after all; try logfmt
    }
  }
  const out: Record<string, string> = {};
  for (const m of t.matchAll(/([a-zA-Z_][\w.-]*)=("(?:[^"\\]|\\.)*"|\S+)/g)) out[m[1]!] = m[2]!.startsWith('"') ? m[2]!.slice(1, -1).replace(/\\"/g, '"') : m[2]!;
  return out;
}

/** A trace id found in labels, metadata or parsed fields (for the link to the trace). */
export function traceIdOf(fields: Readonly<Record<string, string>>): string | undefined {
  for (const k of ['trace_id', 'traceId', 'traceID', 'trace-id']) {
    const v = fields[k];
    if (v && /^[0-9a-fA-F]{16,32}$/.test(v)) return v.toLowerCase();
  }
  return undefined;
}
