export { registerPrometheusApi } from './prometheus-api.js';
export type { ForwardedAnswer, PrometheusApiDeps, PrometheusEndpoint, QueryForwarder, TargetsView } from './deps.js';
export { success } from './envelope.js';
export type { SuccessEnvelope } from './envelope.js';
export { durationParam, invalidParam, limitParam, param, paramList, params, parseDurationValue, parseTimeValue, timeParam } from './params.js';
