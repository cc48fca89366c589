import protobuf from 'protobufjs';
import type { IchigenError } from '../../model/index.js';

/** google.rpc.Status { int32 code = 1; string message = 2; repeated Any details = 3 } */
const Status = new protobuf.Type('Status').add(new protobuf.Field('code', 1, 'int32')).add(new protobuf.Field('message', 2, 'string'));
new protobuf.Root().define('google.rpc').add(Status);

/** gRPC status codes (grpc/status.h). */
export const GRPC_CODE = {
  OK: 0,
  CANCELLED: 1,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

/**
 * The gRPC code for an error, chosen so OTLP senders retry exactly what the spec calls
 * retryable: throttling and overload map to UNAVAILABLE; bad data, too-large and auth
 * failures to codes they drop.
 */
export function grpcCodeOf(e: IchigenError): number {
  switch (e.status) {
    case 400:
    case 415:
      return GRPC_CODE.INVALID_ARGUMENT;
    case 401:
      return GRPC_CODE.UNAUTHENTICATED;
    case 403:
      return GRPC_CODE.PERMISSION_DENIED;
    case 404:
      return GRPC_CODE.UNIMPLEMENTED;
    case 413:
      return GRPC_CODE.RESOURCE_EXHAUSTED;
    case 429:
    case 503:
      return GRPC_CODE.UNAVAILABLE;
    case 499:
      return GRPC_CODE.CANCELLED;
    default:
      return e.status >= 500 ? GRPC_CODE.INTERNAL : GRPC_CODE.INVALID_ARGUMENT;
  }
}

/** The error body OTLP/HTTP asks for: a Status in the request's encoding. */
export function encodeRpcStatus(e: IchigenError, encoding: 'protobuf' | 'json'): Buffer {
  const o = { code: grpcCodeOf(e), message: e.message };
  if (encoding === 'json') return Buffer.from(JSON.stringify(o));
  return Buffer.from(Status.encode(o).finish());
}
