export { RELABEL_ACTIONS, compileRelabelConfig, relabelConfigSchema } from './relabel-config.js';
export type { RelabelAction, RelabelConfigInput, RelabelRule } from './relabel-config.js';
export { expand, relabel } from './relabel.js';
