import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEFAULT_TENANT, IchigenError, TENANT_HEADER, hasScope, type Scope } from '../model/index.js';
import type { Authenticator } from './authenticator.js';
import { resolveTenant } from './tenant-resolver.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function requiredScope(request: FastifyRequest): Scope {
  return request.routeOptions.config.scope ?? (SAFE_METHODS.has(request.method) ? 'read' : 'write');
}

/** A cookie-authenticated unsafe request must come from our own origin (CSRF defence). */
function checkSameOrigin(request: FastifyRequest): void {
  const origin = request.headers.origin;
  if (origin === undefined || origin === 'null') {
    if (origin === 'null') throw new IchigenError('FORBIDDEN', 'cross-origin request refused');
    return;
  }
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw new IchigenError('FORBIDDEN', 'cross-origin request refused');
  }
  if (host !== request.headers.host) throw new IchigenError('FORBIDDEN', 'cross-origin request refused');
}

/**
 * Every route needs authentication unless it declares `config.public`. Routes say which
 * scope they need in `config.scope`; the default is read for safe methods, write otherwise.
 */
export function installAuthHook(app: FastifyInstance, authenticator: Authenticator): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('tenant', DEFAULT_TENANT);
  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const tenantHeader = request.headers[TENANT_HEADER];
    const tenantValue = Array.isArray(tenantHeader) ? tenantHeader[0] : tenantHeader;
    if (config.public === true) {
      request.tenant = resolveTenant(undefined, tenantValue);
      return;
    }
    const result = await authenticator.authenticate({ headers: request.headers, ip: request.ip });
    if (!result) throw new IchigenError('UNAUTHENTICATED', 'authentication required: send a Bearer token, Basic credentials or sign in');
    const scope = requiredScope(request);
    if (!hasScope(result.principal, scope)) {
      throw new IchigenError('FORBIDDEN', `this credential lacks the "${scope}" scope needed for ${request.method} ${request.routeOptions.url ?? ''}`);
    }
    if (result.via === 'session' && !SAFE_METHODS.has(request.method) && config.allowCrossOrigin !== true) checkSameOrigin(request);
    request.principal = result.principal;
    request.tenant = resolveTenant(result.principal, tenantValue);
  });
}

/** For handlers: the principal, which the hook guarantees on non-public routes. */
export function principalOf(request: FastifyRequest): NonNullable<FastifyRequest['principal']> {
  const p = request.principal;
  if (!p) throw new IchigenError('UNAUTHENTICATED', 'authentication required');
  return p;
}
