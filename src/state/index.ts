export { listAudit, writeAudit } from './audit.js';
export type { AuditEntry, AuditRecord } from './audit.js';
export { openStateDb, redactUrl } from './database.js';
export type { StateDb, StateDbOptions, StateDialect } from './database.js';
export { newId } from './ids.js';
export { migrateToLatest } from './migrate.js';
export { addAutoIdColumn, isPostgres } from './migrations/portable.js';
export type { StateSchema } from './schema.js';
export { getSetting, setSetting } from './settings.js';
