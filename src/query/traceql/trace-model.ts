import { getAttribute } from '../../receive/otlp/index.js';
import type { StoredSpan } from '../../store/index.js';

/** A span with its links in the trace tree, for evaluation. */
export interface EvalSpan {
  readonly s: StoredSpan;
  readonly service: string;
  readonly durationNs: number;
  parent: EvalSpan | undefined;
  readonly children: EvalSpan[];
  /** True when the span has no parent id (a real root, nestedSetParent = -1). */
  readonly isRoot: boolean;
  /**
   * Tempo's nested set model: left/right bounds from a depth-first walk from each root (0 for
   * spans not reachable from a root), and the parent's left bound (-1 for roots).
   */
  nestedLeft: number;
  nestedRight: number;
  nestedParent: number;
}

/** A whole trace prepared for TraceQL: parent links, root, bounds. */
export interface EvalTrace {
  readonly traceId: string;
  readonly spans: readonly EvalSpan[];
  readonly root: EvalSpan | undefined;
  readonly startNs: bigint;
  readonly endNs: bigint;
}

export function serviceName(s: StoredSpan): string {
  const v = getAttribute(s.resource.attributes, 'service.name');
  return v?.type === 'string' ? v.value : '';
}

export function buildTrace(traceId: string, stored: readonly StoredSpan[]): EvalTrace {
  const spans: EvalSpan[] = stored.map((s) => ({
    s,
    service: serviceName(s),
    durationNs: Number(s.span.endTimeUnixNano - s.span.startTimeUnixNano),
    parent: undefined,
    children: [],
    isRoot: s.span.parentSpanId === '',
    nestedLeft: 0,
    nestedRight: 0,
    nestedParent: 0,
  }));
  // Zipkin's shared spans: a client and a server span may carry the same id.
  const byId = new Map<string, EvalSpan[]>();
  for (const e of spans) {
    const list = byId.get(e.s.span.spanId);
    if (list) list.push(e);
    else byId.set(e.s.span.spanId, [e]);
  }
  let root: EvalSpan | undefined;
  const roots: EvalSpan[] = [];
  let startNs = spans.length > 0 ? spans[0]!.s.span.startTimeUnixNano : 0n;
  let endNs = spans.length > 0 ? spans[0]!.s.span.endTimeUnixNano : 0n;
  for (const e of spans) {
    const sp = e.s.span;
    if (sp.startTimeUnixNano < startNs) startNs = sp.startTimeUnixNano;
    if (sp.endTimeUnixNano > endNs) endNs = sp.endTimeUnixNano;
    if (e.isRoot) {
      roots.push(e);
      if (root === undefined || sp.startTimeUnixNano < root.s.span.startTimeUnixNano) root = e;
      continue;
    }
    const p = parentOf(e, byId.get(sp.parentSpanId));
    if (p !== undefined && p !== e) {
      e.parent = p;
      p.children.push(e);
    }
  }
  // Guard against parent cycles (bad data): a span may not be its own ancestor.
  for (const e of spans) {
    let p = e.parent;
    for (let hops = 0; p !== undefined; hops++) {
      if (p === e || hops > spans.length) {
        e.parent?.children.splice(e.parent.children.indexOf(e), 1);
        e.parent = undefined;
        break;
      }
      p = p.parent;
    }
  }
  assignNestedSet(roots);
  return { traceId, spans, root, startNs, endNs };
}

/** The parent among spans sharing the parent id: with two (Zipkin's client and server), the other kind. */
function parentOf(e: EvalSpan, candidates: readonly EvalSpan[] | undefined): EvalSpan | undefined {
  if (candidates === undefined || candidates.length === 0) return undefined;
  if (candidates.length === 1) return candidates[0];
  if (candidates.length > 2) return undefined;
  const want = e.s.span.kind === 2 ? 3 : 2;
  return candidates.find((c) => c.s.span.kind === want);
}

function assignNestedSet(roots: readonly EvalSpan[]): void {
  let bound = 1;
  for (const r of roots) {
    r.nestedLeft = bound++;
    r.nestedParent = -1;
    const stack: Array<{ node: EvalSpan; next: number }> = [{ node: r, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.next < top.node.children.length) {
        const child = top.node.children[top.next++]!;
        child.nestedLeft = bound++;
        child.nestedParent = top.node.nestedLeft;
        stack.push({ node: child, next: 0 });
      } else {
        top.node.nestedRight = bound++;
        stack.pop();
      }
    }
  }
}
