import { DEFAULT_TENANT, IchigenError, TENANT_HEADER, isValidTenantId, type Principal } from '../model/index.js';

/**
 * The tenant a request acts on: `X-Scope-OrgID` when given (and allowed), otherwise the
 * principal's only tenant, otherwise `default`.
 */
export function resolveTenant(principal: Principal | undefined, headerValue: string | undefined): string {
  const requested = headerValue?.trim();
  if (requested !== undefined && requested !== '') {
    if (requested.includes('|')) throw new IchigenError('BAD_REQUEST', 'queries across several tenants (a|b) are not supported');
    if (!isValidTenantId(requested)) throw new IchigenError('BAD_REQUEST', `invalid tenant id in ${TENANT_HEADER}: "${requested.slice(0, 40)}"`);
    if (principal && principal.tenants !== '*' && !principal.tenants.includes(requested)) {
      throw new IchigenError('TENANT_FORBIDDEN', `this credential may not use tenant "${requested}"`);
    }
    return requested;
  }
  if (principal && principal.tenants !== '*') {
    if (principal.tenants.includes(DEFAULT_TENANT) || principal.tenants.length === 0) return DEFAULT_TENANT;
    return principal.tenants[0]!;
  }
  return DEFAULT_TENANT;
}
