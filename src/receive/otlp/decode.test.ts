import { describe, expect, it } from 'vitest';
import { type IchigenError } from '../../model/index.js';
import { decodeOtlpRequest } from './decode.js';
import { encodeExportResponse, encodeTracesProto, tracesToJsonObject } from './encode.js';
import { otlpTypes } from './schema.js';

const attrs = [{ key: 'host', value: { stringValue: 'h1' } }];
const metricsJson = {
  resourceMetrics: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] },
      scopeMetrics: [
        {
          scope: { name: 'meter' },
          metrics: [
            { name: 'g', unit: 's', gauge: { dataPoints: [{ attributes: attrs, timeUnixNano: '1700000000000000000', asDouble: 1.5 }] } },
            { name: 'c', sum: { aggregationTemporality: 2, isMonotonic: true, dataPoints: [{ timeUnixNano: '1700000000000000000', asInt: '42', exemplars: [{ asDouble: 3, traceId: '0102030405060708090a0b0c0d0e0f10', spanId: '0102030405060708', timeUnixNano: '1' }] }] } },
            { name: 'h', histogram: { aggregationTemporality: 1, dataPoints: [{ count: '3', sum: 6, bucketCounts: ['1', '2'], explicitBounds: [1], min: 0.5 }] } },
            { name: 'e', exponentialHistogram: { aggregationTemporality: 2, dataPoints: [{ count: '2', scale: -1, zeroCount: '1', positive: { offset: -2, bucketCounts: ['1'] } }] } },
            { name: 's', summary: { dataPoints: [{ count: '4', sum: 10, quantileValues: [{ quantile: 0.5, value: 2 }] }] } },
          ],
        },
      ],
    },
  ],
};

