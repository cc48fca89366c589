import { describe, expect, it } from 'vitest';
import { decodeOtlpRequest } from './decode.js';
import { encodeTracesProto } from './encode.js';
import { fastDecodeTraces } from './fast-traces.js';
import { otlpTypes } from './schema.js';
import { readTraces, type OtlpTraces } from './traces.js';

const b64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');

/** A request using every field, decoded by protobufjs + readTraces as the reference. */
const request = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }], droppedAttributesCount: 2 },
      schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
      scopeSpans: [
        {
          scope: { name: 'lib', version: '1.2', attributes: [{ key: 'auto', value: { boolValue: true } }], droppedAttributesCount: 1 },
          schemaUrl: 's',
          spans: [
            {
              traceId: b64('0af7651916cd43dd8448eb211c80319c'),
              spanId: b64('b7ad6b7169203331'),
              parentSpanId: b64('00f067aa0ba902b7'),
              traceState: 'k=v',
              flags: 257,
              name: 'GET /é',
              kind: 2,
              startTimeUnixNano: '1700000000123456789',
              endTimeUnixNano: '18446744073709551615',
              attributes: [
                { key: 's', value: { stringValue: 'ünïcødé ✓' } },
                { key: 'neg', value: { intValue: '-9223372036854775808' } },
                { key: 'big', value: { intValue: '9007199254740993' } },
                { key: 'small', value: { intValue: '-1' } },
                { key: 'd', value: { doubleValue: -0.5 } },
                { key: 'b', value: { boolValue: false } },
                { key: 'arr', value: { arrayValue: { values: [{ stringValue: 'x' }, { intValue: '3' }, { arrayValue: { values: [] } }] } } },
                { key: 'kv', value: { kvlistValue: { values: [{ key: 'in', value: { kvlistValue: { values: [{ key: 'deep', value: { doubleValue: 1e300 } }] } } }] } } },
                { key: 'bytes', value: { bytesValue: Buffer.from([0, 255, 7]) } },
                { key: 'empty', value: {} },
              ],
              droppedAttributesCount: 3,
              events: [{ timeUnixNano: '1700000000200000000', name: 'retry', attributes: [{ key: 'n', value: { intValue: '1' } }], droppedAttributesCount: 4 }],
              droppedEventsCount: 5,
              links: [{ traceId: b64('11111111111111111111111111111111'), spanId: b64('2222222222222222'), traceState: 'a=b', attributes: [], droppedAttributesCount: 6, flags: 1 }],
              droppedLinksCount: 7,
              status: { code: 2, message: 'boom' },
            },
            { traceId: b64('0af7651916cd43dd8448eb211c80319c'), spanId: b64('0000000000000001'), name: '' },
          ],
        },
        { spans: [] },
      ],
    },
    { scopeSpans: [] },
  ],
};

function reference(buf: Buffer): OtlpTraces {
  return readTraces(otlpTypes.traceRequest.decode(buf));
}

describe('fastDecodeTraces', () => {
  it('decodes every field exactly as protobufjs + readTraces do', () => {
    const buf = Buffer.from(otlpTypes.traceRequest.encode(otlpTypes.traceRequest.fromObject(request)).finish());
    const fast = fastDecodeTraces(buf);
    expect(fast).toEqual(reference(buf));
    // Round trip through our own encoder too.
    const again = encodeTracesProto(fast!);
    expect(fastDecodeTraces(again)).toEqual(reference(again));
    expect(fastDecodeTraces(Buffer.alloc(0))).toEqual({ resourceSpans: [] });
  });

  it('gives up on what it does not expect, and the general decoder names the problem', () => {
    const bad = (mutate: (o: typeof request) => void): Buffer => {
      const o = JSON.parse(JSON.stringify(request)) as typeof request;
      mutate(o);
      return Buffer.from(otlpTypes.traceRequest.encode(otlpTypes.traceRequest.fromObject(o)).finish());
    };
    const shortId = bad((o) => (o.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.spanId = b64('0102')));
    expect(fastDecodeTraces(shortId)).toBeUndefined();
    expect(() => decodeOtlpRequest('traces', shortId, 'protobuf')).toThrow(/spans\[1\]\.spanId: expected 8 bytes/);
    const zeroTrace = bad((o) => (o.resourceSpans[0]!.scopeSpans[0]!.spans[1]!.traceId = b64('00000000000000000000000000000000')));
    expect(fastDecodeTraces(zeroTrace)).toBeUndefined();
    expect(() => decodeOtlpRequest('traces', zeroTrace, 'protobuf')).toThrow(/non-zero trace id/);
    const truncated = Buffer.from(otlpTypes.traceRequest.encode(otlpTypes.traceRequest.fromObject(request)).finish()).subarray(0, 60);
    expect(fastDecodeTraces(truncated)).toBeUndefined();
    expect(() => decodeOtlpRequest('traces', truncated, 'protobuf')).toThrow(/cannot decode the OTLP traces protobuf body/);
  });
});
