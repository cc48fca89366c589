/**
 * One error type crosses every boundary (receiver, store, engine, HTTP).
 * `errorType` follows the Prometheus HTTP API vocabulary so that Prometheus-compatible
 * clients (Grafana first of all) show our errors the way they show Prometheus' own.
 */
export type ErrorType =
  | 'bad_data'
  | 'execution'
  | 'timeout'
  | 'canceled'
  | 'internal'
  | 'unavailable'
  | 'not_found'
  | 'not_acceptable'
  | 'unauthorized'
  | 'forbidden'
  | 'too_many_requests'
  | 'conflict'
  | 'too_large'
  | 'unsupported_media_type';

export interface ErrorDefinition {
  readonly status: number;
  readonly errorType: ErrorType;
}

/** The code catalogue: every coded error the program can return, with its HTTP status. */
export const ERROR_CATALOGUE = {
  BAD_REQUEST: { status: 400, errorType: 'bad_data' },
  INVALID_PARAMETER: { status: 400, errorType: 'bad_data' },
  INVALID_BODY: { status: 400, errorType: 'bad_data' },
  PARSE_ERROR: { status: 400, errorType: 'bad_data' },
  UNAUTHENTICATED: { status: 401, errorType: 'unauthorized' },
  FORBIDDEN: { status: 403, errorType: 'forbidden' },
  TENANT_FORBIDDEN: { status: 403, errorType: 'forbidden' },
  NOT_FOUND: { status: 404, errorType: 'not_found' },
  NOT_ACCEPTABLE: { status: 406, errorType: 'not_acceptable' },
  CONFLICT: { status: 409, errorType: 'conflict' },
  BODY_TOO_LARGE: { status: 413, errorType: 'too_large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, errorType: 'unsupported_media_type' },
  EXECUTION: { status: 422, errorType: 'execution' },
  TOO_MANY_SAMPLES: { status: 422, errorType: 'execution' },
  RATE_LIMITED: { status: 429, errorType: 'too_many_requests' },
  LIMIT_EXCEEDED: { status: 429, errorType: 'too_many_requests' },
  CANCELED: { status: 499, errorType: 'canceled' },
  INTERNAL: { status: 500, errorType: 'internal' },
  UNAVAILABLE: { status: 503, errorType: 'unavailable' },
  TIMEOUT: { status: 503, errorType: 'timeout' },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export interface IchigenErrorOptions {
  /** Seconds a client should wait before retrying (429/503). */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

export class IchigenError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly errorType: ErrorType;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: IchigenErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'IchigenError';
    this.code = code;
    const def: ErrorDefinition = ERROR_CATALOGUE[code];
    this.status = def.status;
    this.errorType = def.errorType;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isIchigenError(err: unknown): err is IchigenError {
  return err instanceof IchigenError;
}

/** Shorthand constructors for the errors every module raises. */
export const errors = {
  badRequest: (message: string): IchigenError => new IchigenError('BAD_REQUEST', message),
  invalidParameter: (name: string, problem: string): IchigenError =>
    new IchigenError('INVALID_PARAMETER', `invalid parameter "${name}": ${problem}`),
  notFound: (what: string): IchigenError => new IchigenError('NOT_FOUND', `${what} not found`),
  unauthenticated: (message = 'authentication required'): IchigenError =>
    new IchigenError('UNAUTHENTICATED', message),
  forbidden: (message: string): IchigenError => new IchigenError('FORBIDDEN', message),
  internal: (message: string, cause?: unknown): IchigenError =>
    new IchigenError('INTERNAL', message, { cause }),
  unavailable: (message: string, retryAfterSeconds?: number): IchigenError =>
    new IchigenError('UNAVAILABLE', message, retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
};
