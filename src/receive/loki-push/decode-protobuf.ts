import snappy from 'snappy';
import { IchigenError, isValidLabelName, type Label } from '../../model/index.js';
import { normalizeLabels, parseLabelString } from './label-string.js';
import { PushRequestType, type ProtoPushRequest } from './push-proto.js';
import type { LogEntry, PushBatch, PushStream } from './push-batch.js';

/** Decodes a snappy-block-compressed (or, when `compressed` is false, raw) logproto.PushRequest. */
export function decodeProtobufPush(body: Buffer, compressed = true): PushBatch {
  let raw: Buffer;
  try {
    raw = compressed ? (snappy.uncompressSync(body, { asBuffer: true }) as Buffer) : body;
  } catch (e) {
    throw new IchigenError('INVALID_BODY', `decompressing snappy body: ${(e as Error).message}`);
  }
  let msg: ProtoPushRequest;
  try {
    msg = PushRequestType.toObject(PushRequestType.decode(raw), { longs: String }) as ProtoPushRequest;
  } catch (e) {
    throw new IchigenError('INVALID_BODY', `decoding logproto.PushRequest: ${(e as Error).message}`);
  }
  const streams: PushStream[] = [];
  for (const s of msg.streams ?? []) {
    const labels = parseLabelString(s.labels ?? '');
    const entries: LogEntry[] = [];
    for (const e of s.entries ?? []) {
      const sec = BigInt(String(e.timestamp?.seconds ?? '0'));
      const tsNs = sec * 1_000_000_000n + BigInt(e.timestamp?.nanos ?? 0);
      const meta: Label[] = [];
      for (const p of e.structuredMetadata ?? []) {
        const name = p.name ?? '';
        if (!isValidLabelName(name)) throw new IchigenError('INVALID_BODY', `invalid structured metadata name "${name}"`);
        meta.push({ name, value: p.value ?? '' });
      }
      entries.push({ tsNs, line: e.line ?? '', metadata: [...normalizeLabels(meta, 'structured metadata')] });
    }
    streams.push({ labels, entries });
  }
  return { streams };
}

/** Encodes a batch (used by tests and the benchmark to act as a real protobuf sender). */
export function encodeProtobufPush(batch: PushBatch): Buffer {
  const msg = {
    streams: batch.streams.map((s) => ({
      labels: `{${s.labels.map((l) => `${l.name}=${JSON.stringify(l.value)}`).join(', ')}}`,
      entries: s.entries.map((e) => ({
        timestamp: { seconds: String(e.tsNs / 1_000_000_000n), nanos: Number(e.tsNs % 1_000_000_000n) },
        line: e.line,
        structuredMetadata: e.metadata.map((m) => ({ name: m.name, value: m.value })),
      })),
    })),
  };
  const buf = Buffer.from(PushRequestType.encode(PushRequestType.fromObject(msg)).finish());
  return snappy.compressSync(buf);
}
