export { RemoteTraceStore } from './remote-trace-store.js';
export type { RemoteTraceStoreOptions } from './remote-trace-options.js';
export type { BackendAnswer } from '../../remote-backend/index.js';
