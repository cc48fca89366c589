import { describe, expect, it } from 'vitest';
import { decodeTrace, idToHex, searchDurationSeconds, traceRows, type TraceSpan } from './trace-model.js';

const b64 = (hex: string): string => btoa(String.fromCharCode(...hex.match(/../g)!.map((h) => parseInt(h, 16))));

describe('trace model', () => {
  it('decodes Tempo v2 JSON: base64 ids, services, status, attributes, ns times', () => {
    const spans = decodeTrace({
      trace: {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] },
            scopeSpans: [
              {
                spans: [
                  {
                    spanId: b64('00000000000000aa'),
                    name: 'GET /cart',
                    kind: 'SPAN_KIND_SERVER',
                    startTimeUnixNano: '1764072000123456789',
                    endTimeUnixNano: '1764072000223456789',
                    attributes: [{ key: 'http.status_code', value: { intValue: '500' } }, { key: 'tags', value: { arrayValue: { values: [{ stringValue: 'a' }, { boolValue: true }] } } }],
                    status: { code: 'STATUS_CODE_ERROR', message: 'boom' },
                    events: [{ name: 'exception', timeUnixNano: '1764072000133456789', attributes: [] }],
                  },
                ],
              },
            ],
          },
        ],
      },
    });
    expect(spans).toHaveLength(1);
    const s = spans[0]!;
    expect(s).toMatchObject({ spanId: '00000000000000aa', parentId: '', service: 'checkout', kind: 'server', error: true, statusMessage: 'boom' });
    expect(s.attributes).toEqual({ 'http.status_code': '500', tags: '[a, true]' });
    expect(s.endMs - s.startMs).toBeCloseTo(100, 6);
    expect(s.events[0]!.timeMs - s.startMs).toBeCloseTo(10, 6);
    expect(idToHex('00000000000000ab')).toBe('00000000000000ab');
  });

  const span = (spanId: string, parentId: string, startMs: number, endMs: number): TraceSpan => ({ spanId, parentId, name: spanId, service: 's', kind: 'internal', startMs, endMs, error: false, statusMessage: '', attributes: {}, resource: {}, events: [] });

  it('orders a tree depth-first with siblings by start and marks the critical path', () => {
    const rows = traceRows([span('c2', 'root', 50, 95), span('root', '', 0, 100), span('c1', 'root', 10, 40), span('g1', 'c2', 60, 90), span('orphan', 'missing', 5, 6)]);
    expect(rows.map((r) => `${r.span.spanId}:${r.depth}`)).toEqual(['root:0', 'c1:1', 'c2:1', 'g1:2', 'orphan:0']);
    expect(rows.filter((r) => r.critical).map((r) => r.span.spanId)).toEqual(['root', 'c2', 'g1']);
  });

  it('survives a parent cycle in bad data', () => {
    const rows = traceRows([span('a', 'b', 0, 1), span('b', 'a', 0, 1)]);
    expect(rows.map((r) => r.span.spanId).sort()).toEqual(['a', 'b']);
  });
});

describe('search result duration', () => {
  it('reads a missing or 0 durationMs as under a millisecond, else seconds', () => {
    expect(searchDurationSeconds(undefined)).toBe('<1ms');
    expect(searchDurationSeconds(0)).toBe('<1ms');
    expect(searchDurationSeconds(250)).toBe(0.25);
  });
});
