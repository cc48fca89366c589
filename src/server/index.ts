export { buildApp } from './app.js';
export type { Readiness } from './health.js';
export { parseListenAddress } from './listen-address.js';
export type { ListenAddress } from './listen-address.js';
export type { ServerContext, ServerModule } from './module.js';
export { startServer } from './server.js';
export type { RunningServer, StartOptions } from './server.js';
export { ConfigError, loadConfig, renderConfigTable, CONFIG_TABLE_START, CONFIG_TABLE_END, configSchema } from './config/index.js';
export type { Config, ConfigProblem } from './config/index.js';
