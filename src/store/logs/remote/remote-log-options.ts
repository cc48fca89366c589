import type { BackendConnection } from '../../remote-backend/index.js';

export interface RemoteLogStoreOptions extends BackendConnection {
  /** Loki's push endpoint entries are sent to, e.g. http://loki:3100/loki/api/v1/push. */
  readonly pushUrl: string;
  /** Base URL of the Loki HTTP API the Loki query API is passed to (before /loki), e.g. http://loki:3100. */
  readonly queryUrl: string;
}
