export { Wal, crc32 } from './wal/index.js';
export type { Lsn, ReplayStats, WalOptions } from './wal/index.js';
