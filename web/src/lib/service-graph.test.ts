import { describe, expect, it } from 'vitest';
import { edgePath, layoutGraph, type GraphEdge } from './service-graph.js';
import { redQueries, serviceGraphQueries, spanLogsQueries, spanMetricQueries, windowOf } from './span-metrics.js';

const e = (client: string, server: string): GraphEdge => ({ client, server, rate: 1, failedRate: 0, p95: 0.1 });
const ranks = (edges: GraphEdge[]): Record<string, number> => Object.fromEntries(layoutGraph(edges).nodes.map((n) => [n.name, n.rank]));

describe('service graph layout', () => {
  it('puts each service one column right of its deepest caller', () => {
    expect(ranks([e('web', 'checkout'), e('checkout', 'payments'), e('web', 'payments'), e('checkout', 'db')])).toEqual({ web: 0, checkout: 1, payments: 2, db: 2 });
  });

  it('cuts cycles instead of looping, and keeps self-calls in place', () => {
    expect(ranks([e('a', 'b'), e('b', 'c'), e('c', 'a'), e('b', 'b')])).toEqual({ a: 0, b: 1, c: 2 });
    // A cycle nothing enters: still ranked, without recursion forever.
    expect(Object.keys(ranks([e('x', 'y'), e('y', 'x')])).sort()).toEqual(['x', 'y']);
  });

  it('orders a column by its callers, sizes the canvas, and never overlaps nodes', () => {
    const l = layoutGraph([e('a', 'z'), e('b', 'y'), e('a', 'x')]);
    const col1 = l.nodes.filter((n) => n.rank === 1).sort((p, q) => p.y - q.y).map((n) => n.name);
    expect(col1.indexOf('y')).toBeGreaterThan(col1.indexOf('x'));
    for (const n of l.nodes) {
      expect(n.x + 200).toBeLessThanOrEqual(l.width);
      expect(n.y + 68).toBeLessThanOrEqual(l.height);
    }
    const pos = new Set(l.nodes.map((n) => `${n.x},${n.y}`));
    expect(pos.size).toBe(l.nodes.length);
    const [a, z] = [l.nodes.find((n) => n.name === 'a')!, l.nodes.find((n) => n.name === 'z')!];
    expect(edgePath(a, z)).toMatch(/^M \d+(\.\d+)? [\d.]+ C /);
  });

  it('is empty without edges', () => {
    expect(layoutGraph([]).nodes).toEqual([]);
  });
});

describe('span-metric queries and links', () => {
  it('builds RED, graph and per-span queries over the window', () => {
    expect(windowOf(30)).toBe('60s');
    expect(windowOf(3600)).toBe('3600s');
    expect(redQueries('5m', 10).rate).toBe('topk(10, sum by (service) (rate(traces_spanmetrics_calls_total{span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"}[5m])))');
    expect(serviceGraphQueries('1h').failed).toBe('sum by (client, server) (rate(traces_service_graph_request_failed_total[1h]))');
    expect(spanMetricQueries('check"out', 'GET /a').calls).toBe('sum by (status_code) (rate(traces_spanmetrics_calls_total{service="check\\"out", span_name="GET /a"}[5m]))');
  });

  it('finds the logs label that names the service, else searches by trace id alone', () => {
    const values = new Map([
      ['job', ['node']],
      ['app', ['checkout', 'web']],
    ]);
    expect(spanLogsQueries('checkout', 'abc', values, 'job')).toEqual({ metadata: '{app="checkout"} | trace_id="abc"', text: '{app="checkout"} |= "abc"' });
    expect(spanLogsQueries('billing', 'abc', values, 'job')).toEqual({ metadata: '{job=~".+"} | trace_id="abc"', text: '{job=~".+"} |= "abc"' });
    expect(spanLogsQueries('billing', 'abc', new Map(), undefined)).toBeUndefined();
  });
});