describe('OTLP decoding', () => {
  it('decodes every metric type the same from JSON and protobuf', () => {
    const fromJson = decodeOtlpRequest('metrics', Buffer.from(JSON.stringify(metricsJson)), 'json');
    const msg = otlpTypes.metricsRequest.fromObject({
      ...metricsJson,
      resourceMetrics: metricsJson.resourceMetrics.map((r) => ({
        ...r,
        scopeMetrics: r.scopeMetrics.map((s) => ({
          ...s,
          metrics: s.metrics.map((m) => JSON.parse(JSON.stringify(m).replace(/"traceId":"([0-9a-f]+)"/, (_x, h: string) => `"traceId":"${Buffer.from(h, 'hex').toString('base64')}"`).replace(/"spanId":"([0-9a-f]+)"/, (_x, h: string) => `"spanId":"${Buffer.from(h, 'hex').toString('base64')}"`)) as unknown),
        })),
      })),
    });
    const fromProto = decodeOtlpRequest('metrics', Buffer.from(otlpTypes.metricsRequest.encode(msg).finish()), 'protobuf');
    expect(fromProto).toEqual(fromJson);
    const ms = fromJson.resourceMetrics[0]!.scopeMetrics[0]!.metrics;
    expect(ms.map((m) => m.data.type)).toEqual(['gauge', 'sum', 'histogram', 'exponentialHistogram', 'summary']);
    const sum = ms[1]!.data;
    expect(sum.type === 'sum' && sum.dataPoints[0]!.intValue).toBe(42n);
    expect(sum.type === 'sum' && sum.dataPoints[0]!.exemplars[0]!.traceId).toBe('0102030405060708090a0b0c0d0e0f10');
    const h = ms[2]!.data;
    expect(h.type === 'histogram' && h.dataPoints[0]).toMatchObject({ count: 3, sum: 6, bucketCounts: [1, 2], explicitBounds: [1], min: 0.5, max: undefined });
    const e = ms[3]!.data;
    expect(e.type === 'exponentialHistogram' && e.dataPoints[0]).toMatchObject({ scale: -1, zeroCount: 1, positive: { offset: -2, bucketCounts: [1] } });
  });

  it('decodes logs with every body type', () => {
    const logs = {
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                { timeUnixNano: '5', severityNumber: 9, severityText: 'INFO', body: { stringValue: 'hello' }, traceId: '0102030405060708090a0b0c0d0e0f10' },
                { observedTimeUnixNano: 6, severityNumber: 'SEVERITY_NUMBER_ERROR', body: { kvlistValue: { values: [{ key: 'a', value: { boolValue: true } }] } } },
              ],
            },
          ],
        },
      ],
    };
    const out = decodeOtlpRequest('logs', Buffer.from(JSON.stringify(logs)), 'json');
    const recs = out.resourceLogs[0]!.scopeLogs[0]!.logRecords;
    expect(recs[0]).toMatchObject({ timeUnixNano: 5n, severityNumber: 9, body: { type: 'string', value: 'hello' } });
    expect(recs[1]).toMatchObject({ timeUnixNano: 0n, observedTimeUnixNano: 6n, severityNumber: 17 });
    expect(recs[1]!.body).toEqual({ type: 'kvlist', value: [{ key: 'a', value: { type: 'bool', value: true } }] });
  });

  it('round-trips traces through the encoders', () => {
    const json = {
      resourceSpans: [
        {
          resource: { attributes: attrs },
          scopeSpans: [
            {
              scope: { name: 's' },
              spans: [
                {
                  traceId: '0102030405060708090a0b0c0d0e0f10',
                  spanId: '0102030405060708',
                  name: 'x',
                  kind: 3,
                  startTimeUnixNano: '1700000000000000001',
                  endTimeUnixNano: '1700000000000000002',
                  links: [{ traceId: '0102030405060708090a0b0c0d0e0f11', spanId: '0102030405060709', attributes: attrs }],
                  status: { code: 2, message: 'bad' },
                },
              ],
            },
          ],
        },
      ],
    };
    const t = decodeOtlpRequest('traces', Buffer.from(JSON.stringify(json)), 'json');
    expect(decodeOtlpRequest('traces', encodeTracesProto(t), 'protobuf')).toEqual(t);
    const again = tracesToJsonObject(t, { ids: 'hex', enums: 'number', omitDefaults: true });
    expect(decodeOtlpRequest('traces', Buffer.from(JSON.stringify(again)), 'json')).toEqual(t);
    const pbJson = tracesToJsonObject(t, { ids: 'base64', enums: 'name', omitDefaults: true }) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<Record<string, unknown>> }> }> };
    expect(pbJson.resourceSpans[0]!.scopeSpans[0]!.spans[0]).toMatchObject({ traceId: 'AQIDBAUGBwgJCgsMDQ4PEA==', kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_ERROR', message: 'bad' } });
  });

  it('refuses garbage with 400 errors that say where', () => {
    const bad = (body: string): IchigenError => {
      try {
        decodeOtlpRequest('traces', Buffer.from(body), 'json');
      } catch (e) {
        return e as IchigenError;
      }
      throw new Error('no error');
    };
    expect(bad('[1]').message).toMatch(/must be a JSON object/);
    expect(bad('{"resourceSpans":{}}').message).toMatch(/resourceSpans: expected an array/);
    expect(bad('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","startTimeUnixNano":"soon"}]}]}]}').message).toMatch(/startTimeUnixNano: expected an integer/);
    expect(bad('{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0102030405060708090a0b0c0d0e0f10","spanId":"0102030405060708","kind":"SIDEWAYS"}]}]}]}').status).toBe(400);
    expect(() => decodeOtlpRequest('metrics', Buffer.from([0x0a, 0x05, 0x01]), 'protobuf')).toThrow(/cannot decode the OTLP metrics protobuf/);
  });

  it('encodes partial success only when something was rejected', () => {
    expect(encodeExportResponse('traces', 'json').toString()).toBe('{}');
    expect(JSON.parse(encodeExportResponse('metrics', 'json', { rejected: 2, message: 'too old' }).toString())).toEqual({ partialSuccess: { rejectedDataPoints: '2', errorMessage: 'too old' } });
    const pb = otlpTypes.logsResponse.decode(encodeExportResponse('logs', 'protobuf', { rejected: 1 })) as unknown as { partialSuccess: { rejectedLogRecords: { toNumber(): number } } };
    expect(pb.partialSuccess.rejectedLogRecords.toNumber()).toBe(1);
  });
});
