export { crc32 } from './crc32.js';
export { Wal } from './wal.js';
export type { Lsn, ReplayStats, WalOptions } from './wal.js';
