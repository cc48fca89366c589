export { OtlpEndpoints } from './otlp-endpoints.js';
export type { OtlpEndpointsOptions } from './otlp-endpoints.js';
export { GRPC_CODE, grpcCodeOf } from './rpc-status.js';
