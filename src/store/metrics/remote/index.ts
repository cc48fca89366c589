export { RemoteMetricStore, selectorText } from './remote-store.js';
export type { RemoteMetricStoreOptions } from './remote-options.js';
