import { describe, expect, it } from 'vitest';
import { parsePromText, sumOf } from './prom-text.js';

describe('Prometheus text format', () => {
  const text = `# HELP ichigen_http_requests_total Requests
# TYPE ichigen_http_requests_total counter
ichigen_http_requests_total{route="/a",method="GET",code="200"} 5
ichigen_http_requests_total{route="/b",method="POST",code="500"} 2
ichigen_http_requests_total{route="/c\\"x",method="GET",code="503"} 1
process_resident_memory_bytes 1.5e+07
weird line
nodejs_eventloop_lag_seconds +Inf
`;
  it('parses names, escaped labels and values, and skips what is not a sample', () => {
    const s = parsePromText(text);
    expect(s).toHaveLength(5);
    expect(s[2]!.labels.route).toBe('/c"x');
    expect(s[3]).toEqual({ name: 'process_resident_memory_bytes', labels: {}, value: 15_000_000 });
    expect(s[4]!.value).toBe(Infinity);
  });
  it('sums with a label filter and tells a missing metric apart from zero', () => {
    const s = parsePromText(text);
    expect(sumOf(s, 'ichigen_http_requests_total')).toBe(8);
    expect(sumOf(s, 'ichigen_http_requests_total', (l) => l.code?.startsWith('5') ?? false)).toBe(3);
    expect(sumOf(s, 'nope')).toBeUndefined();
  });
});
