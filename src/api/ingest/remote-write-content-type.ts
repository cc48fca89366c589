import { IchigenError } from '../../model/index.js';

const V1 = 'prometheus.writerequest';
const V2 = 'io.prometheus.write.v2.request';

/**
 * Which remote write message a request carries, from its headers (the 2.0 spec's content
 * negotiation): `application/x-protobuf` alone or with `proto=prometheus.WriteRequest` is
 * 1.0, `proto=io.prometheus.write.v2.Request` is 2.0. Any other `proto`, or a
 * `Content-Encoding` other than snappy, is a 415 so that a 2.x sender can fall back.
 */
export function remoteWriteMessage(contentType: string | undefined, contentEncoding: string | undefined): 1 | 2 {
  const encoding = (contentEncoding ?? '').trim().toLowerCase();
  if (encoding !== '' && encoding !== 'snappy') {
    throw new IchigenError('UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Encoding "${encoding}" for remote write; use snappy`);
  }
  const parts = (contentType ?? '').split(';');
  let proto: string | undefined;
  for (const part of parts.slice(1)) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim().toLowerCase() !== 'proto') continue;
    proto = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  if (proto === undefined || proto.toLowerCase() === V1) return 1;
  if (proto.toLowerCase() === V2) return 2;
  throw new IchigenError(
    'UNSUPPORTED_MEDIA_TYPE',
    `unsupported remote write message "${proto}"; this receiver takes prometheus.WriteRequest (remote write 1.0) and io.prometheus.write.v2.Request (2.0)`,
  );
}
