import { open, type FileHandle } from 'node:fs/promises';

/**
 * Makes SQLite commits durable without blocking the event loop. The state database runs in WAL
 * mode with `synchronous = NORMAL`: a commit is written to the `-wal` file but not fsynced
 * (SQLite syncs the log before each checkpoint and the database after it). Whoever must only
 * acknowledge durable data (the alert intake) calls `sync()` after its commit: one fdatasync of
 * the log on libuv's thread pool covers every transaction committed before it, and callers that
 * arrive while one runs share the next (group commit).
 */
export class WalSync {
  private handle: FileHandle | undefined;
  private running: Promise<void> | undefined;
  private queued: Promise<void> | undefined;

  constructor(private readonly walFile: string) {}

  sync(): Promise<void> {
    if (this.running === undefined) {
      this.running = this.flush().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    // A sync already in flight may have started before our commit: take the next one.
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.sync();
    });
    return this.queued;
  }

  private async flush(): Promise<void> {
    // SQLite creates the log with the first write and keeps it while the connection is open.
    this.handle ??= await open(this.walFile, 'r+');
    await this.handle.datasync();
  }

  async close(): Promise<void> {
    await this.running;
    await this.handle?.close();
    this.handle = undefined;
  }
}
