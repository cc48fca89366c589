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
  }));
  const byId = new Map<string, EvalSpan>();
  for (const e of spans) byId.set(e.s.span.spanId, e);
  let root: EvalSpan | undefined;
  let startNs = spans.length > 0 ? spans[0]!.s.span.startTimeUnixNano : 0n;
  let endNs = spans.length > 0 ? spans[0]!.s.span.endTimeUnixNano : 0n;
  for (const e of spans) {
    const sp = e.s.span;
    if (sp.startTimeUnixNano < startNs) startNs = sp.startTimeUnixNano;
    if (sp.endTimeUnixNano > endNs) endNs = sp.endTimeUnixNano;
    if (e.isRoot) {
      if (root === undefined || sp.startTimeUnixNano < root.s.span.startTimeUnixNano) root = e;
      continue;
    }
    const p = byId.get(sp.parentSpanId);
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
        e.parent = undefined;
        break;
      }
      p = p.parent;
    }
  }
  return { traceId, spans, root, startNs, endNs };
}
