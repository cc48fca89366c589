export interface RemoteMetricStoreOptions {
  /** Remote write endpoint, e.g. http://vm:8428/api/v1/write or Mimir's /api/v1/push. */
  readonly writeUrl: string;
  /** Base URL of the Prometheus query API (the part before /api/v1/...). */
  readonly queryUrl: string;
  /** Authorization header value (`Bearer …` or `Basic …`), never logged. */
  readonly authorization?: string;
  /** Send the tenant as X-Scope-OrgID (Mimir, Cortex, Loki-style multi-tenancy). */
  readonly sendTenantHeader: boolean;
  readonly timeoutMs: number;
}
