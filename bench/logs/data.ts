/**
 * Deterministic log lines and Loki JSON push bodies for the logs benchmark. A line depends
 * only on its index and size, so a run can be repeated exactly; `needle` is in 0.1% of the
 * lines and status >= 500 in 2%, spread over every stream.
 */

const LEVELS = ['info', 'info', 'info', 'debug', 'warn'];
const PATHS = ['/api/v1/items', '/api/v1/orders', '/api/v1/users', '/healthz', '/api/v2/search', '/static/app.js'];

/** A 32-bit mix of the index (so the needle and errors do not line up with streams). */
function mix(i: number): number {
  let h = Math.imul(i ^ 0x9e3779b9, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

const pads = new Map<number, string>();
function pad(n: number): string {
  let p = pads.get(n);
  if (p === undefined) pads.set(n, (p = 'x'.repeat(Math.max(0, n))));
  return p;
}

/**
 * One JSON log line of exactly `size` bytes (ASCII); `escaped`: the same line as it appears
 * inside a JSON string (quotes escaped; no other character needs it). Both spelled out as
 * literal templates: building them with a quote variable made the benchmark's client slower
 * than the server it measures.
 */
export function makeLine(i: number, size: number, escaped = false): string {
  const h = mix(i);
  const msg = h % 1000 === 7 ? 'request served needle' : 'request served';
  const status = h % 50 === 3 ? 500 + (h % 4) : h % 10 === 1 ? 404 : 200;
  const level = status >= 500 ? 'error' : LEVELS[h % LEVELS.length]!;
  const path = `${PATHS[h % PATHS.length]}/${h % 9973}`;
  const dur = h % 997;
  if (escaped) {
    const head = `{\\"seq\\":${i},\\"level\\":\\"${level}\\",\\"status\\":${status},\\"method\\":\\"GET\\",\\"path\\":\\"${path}\\",\\"dur_ms\\":${dur},\\"msg\\":\\"${msg}\\",\\"pad\\":\\"`;
    return head + pad(size - (head.length - 25) - 2) + '\\"}'; // 25 escaped quotes in the head
  }
  const head = `{"seq":${i},"level":"${level}","status":${status},"method":"GET","path":"${path}","dur_ms":${dur},"msg":"${msg}","pad":"`;
  return head + pad(size - head.length - 2) + '"}';
}

export interface Batch {
  /** The Loki push body. */
  readonly body: string;
  /** The raw lines, newline-terminated (what grep and jq read), when asked for. */
  readonly raw: string;
  readonly lines: number;
  readonly bytes: number;
}

export interface BatchSpec {
  readonly app: string;
  readonly streams: number;
  /** Index of the first line and how many lines. */
  readonly from: number;
  readonly count: number;
  readonly size: (i: number) => number;
  /** Timestamp of line i, ns. */
  readonly tsNs: (i: number) => bigint;
}

/** Lines [from, from+count) grouped by stream (line i goes to stream i % streams). */
export function makeBatch(spec: BatchSpec, withRaw: boolean): Batch {
  const end = spec.from + spec.count;
  const parts: string[] = ['{"streams":['];
  const raw: string[] = [];
  let bytes = 0;
  let firstStream = true;
  for (let s = 0; s < spec.streams; s++) {
    let i = spec.from + ((s - (spec.from % spec.streams) + spec.streams) % spec.streams);
    if (i >= end) continue;
    parts.push(`${firstStream ? '' : ','}{"stream":{"app":"${spec.app}","shard":"${s}"},"values":[`);
    firstStream = false;
    for (let first = true; i < end; i += spec.streams, first = false) {
      const size = spec.size(i);
      if (withRaw) raw.push(makeLine(i, size));
      bytes += size;
      parts.push(`${first ? '' : ','}["${spec.tsNs(i)}","${makeLine(i, size, true)}"]`);
    }
    parts.push(']}');
  }
  parts.push(']}');
  return { body: parts.join(''), raw: withRaw ? raw.join('\n') + '\n' : '', lines: spec.count, bytes };
}
