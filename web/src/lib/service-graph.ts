/** One edge of the service graph: requests from `client` to `server`. */
export interface GraphEdge {
  readonly client: string;
  readonly server: string;
  /** Requests per second over the window (undefined: too few samples for a rate). */
  readonly rate: number | undefined;
  readonly failedRate: number | undefined;
  readonly p95: number | undefined;
}

export interface PlacedNode {
  readonly name: string;
  readonly x: number;
  readonly y: number;
  /** Column (0 = services nothing calls). */
  readonly rank: number;
}

export interface GraphLayout {
  readonly nodes: readonly PlacedNode[];
  readonly width: number;
  readonly height: number;
}

export const NODE_W = 200;
export const NODE_H = 68;
const COL_GAP = 120;
const ROW_GAP = 34;
const PAD = 16;

/**
 * Columns by call depth: a service sits one column right of the deepest service calling it
 * (cycles are cut where a depth-first walk meets a service already on its path), then each
 * column is ordered by the mean row of its callers so edges cross less.
 */
export function layoutGraph(edges: readonly GraphEdge[]): GraphLayout {
  const names = [...new Set(edges.flatMap((e) => [e.client, e.server]))].sort();
  const out = new Map<string, string[]>();
  const incoming = new Map<string, string[]>();
  for (const n of names) {
    out.set(n, []);
    incoming.set(n, []);
  }
  for (const e of edges) {
    if (e.client === e.server) continue;
    out.get(e.client)!.push(e.server);
    incoming.get(e.server)!.push(e.client);
  }
  // Back edges (closing a cycle) are dropped for ranking.
  const back = new Set<string>();
  const state = new Map<string, 'open' | 'done'>();
  const visit = (n: string): void => {
    state.set(n, 'open');
    for (const m of out.get(n)!) {
      const s = state.get(m);
      if (s === 'open') back.add(`${n}\u0000${m}`);
      else if (s === undefined) visit(m);
    }
    state.set(n, 'done');
  };
  const roots = names.filter((n) => incoming.get(n)!.length === 0);
  for (const n of [...roots, ...names]) if (!state.has(n)) visit(n);
  const rank = new Map<string, number>();
  const rankOf = (n: string): number => {
    const known = rank.get(n);
    if (known !== undefined) return known;
    rank.set(n, 0); // guards re-entry; forward edges only below
    let r = 0;
    for (const c of incoming.get(n)!) if (!back.has(`${c}\u0000${n}`)) r = Math.max(r, rankOf(c) + 1);
    rank.set(n, r);
    return r;
  };
  for (const n of names) rankOf(n);
  const columns: string[][] = [];
  for (const n of names) (columns[rank.get(n)!] ??= []).push(n);
  const row = new Map<string, number>();
  columns.forEach((col, ci) => {
    if (ci > 0) {
      const key = (n: string): number => {
        const rows = incoming.get(n)!.map((c) => row.get(c)).filter((x): x is number => x !== undefined);
        return rows.length === 0 ? Number.MAX_SAFE_INTEGER : rows.reduce((a, b) => a + b, 0) / rows.length;
      };
      col.sort((a, b) => key(a) - key(b) || a.localeCompare(b));
    }
    col.forEach((n, i) => row.set(n, i));
  });
  const tallest = Math.max(0, ...columns.map((c) => c.length));
  const height = PAD * 2 + tallest * NODE_H + Math.max(0, tallest - 1) * ROW_GAP;
  const nodes: PlacedNode[] = [];
  columns.forEach((col, ci) => {
    // Centre shorter columns vertically.
    const colH = col.length * NODE_H + (col.length - 1) * ROW_GAP;
    const top = (height - colH) / 2;
    col.forEach((n, i) => nodes.push({ name: n, rank: ci, x: PAD + ci * (NODE_W + COL_GAP), y: top + i * (NODE_H + ROW_GAP) }));
  });
  return { nodes, width: PAD * 2 + columns.length * NODE_W + Math.max(0, columns.length - 1) * COL_GAP, height };
}

/** An edge's path: from the client's right side to the server's left (a loop back when it points left). */
export function edgePath(a: PlacedNode, b: PlacedNode): string {
  const y1 = a.y + NODE_H / 2;
  const y2 = b.y + NODE_H / 2;
  if (a.name === b.name) {
    const x = a.x + NODE_W / 2;
    return `M ${x - 12} ${a.y} C ${x - 30} ${a.y - 40}, ${x + 30} ${a.y - 40}, ${x + 12} ${a.y}`;
  }
  if (b.x > a.x) {
    const x1 = a.x + NODE_W;
    const x2 = b.x;
    const mid = (x1 + x2) / 2;
    return `M ${x1} ${y1} C ${mid} ${y1}, ${mid} ${y2}, ${x2} ${y2}`;
  }
  // Backwards (a cycle) or within a column: arc under the nodes.
  const x1 = a.x + NODE_W / 2;
  const x2 = b.x + NODE_W / 2;
  const low = Math.max(a.y, b.y) + NODE_H + 28;
  return `M ${x1} ${a.y + NODE_H} C ${x1} ${low}, ${x2} ${low}, ${x2} ${b.y + NODE_H}`;
}
