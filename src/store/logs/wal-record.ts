import type { Labels } from '../../model/index.js';
import type { PushBatch } from '../../receive/loki-push/index.js';

/** The write-ahead log record of one accepted push: compact JSON (tenant, streams, entries). */
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

export function decodeWalRecord(buf: Buffer): { tenant: string; batch: PushBatch } {
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
