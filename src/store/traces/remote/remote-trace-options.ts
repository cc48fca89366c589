export interface RemoteTraceStoreOptions {
  /** OTLP/HTTP traces endpoint spans are exported to, e.g. http://tempo:4318/v1/traces. */
  readonly otlpUrl: string;
  /** Base URL of the Tempo HTTP API spans are read back from (before /api), e.g. http://tempo:3200. */
  readonly queryUrl: string;
  /** Authorization header value (`Bearer …`), never logged. */
  readonly authorization?: string;
  /** Send the tenant as X-Scope-OrgID (Tempo's multi-tenancy). */
  readonly sendTenantHeader: boolean;
  readonly timeoutMs: number;
}
