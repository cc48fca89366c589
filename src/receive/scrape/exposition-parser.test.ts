import { describe, expect, it } from 'vitest';
import { parseExposition } from './exposition-parser.js';

describe('exposition parser', () => {
  it('parses the text format with escapes, timestamps and metadata', () => {
    const text = [
      '# HELP http_requests_total The total number of requests.\\nSecond line.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400"}    3 1395066363000',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      '# a free comment',
      'metric_without_labels 12.47',
      'nan_metric NaN',
      'inf_metric{x=""} +Inf',
      '',
    ].join('\n');
    const p = parseExposition(text, false);
    expect(p.samples.length).toBe(6);
    expect(p.samples[0]).toEqual({ labels: [{ name: '__name__', value: 'http_requests_total' }, { name: 'method', value: 'post' }, { name: 'code', value: '200' }], value: 1027, timestamp: 1395066363000 });
    expect(p.samples[2]!.labels[1]).toEqual({ name: 'path', value: 'C:\\DIR\\FILE.TXT' });
    expect(p.samples[2]!.labels[2]).toEqual({ name: 'error', value: 'Cannot find file:\n"FILE.TXT"' });
    expect(Number.isNaN(p.samples[4]!.value)).toBe(true);
    expect(p.samples[5]).toEqual({ labels: [{ name: '__name__', value: 'inf_metric' }], value: Infinity, timestamp: undefined });
    expect(p.metadata).toEqual([{ metric: 'http_requests_total', type: 'counter', help: 'The total number of requests.\nSecond line.', unit: '' }]);
  });

  it('parses OpenMetrics: float-second timestamps, UNIT, exemplars, # EOF', () => {
    const text = ['# TYPE foo_seconds counter', '# UNIT foo_seconds seconds', '# HELP foo_seconds Foo.', 'foo_seconds_total{a="b"} 17 1520879607.789 # {trace_id="x"} 1 1520879607.7', 'foo_seconds_created{a="b"} 1520430000', '# EOF', ''].join('\n');
    const p = parseExposition(text, true);
    expect(p.samples[0]).toEqual({ labels: [{ name: '__name__', value: 'foo_seconds_total' }, { name: 'a', value: 'b' }], value: 17, timestamp: 1520879607789 });
    expect(p.metadata).toEqual([{ metric: 'foo_seconds', type: 'counter', help: 'Foo.', unit: 'seconds' }]);
    expect(() => parseExposition('# UNIT foo seconds\n# EOF\n', true)).toThrow(/not a suffix/);
    expect(() => parseExposition('foo 1\n', true)).toThrow(/# EOF/);
  });

  it('names the line of a syntax error', () => {
    expect(() => parseExposition('ok 1\nbad{a="1" 2\n', false)).toThrow(/line 2/);
    expect(() => parseExposition('x{a="1",a="2"} 1\n', false)).toThrow(/repeated/);
    expect(() => parseExposition('x abc\n', false)).toThrow(/invalid value/);
    expect(() => parseExposition('# TYPE x nonsense\n', false)).toThrow(/invalid metric type/);
  });
});
