export { registerRemoteWriteRoute } from './remote-write-route.js';
export type { RemoteWriteRouteOptions } from './remote-write-route.js';
export { registerZipkinRoute } from './zipkin-route.js';
