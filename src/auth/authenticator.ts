import { IchigenError, ROLE_SCOPES, type Principal } from '../model/index.js';
import type { ApiTokenStore } from './api-tokens.js';
import { tokenPrincipal } from './api-tokens.js';
import type { LoginLimiter } from './login-limiter.js';
import { looksLikeApiToken, sha256Hex } from './secret-token.js';
import type { SessionStore } from './sessions.js';
import type { User, UserStore } from './users.js';

export const SESSION_COOKIE = 'ichigen_session';

export interface CredentialSource {
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly ip: string;
}

export function userPrincipal(u: User): Principal {
  return { kind: 'user', id: u.id, name: u.username, role: u.role, scopes: ROLE_SCOPES[u.role], tenants: '*' };
}

function header(src: CredentialSource, name: string): string | undefined {
  const v = src.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

export function readCookie(cookieHeader: string | undefined, name: string): string | undefined {
  if (cookieHeader === undefined) return undefined;
  for (const part of cookieHeader.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

const BASIC_CACHE_MS = 60_000;

/**
 * Turns request credentials into a principal. Accepted, in order: `Authorization: Bearer
 * <token>`, `Authorization: Basic` with a token as password (what Grafana data sources and
 * Prometheus remote write send) or a user's own password, and the session cookie.
 */
export class Authenticator {
  /** Successful Basic user logins, keyed by a hash of the credentials (scrypt per request would cost ~100 ms). */
  private readonly basicCache = new Map<string, { userId: string; until: number }>();

  constructor(
    private readonly users: UserStore,
    private readonly tokens: ApiTokenStore,
    private readonly sessions: SessionStore,
    private readonly limiter: LoginLimiter,
  ) {}

  async authenticate(src: CredentialSource): Promise<{ principal: Principal; via: 'token' | 'basic' | 'session' } | undefined> {
    const auth = header(src, 'authorization');
    if (auth !== undefined && auth !== '') {
      const space = auth.indexOf(' ');
      const scheme = (space < 0 ? auth : auth.slice(0, space)).toLowerCase();
      const value = space < 0 ? '' : auth.slice(space + 1).trim();
      if (scheme === 'bearer') return { principal: await this.fromToken(value), via: 'token' };
      if (scheme === 'basic') return this.fromBasic(value, src.ip);
      throw new IchigenError('UNAUTHENTICATED', `unsupported authorization scheme "${scheme}" (use Bearer or Basic)`);
    }
    const cookie = readCookie(header(src, 'cookie'), SESSION_COOKIE);
    if (cookie !== undefined && cookie !== '') {
      const session = await this.sessions.resolve(cookie);
      if (session === undefined) throw new IchigenError('UNAUTHENTICATED', 'session expired; sign in again');
      const user = await this.users.findById(session.userId);
      if (!user || user.disabled) throw new IchigenError('UNAUTHENTICATED', 'session expired; sign in again');
      return { principal: userPrincipal(user), via: 'session' };
    }
    return undefined;
  }

  private async fromToken(secret: string): Promise<Principal> {
    const token = secret === '' ? undefined : await this.tokens.verify(secret);
    if (!token) throw new IchigenError('UNAUTHENTICATED', 'invalid, expired or revoked API token');
    return tokenPrincipal(token);
  }

  private async fromBasic(value: string, ip: string): Promise<{ principal: Principal; via: 'basic' | 'token' }> {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new IchigenError('UNAUTHENTICATED', 'malformed Basic credentials');
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (looksLikeApiToken(password)) return { principal: await this.fromToken(password), via: 'token' };
    if (looksLikeApiToken(username) && password === '') return { principal: await this.fromToken(username), via: 'token' };
    const key = sha256Hex(`${username}\0${password}`);
    const now = Date.now();
    const cached = this.basicCache.get(key);
    if (cached && cached.until > now) {
      const u = await this.users.findById(cached.userId);
      if (u && !u.disabled) return { principal: userPrincipal(u), via: 'basic' };
    }
    const limitKeys = [`ip:${ip}`, `user:${username}`];
    this.limiter.check(limitKeys);
    const user = await this.users.verify(username, password);
    if (!user) {
      this.limiter.recordFailure(limitKeys);
      throw new IchigenError('UNAUTHENTICATED', 'invalid username or password');
    }
    this.limiter.recordSuccess([`user:${username}`]);
    if (this.basicCache.size > 10_000) this.basicCache.clear();
    this.basicCache.set(key, { userId: user.id, until: now + BASIC_CACHE_MS });
    return { principal: userPrincipal(user), via: 'basic' };
  }

  /** Forget cached Basic logins (after a password change or a user is disabled). */
  forgetCachedLogins(): void {
    this.basicCache.clear();
  }
}
