import { IchigenError } from '../../model/index.js';
import type { LogStore } from '../../store/logs/index.js';
import { parseLogQL } from './parse.js';
import { compilePipeline } from './pipeline.js';

export const PATTERN_PLACEHOLDER = '<_>';

export interface LogPattern {
  readonly pattern: string;
  /** [unix seconds of the step, lines in that step], ascending. */
  readonly samples: Array<[number, number]>;
}

export interface PatternsRequest {
  readonly tenant: string;
  readonly query: string;
  readonly startNs: bigint;
  readonly endNs: bigint;
  readonly stepMs: number;
  /** Most lines read (newest first); older lines are not counted. */
  readonly maxLines: number;
}

/** Similarity a line needs to join a cluster (Drain's sim_th, as Loki's pattern ingester uses). */
const SIMILARITY = 0.3;
const MAX_CLUSTERS_PER_LEAF = 100;
const MAX_CLUSTERS = 1000;

interface Token {
  readonly text: string;
  /** Separator written before it when the pattern is printed ('' after a `key=`). */
  readonly sep: string;
}

/** Words split at spaces; `key=value` becomes `key=` and `value` so values vary on their own. */
export function tokenize(line: string): Token[] {
  const out: Token[] = [];
  for (const word of line.split(/\s+/)) {
    if (word === '') continue;
    const eq = word.indexOf('=');
    if (eq > 0 && eq < word.length - 1) {
      out.push({ text: word.slice(0, eq + 1), sep: out.length === 0 ? '' : ' ' });
      out.push({ text: word.slice(eq + 1), sep: '' });
    } else out.push({ text: word, sep: out.length === 0 ? '' : ' ' });
  }
  return out;
}

const hasDigit = (s: string): boolean => /\d/.test(s);

interface Cluster {
  tokens: Token[];
  readonly counts: Map<number, number>;
  total: number;
}

/** Equal tokens (placeholders count as equal) over the length; placeholders break ties. */
function similarity(template: readonly Token[], tokens: readonly Token[]): { sim: number; params: number } {
  let same = 0;
  let params = 0;
  for (let i = 0; i < template.length; i++) {
    if (template[i]!.text === PATTERN_PLACEHOLDER) params++;
    else if (template[i]!.text === tokens[i]!.text) same++;
  }
  return { sim: (same + params) / template.length, params };
}

/**
 * Log patterns by a small Drain: lines of the same length and leading words are compared
 * position by position; a line close enough to a cluster joins it and the positions that
 * differ become `<_>`. Each pattern counts its lines per step.
 */
export class PatternMiner {
  private readonly leaves = new Map<string, Cluster[]>();
  private clusters = 0;

  constructor(private readonly stepMs: number) {}

  add(line: string, tsMs: number): void {
    const tokens = tokenize(line);
    if (tokens.length === 0) return;
    const lead = tokens.slice(0, 2).map((t) => (hasDigit(t.text) ? PATTERN_PLACEHOLDER : t.text));
    const key = `${tokens.length}\u0000${lead.join('\u0000')}`;
    let leaf = this.leaves.get(key);
    if (!leaf) this.leaves.set(key, (leaf = []));
    let best: Cluster | undefined;
    let bestSim = -1;
    let bestParams = -1;
    for (const c of leaf) {
      const { sim, params } = similarity(c.tokens, tokens);
      if (sim > bestSim || (sim === bestSim && params > bestParams)) {
        best = c;
        bestSim = sim;
        bestParams = params;
      }
    }
    if (best === undefined || bestSim < SIMILARITY) {
      if (leaf.length >= MAX_CLUSTERS_PER_LEAF || this.clusters >= MAX_CLUSTERS) return;
      best = { tokens, counts: new Map(), total: 0 };
      leaf.push(best);
      this.clusters++;
    } else {
      best.tokens = best.tokens.map((t, i) => (t.text === tokens[i]!.text || t.text === PATTERN_PLACEHOLDER ? t : { text: PATTERN_PLACEHOLDER, sep: t.sep }));
    }
    const bucket = Math.floor(tsMs / this.stepMs) * this.stepMs;
    best.counts.set(bucket, (best.counts.get(bucket) ?? 0) + 1);
    best.total++;
  }

  /** Patterns with at least one literal token, most frequent first. */
  patterns(): LogPattern[] {
    const all: Array<LogPattern & { total: number }> = [];
    for (const leaf of this.leaves.values()) {
      for (const c of leaf) {
        if (c.tokens.every((t) => t.text === PATTERN_PLACEHOLDER)) continue;
        const pattern = c.tokens.map((t) => t.sep + t.text).join('');
        const samples = [...c.counts].sort((a, b) => a[0] - b[0]).map(([t, n]): [number, number] => [t / 1000, n]);
        all.push({ pattern, samples, total: c.total });
      }
    }
    // The same template may have formed in two leaves (a literal that later varied): merge them.
    const merged = new Map<string, { samples: Map<number, number>; total: number }>();
    for (const p of all) {
      let m = merged.get(p.pattern);
      if (!m) merged.set(p.pattern, (m = { samples: new Map(), total: 0 }));
      for (const [t, n] of p.samples) m.samples.set(t, (m.samples.get(t) ?? 0) + n);
      m.total += p.total;
    }
    return [...merged]
      .sort((a, b) => b[1].total - a[1].total)
      .map(([pattern, m]) => ({ pattern, samples: [...m.samples].sort((a, b) => a[0] - b[0]) }));
  }
}

/** Loki's `/loki/api/v1/patterns`, computed at query time from the stored lines of a log query. */
export async function detectPatterns(store: LogStore, req: PatternsRequest): Promise<LogPattern[]> {
  const expr = parseLogQL(req.query);
  if (expr.kind !== 'log') throw new IchigenError('INVALID_PARAMETER', 'patterns need a log query (a stream selector with an optional pipeline), not a metric query');
  if (req.stepMs <= 0) throw new IchigenError('INVALID_PARAMETER', 'zero or negative query resolution step widths are not accepted. Try a positive integer');
  const pipeline = compilePipeline(expr);
  const miner = new PatternMiner(req.stepMs);
  const selected = await store.select({ tenant: req.tenant, matchers: expr.matchers, startNs: req.startNs, endNs: req.endNs, mustContain: pipeline.mustContain });
  const lines: Array<{ ts: bigint; line: string }> = [];
  for (const s of selected) {
    for (const e of s.entries) {
      const r = pipeline.run(e.line, e.tsNs, s.stream.labels, e.metadata);
      if (r) lines.push({ ts: e.tsNs, line: r.line });
    }
  }
  lines.sort((a, b) => (a.ts === b.ts ? 0 : a.ts > b.ts ? -1 : 1));
  for (const l of lines.slice(0, req.maxLines).reverse()) miner.add(l.line, Number(l.ts / 1_000_000n));
  return miner.patterns();
}
