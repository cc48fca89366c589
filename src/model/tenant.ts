/** Tenants isolate data and settings; the header is the one Mimir, Loki and Tempo use. */
export const DEFAULT_TENANT = 'default';
export const TENANT_HEADER = 'x-scope-orgid';

const TENANT_RE = /^[a-zA-Z0-9!\-_.*'()]{1,150}$/;

/** Tenant ids follow Cortex/Mimir's rules: safe in paths, at most 150 characters. */
export function isValidTenantId(id: string): boolean {
  return TENANT_RE.test(id) && id !== '.' && id !== '..';
}
