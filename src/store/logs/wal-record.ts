import type { Labels } from '../../model/index.js';
import { decodeJsonPush, decodeProtobufPush, type PushBatch } from '../../receive/loki-push/index.js';

/**
 * The body a push was decoded from. When the store accepts every entry of it, the write-ahead
 * log keeps these bytes as they came (replay decodes them again) instead of encoding the
 * batch once more: on ingest that encoding cost as much as the decoding.
 */
export interface PushSource {
  readonly format: 'loki-json' | 'loki-protobuf-snappy' | 'loki-protobuf';
  readonly body: Buffer;
}

/**
 * Records: a JSON record (starts with `{`: tenant, streams, entries — every batch can be
 * written so), or a tag byte for a raw body, a u16 tenant length, the tenant, the body.
 */
const TAGS = { 'loki-json': 1, 'loki-protobuf-snappy': 2, 'loki-protobuf': 3 } as const;

/** The JSON record of one accepted push: compact (tenant, streams, entries). */
interface RecordJson {
  t: string;
  s: Array<{ l: Array<[string, string]>; e: Array<[string, string] | [string, string, Array<[string, string]>]> }>;
}

export function encodeWalRecord(tenant: string, batch: PushBatch): Buffer {
  const rec: RecordJson = {
    t: tenant,
    s: batch.streams.map((s) => ({
      l: s.labels.map((l) => [l.name, l.value]),
      e: s.entries.map((e) => (e.metadata.length === 0 ? [String(e.tsNs), e.line] : [String(e.tsNs), e.line, e.metadata.map((m) => [m.name, m.value])])),
    })),
  };
  return Buffer.from(JSON.stringify(rec));
}

/** A raw-body record in parts (the log writes them gathered): tag, tenant, the body as it came. */
export function encodeRawWalRecord(tenant: string, source: PushSource): Buffer[] {
  const t = Buffer.from(tenant);
  const head = Buffer.allocUnsafe(3);
  head[0] = TAGS[source.format];
  head.writeUInt16LE(t.length, 1);
  return [head, t, source.body];
}

export function decodeWalRecord(buf: Buffer): { tenant: string; batch: PushBatch } {
  const tag = buf[0];
  if (tag === TAGS['loki-json'] || tag === TAGS['loki-protobuf-snappy'] || tag === TAGS['loki-protobuf']) {
    const len = buf.readUInt16LE(1);
    const tenant = buf.toString('utf8', 3, 3 + len);
    const body = buf.subarray(3 + len);
    if (tag === TAGS['loki-json']) return { tenant, batch: decodeJsonPush(JSON.parse(body.toString('utf8'))) };
    return { tenant, batch: decodeProtobufPush(body, tag === TAGS['loki-protobuf-snappy']) };
  }
  const rec = JSON.parse(buf.toString('utf8')) as RecordJson;
  const pairs = (p: Array<[string, string]>): Labels => p.map(([name, value]) => ({ name, value }));
  return {
    tenant: rec.t,
    batch: {
      streams: rec.s.map((s) => ({
        labels: pairs(s.l),
        entries: s.e.map((e) => ({ tsNs: BigInt(e[0]), line: e[1], metadata: e.length === 3 ? pairs(e[2]) : [] })),
      })),
    },
  };
}
