export { RemoteLogStore, lokiPushJson } from './remote-log-store.js';
export type { RemoteLogStoreOptions } from './remote-log-options.js';
