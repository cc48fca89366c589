import { stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * The worker: its own connection to the database, a PASSIVE checkpoint on each request
 * (copies what it can from the log into the database file and fsyncs both; never waits for
 * or blocks writers). Plain CommonJS text, so it runs the same from `dist/` and under tsx.
 */
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const SQLite = require(workerData.driver);
const db = new SQLite(workerData.file);
parentPort.on('message', (m) => {
  if (m === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  let error;
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { error = String((err && err.message) || err); }
  parentPort.postMessage({ error });
});
`;

export interface CheckpointerOptions {
  /** How often the log's size is looked at. */
  readonly everyMs: number;
  /** A log smaller than this is left alone (most test databases never start the worker). */
  readonly minBytes: number;
}

/**
 * Keeps SQLite checkpoints off the event loop. By default the commit that takes the log past
 * 1,000 pages copies it into the database file and fsyncs both, on the committing thread —
 * the alert intake stopped for as long as the disk took (a commit was ~2x slower in wall
 * time, measured). The main connection runs with `wal_autocheckpoint = 0`; this runs the
 * checkpoints from a worker thread once the log has grown. If the worker cannot run, the
 * caller's `fallback` turns automatic checkpoints back on, so the log never grows unbounded.
 */
export class Checkpointer {
  private worker: Worker | undefined;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private failed = false;
  private reply: (() => void) | undefined;
  private exited: Promise<void> = Promise.resolve();

  constructor(
    private readonly file: string,
    private readonly options: CheckpointerOptions,
    private readonly fallback: (err: unknown) => void,
  ) {
    this.timer = setInterval(() => void this.check(), options.everyMs);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    if (this.busy || this.failed) return;
    this.busy = true;
    try {
      const size = await stat(`${this.file}-wal`).then(
        (s) => s.size,
        () => 0,
      );
      if (size >= this.options.minBytes && this.timer !== undefined) await this.checkpoint();
    } finally {
      this.busy = false;
    }
  }

  /** One checkpoint in the worker (started on first use); settles when it is done. */
  checkpoint(): Promise<void> {
    if (this.failed) return Promise.resolve();
    const w = (this.worker ??= this.start());
    return new Promise<void>((resolve) => {
      this.reply = resolve;
      w.postMessage('checkpoint');
    });
  }

  private start(): Worker {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const w = new Worker(WORKER, { eval: true, workerData: { file: this.file, driver } });
    w.unref();
    this.exited = new Promise<void>((r) => w.once('exit', () => (this.settle(), r())));
    w.on('message', (m: { error?: string }) => {
      if (m.error !== undefined) this.fail(new Error(`checkpoint failed: ${m.error}`));
      this.settle();
    });
    w.on('error', (err) => {
      this.fail(err);
      this.settle();
    });
    return w;
  }

  private settle(): void {
    const r = this.reply;
    this.reply = undefined;
    r?.();
  }

  private fail(err: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.fallback(err);
  }

  /** Stops looking and closes the worker's connection (before the main one closes: its close checkpoints). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    while (this.busy) await new Promise((r) => setTimeout(r, 5));
    const w = this.worker;
    this.worker = undefined;
    if (w === undefined) return;
    // Referenced again while it stops: an unreferenced worker's exit does not keep the
    // process alive, and with nothing else to wait on Node ended the process before this
    // promise settled (a failed start then exited 0 without its message).
    w.ref();
    w.postMessage('stop');
    await this.exited;
  }
}
