import { IchigenError, type ErrorCode } from '../model/index.js';

/** The one JSON error shape, as the Prometheus HTTP API returns it (plus our `code`). */
export interface ErrorBody {
  readonly status: 'error';
  readonly errorType: string;
  readonly error: string;
  readonly code: ErrorCode;
}

export function errorBody(err: IchigenError): ErrorBody {
  return { status: 'error', errorType: err.errorType, error: err.message, code: err.code };
}

interface FastifyLikeError {
  code?: string;
  statusCode?: number;
  message?: string;
  validation?: unknown;
}

/**
 * Maps whatever was thrown (our errors, Fastify's own, zlib's) onto the catalogue, so the
 * client always gets a status and message that name the problem.
 */
export function toIchigenError(err: unknown): IchigenError {
  if (err instanceof IchigenError) return err;
  const e = (err ?? {}) as FastifyLikeError;
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (e.validation !== undefined) return new IchigenError('INVALID_PARAMETER', message);
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new IchigenError('BODY_TOO_LARGE', 'request body is larger than the configured limit (server.max_request_bytes)');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new IchigenError('UNSUPPORTED_MEDIA_TYPE', message);
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return new IchigenError('INVALID_BODY', message);
    case 'Z_DATA_ERROR':
    case 'Z_BUF_ERROR':
      return new IchigenError('INVALID_BODY', `invalid compressed body: ${message}`);
    case 'ERR_BUFFER_TOO_LARGE':
      return new IchigenError('BODY_TOO_LARGE', 'decompressed request body is larger than the configured limit');
    default:
      break;
  }
  if (message.startsWith('Unexpected token') || e.code === 'ERR_INVALID_JSON') {
    return new IchigenError('INVALID_BODY', `invalid JSON body: ${message}`);
  }
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    if (e.statusCode === 413) return new IchigenError('BODY_TOO_LARGE', message);
    if (e.statusCode === 415) return new IchigenError('UNSUPPORTED_MEDIA_TYPE', message);
    if (e.statusCode === 404) return new IchigenError('NOT_FOUND', message);
    if (e.statusCode === 429) return new IchigenError('RATE_LIMITED', message);
    return new IchigenError('BAD_REQUEST', message);
  }
  return new IchigenError('INTERNAL', 'internal server error', { cause: err });
}
