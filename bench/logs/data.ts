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

/** One JSON log line of exactly `size` bytes (ASCII). */
export function makeLine(i: number, size: number): string {
  const h = mix(i);
  const needle = h % 1000 === 7;
  const status = h % 50 === 3 ? 500 + (h % 4) : h % 10 === 1 ? 404 : 200;
  const level = status >= 500 ? 'error' : LEVELS[h % LEVELS.length]!;
  const head = `{"seq":${i},"level":"${level}","status":${status},"method":"GET","path":"${PATHS[h % PATHS.length]}/${h % 9973}","dur_ms":${h % 997},"msg":"request served${needle ? ' needle' : ''}","pad":"`;
  const tail = '"}';
  return head + 'x'.repeat(Math.max(0, size - head.length - tail.length)) + tail;
}

export interface Batch {
  /** The Loki push body. */
  readonly body: string;
  /** The raw lines, newline-terminated (what grep and jq read). */
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
export function makeBatch(spec: BatchSpec): Batch {
  const byStream = new Map<number, string[]>();
  const raw: string[] = [];
  let bytes = 0;
  for (let i = spec.from; i < spec.from + spec.count; i++) {
    const line = makeLine(i, spec.size(i));
    raw.push(line);
    bytes += line.length;
    const s = i % spec.streams;
    let values = byStream.get(s);
    if (!values) byStream.set(s, (values = []));
    // Lines hold quotes but no backslashes or control characters: escaping quotes is enough.
    values.push(`["${spec.tsNs(i)}","${line.replaceAll('"', '\\"')}"]`);
  }
  const streams = [...byStream].map(([s, values]) => `{"stream":{"app":"${spec.app}","shard":"${s}"},"values":[${values.join(',')}]}`);
  return { body: `{"streams":[${streams.join(',')}]}`, raw: raw.join('\n') + '\n', lines: spec.count, bytes };
}
