import type { Generated } from 'kysely';

/**
 * The state database's tables, as Kysely sees them. Portable types only: text ids made by
 * the application, times as integer milliseconds, booleans as 0/1, JSON as text — so one
 * set of migrations and queries serves SQLite and PostgreSQL.
 */
export interface UsersTable {
  id: string;
  username: string;
  display_name: string;
  email: string;
  role: string;
  password_hash: string | null;
  auth_source: string;
  disabled: number;
  created_at: number;
  updated_at: number;
}

export interface SessionsTable {
  /** sha256 of the cookie value: a stolen database does not yield live sessions. */
  id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
  user_agent: string;
  ip: string;
}

export interface ApiTokensTable {
  id: string;
  name: string;
  /** sha256 of the token; tokens are random enough that a slow KDF buys nothing. */
  token_hash: string;
  /** Comma-separated scopes. */
  scopes: string;
  /** '*' or comma-separated tenant ids. */
  tenants: string;
  created_by: string | null;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  tenant: string;
  actor: string;
  action: string;
  target: string;
  details: string;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface EventsTable {
  seq: Generated<number>;
  id: string;
  tenant: string;
  time: number;
  source: string;
  detail_type: string;
  /** JSON array of strings. */
  resources: string;
  /** JSON object. */
  detail: string;
  account: string;
  region: string;
  received_at: number;
}

export interface StateSchema {
  users: UsersTable;
  sessions: SessionsTable;
  api_tokens: ApiTokensTable;
  audit_log: AuditLogTable;
  settings: SettingsTable;
  events: EventsTable;
}
