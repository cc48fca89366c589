export { createLogsModule } from './loki-module.js';
export type { LogsModuleContext } from './loki-module.js';
