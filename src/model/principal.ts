/**
 * Who is making a request. Scopes are what a token or role may do:
 * `read` queries data, `write` edits configuration objects (dashboards, rules, schedules),
 * `ingest` sends telemetry, `admin` manages users, tokens and settings (and implies all).
 */
export const SCOPES = ['ingest', 'read', 'write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

export const ROLES = ['admin', 'editor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_SCOPES: Readonly<Record<Role, readonly Scope[]>> = {
  admin: ['admin', 'write', 'read', 'ingest'],
  editor: ['write', 'read', 'ingest'],
  viewer: ['read'],
};

export interface Principal {
  readonly kind: 'user' | 'token';
  /** User id or token id. */
  readonly id: string;
  /** Username or token name, for audit trails. */
  readonly name: string;
  readonly role?: Role;
  readonly scopes: readonly Scope[];
  /** Tenants this principal may use; '*' means any. */
  readonly tenants: readonly string[] | '*';
}

export function hasScope(principal: Principal, scope: Scope): boolean {
  if (principal.scopes.includes('admin')) return true;
  if (scope === 'read' && principal.scopes.includes('write')) return true;
  return principal.scopes.includes(scope);
}

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

export function isRole(s: string): s is Role {
  return (ROLES as readonly string[]).includes(s);
}
