import type { BackendConnection } from '../../remote-backend/index.js';

export interface RemoteTraceStoreOptions extends BackendConnection {
  /** OTLP/HTTP traces endpoint spans are exported to, e.g. http://tempo:4318/v1/traces. */
  readonly otlpUrl: string;
  /** Base URL of the Tempo HTTP API spans are read back from (before /api), e.g. http://tempo:3200. */
  readonly queryUrl: string;
}
