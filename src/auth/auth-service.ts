import type { Kysely } from 'kysely';
import type { StateSchema } from '../state/index.js';
import { ApiTokenStore } from './api-tokens.js';
import { Authenticator } from './authenticator.js';
import { LoginLimiter } from './login-limiter.js';
import { SessionStore } from './sessions.js';
import { UserStore } from './users.js';

export interface AuthOptions {
  readonly sessionTtlMs: number;
  readonly loginMaxFailures: number;
  readonly loginWindowMs: number;
  /** Mark the session cookie Secure (set when served over HTTPS). */
  readonly cookieSecure: boolean;
}

export interface AuthService {
  readonly users: UserStore;
  readonly tokens: ApiTokenStore;
  readonly sessions: SessionStore;
  readonly limiter: LoginLimiter;
  readonly authenticator: Authenticator;
  readonly options: AuthOptions;
}

export function createAuthService(db: Kysely<StateSchema>, options: AuthOptions): AuthService {
  const users = new UserStore(db);
  const tokens = new ApiTokenStore(db);
  const sessions = new SessionStore(db, options.sessionTtlMs);
  const limiter = new LoginLimiter({ maxFailures: options.loginMaxFailures, windowMs: options.loginWindowMs });
  const authenticator = new Authenticator(users, tokens, sessions, limiter);
  return { users, tokens, sessions, limiter, authenticator, options };
}
