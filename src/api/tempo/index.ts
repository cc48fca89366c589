export { registerTempoApi } from './tempo-api.js';
export type { TempoApiOptions } from './tempo-api.js';
