export { createIncidentsModule } from './module.js';
export type { IncidentsModule, IncidentsModuleDeps, IncidentsModuleOptions } from './module.js';
export { IncidentsCore } from './core.js';
export type { IncidentsOptions } from './core.js';
export { alertFingerprint } from './fingerprint.js';
export type { Clock } from './clock.js';
export type { AlertGroup, GroupChange, StoredAlert } from './group.js';
export { pageManually } from './manual-page.js';
export type { PageRequest } from './manual-page.js';
