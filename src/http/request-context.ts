import type { Principal, Scope } from '../model/index.js';

/**
 * What the auth layer attaches to every request, and what routes declare about
 * themselves. Declared once here so every module sees the same types.
 */
declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook before any handler runs (absent only on public routes). */
    principal?: Principal;
    /** The tenant this request acts on, resolved from X-Scope-OrgID and the principal. */
    tenant: string;
  }
  interface FastifyContextConfig {
    /** The scope a caller needs; default: `read` for GET/HEAD, `write` otherwise. */
    scope?: Scope;
    /** No authentication at all (health checks, login, static UI assets). */
    public?: boolean;
    /** Accept the session cookie for unsafe methods without an Origin check (never set this lightly). */
    allowCrossOrigin?: boolean;
  }
}

export {};
