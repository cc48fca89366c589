export { backendCall, backendError, queryString } from './backend-http.js';
export type { BackendAnswer, BackendConnection } from './backend-http.js';
