import { mkdir, open, readFile, stat, truncate, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { IchigenError } from '../../model/index.js';
import { crc32 } from './crc32.js';
import { listSegments, segmentName } from './segment-files.js';

/**
 * A write-ahead log with group commit.
 *
 * Why: DuckDB fsyncs on every commit (~70–200 commits/s here), so a commit per request caps
 * ingest. Requests append to this log instead; every write+fsync carries all records that
 * arrived while the previous one was in flight, so one fsync acknowledges many requests.
 * Stores apply records to memory once durable and flush to DuckDB in bulk, then drop the
 * log segments that the flush made redundant.
 *
 * Positions are byte offsets over the whole log (an LSN); a segment is named after its first.
 * Record frame: u32 payload length, u32 CRC-32 of the payload, payload.
 */
export interface WalOptions {
  readonly dir: string;
  /** Start a new segment once the current one exceeds this (default 64 MiB). */
  readonly segmentBytes?: number;
  /** Largest single write+fsync batch (default 32 MiB): bounds the latency of one group. */
  readonly maxBatchBytes?: number;
  /** Largest record accepted (default 256 MiB). */
  readonly maxRecordBytes?: number;
}

export type Lsn = number;

interface Pending {
  readonly kind: 'record';
  readonly frame: Buffer[];
  readonly bytes: number;
  readonly apply: ((lsn: Lsn) => void) | undefined;
  readonly resolve: (lsn: Lsn) => void;
  readonly reject: (err: Error) => void;
}

interface RotateRequest {
  readonly kind: 'rotate';
  readonly run: (lsn: Lsn) => void;
  readonly reject: (err: Error) => void;
}

const HEADER = 8;

export interface ReplayStats {
  readonly records: number;
  readonly bytes: number;
  readonly segments: number;
  /** Bytes cut from the tail of the last segment (a write torn by a crash). */
  readonly truncatedBytes: number;
}

export class Wal {
  private fh: FileHandle | undefined;
  private segmentStart = 0;
  private segmentSize = 0;
  private queue: Array<Pending | RotateRequest> = [];
  private writing = false;
  private closed = false;
  private replayed = false;
  private readonly segmentBytes: number;
  private readonly maxBatchBytes: number;
  private readonly maxRecordBytes: number;
  private queuedBytes = 0;
  /** Offset just past the last durable record. */
  private end = 0;

  private constructor(private readonly options: WalOptions) {
    this.segmentBytes = options.segmentBytes ?? 64 * 1024 * 1024;
    this.maxBatchBytes = options.maxBatchBytes ?? 32 * 1024 * 1024;
    this.maxRecordBytes = options.maxRecordBytes ?? 256 * 1024 * 1024;
  }

  static async open(options: WalOptions): Promise<Wal> {
    await mkdir(options.dir, { recursive: true });
    return new Wal(options);
  }

  /** The LSN just past the last durable record. */
  get endLsn(): Lsn {
    return this.end;
  }

  /** Bytes waiting for the next write (a measure of back-pressure). */
  get pendingBytes(): number {
    return this.queuedBytes;
  }

  /**
   * Reads every intact record in log order. A torn record at the tail of the last segment
   * (a crash mid-write) is cut off; it was never acknowledged. Must run once, before append.
   */
  async replay(onRecord: (payload: Buffer, lsn: Lsn) => void | Promise<void>): Promise<ReplayStats> {
    if (this.replayed) throw new Error('Wal.replay called twice');
    this.replayed = true;
    const segments = await listSegments(this.options.dir);
    let records = 0;
    let bytes = 0;
    let truncatedBytes = 0;
    for (let i = 0; i < segments.length; i++) {
      const seg = segments[i]!;
      const data = await readFile(seg.file);
      let pos = 0;
      while (pos + HEADER <= data.length) {
        const len = data.readUInt32LE(pos);
        const sum = data.readUInt32LE(pos + 4);
        if (pos + HEADER + len > data.length) break;
        if (crc32(data, pos + HEADER, pos + HEADER + len) !== sum) break;
        const payload = data.subarray(pos + HEADER, pos + HEADER + len);
        pos += HEADER + len;
        records++;
        bytes += len;
        await onRecord(payload, seg.start + pos);
      }
      if (pos < data.length) {
        truncatedBytes += data.length - pos;
        await truncate(seg.file, pos);
      }
      this.end = seg.start + pos;
    }
    return { records, bytes, segments: segments.length, truncatedBytes };
  }

  /**
   * Appends a record. `apply` runs right after the record is durable, in log order and
   * before any later rotate(), so a store's in-memory view never misses a durable record.
   * Resolves with the record's end LSN once it is on disk.
   */
  append(payload: Buffer | readonly Buffer[], apply?: (lsn: Lsn) => void): Promise<Lsn> {
    if (this.closed) return Promise.reject(new IchigenError('UNAVAILABLE', 'write-ahead log is closed (shutting down)'));
    if (!this.replayed) return Promise.reject(new Error('Wal.replay must run before append'));
    const parts = Buffer.isBuffer(payload) ? [payload] : [...payload];
    let len = 0;
    for (const p of parts) len += p.length;
    if (len > this.maxRecordBytes) return Promise.reject(new IchigenError('BODY_TOO_LARGE', `record of ${len} bytes exceeds the log's limit`));
    const header = Buffer.allocUnsafe(HEADER);
    header.writeUInt32LE(len, 0);
    let sum = 0;
    for (const p of parts) sum = crc32(p, 0, p.length, sum);
    header.writeUInt32LE(sum, 4);
    return new Promise<Lsn>((resolve, reject) => {
      this.queue.push({ kind: 'record', frame: [header, ...parts], bytes: HEADER + len, apply, resolve, reject });
      this.queuedBytes += HEADER + len;
      this.kick();
    });
  }

  /**
   * Closes the current segment between two groups and runs `onRotated` at that exact point
   * in the log (synchronously, so the caller can swap its in-memory buffers atomically).
   * Returns the boundary LSN: every record before it has been applied already.
   */
  rotate<T>(onRotated: (lsn: Lsn) => T): Promise<{ lsn: Lsn; value: T }> {
    return new Promise((resolve, reject) => {
      this.queue.push({
        kind: 'rotate',
        run: (lsn) => {
          try {
            resolve({ lsn, value: onRotated(lsn) });
          } catch (e) {
            reject(e as Error);
          }
        },
        reject,
      });
      this.kick();
    });
  }

  /** Deletes segments that end at or before `lsn` (their records are persisted elsewhere). */
  async truncateBefore(lsn: Lsn): Promise<number> {
    const segments = await listSegments(this.options.dir);
    let removed = 0;
    for (let i = 0; i < segments.length - 1; i++) {
      const next = segments[i + 1]!;
      if (next.start <= lsn && segments[i]!.start !== this.segmentStart) {
        await unlink(segments[i]!.file);
        removed++;
      }
    }
    return removed;
  }

  /** Total bytes of log on disk. */
  async diskBytes(): Promise<number> {
    let total = 0;
    for (const s of await listSegments(this.options.dir)) total += (await stat(s.file)).size;
    return total;
  }

  /** Waits for queued records, then closes. Later appends are refused. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.writing || this.queue.length > 0) {
      await new Promise<void>((r) => setTimeout(r, 2));
      this.kick();
    }
    if (this.fh) await this.fh.close();
    this.fh = undefined;
  }

  private kick(): void {
    if (this.writing || this.queue.length === 0) return;
    this.writing = true;
    void this.drain().finally(() => {
      this.writing = false;
      if (this.queue.length > 0) this.kick();
    });
  }

  private async openSegment(): Promise<void> {
    if (this.fh) await this.fh.close();
    this.segmentStart = this.end;
    this.segmentSize = 0;
    this.fh = await open(path.join(this.options.dir, segmentName(this.segmentStart)), 'a');
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      if (head.kind === 'rotate') {
        this.queue.shift();
        try {
          if (this.fh && this.segmentSize > 0) await this.openSegment();
          head.run(this.end);
        } catch (e) {
          head.reject(e as Error);
        }
        continue;
      }
      const batch: Pending[] = [];
      let bytes = 0;
      while (this.queue.length > 0) {
        const next = this.queue[0]!;
        if (next.kind !== 'record') break;
        if (batch.length > 0 && bytes + next.bytes > this.maxBatchBytes) break;
        batch.push(next);
        bytes += next.bytes;
        this.queue.shift();
      }
      this.queuedBytes -= bytes;
      await this.writeBatch(batch, bytes);
    }
  }

  private async writeBatch(batch: Pending[], bytes: number): Promise<void> {
    try {
      if (!this.fh || this.segmentSize >= this.segmentBytes) await this.openSegment();
      const fh = this.fh!;
      const buffers: Buffer[] = [];
      for (const p of batch) for (const b of p.frame) buffers.push(b);
      let written = 0;
      // writev may write less than asked (rare, large batches): continue where it stopped.
      while (written < bytes) {
        const { bytesWritten } = await fh.writev(sliceFrom(buffers, written));
        if (bytesWritten <= 0) throw new Error('short write to write-ahead log');
        written += bytesWritten;
      }
      await fh.datasync();
    } catch (e) {
      // Cut the partial write off so the log stays a sequence of whole records.
      try {
        if (this.fh) await this.fh.truncate(this.segmentSize);
      } catch {
        /* the reject below reports the original failure */
      }
      const err = new IchigenError('UNAVAILABLE', `write-ahead log write failed: ${(e as Error).message}`, { cause: e, retryAfterSeconds: 5 });
      for (const p of batch) p.reject(err);
      return;
    }
    this.segmentSize += bytes;
    for (const p of batch) {
      this.end += p.bytes;
      try {
        p.apply?.(this.end);
      } catch (e) {
        p.reject(e as Error);
        continue;
      }
      p.resolve(this.end);
    }
  }
}

function sliceFrom(buffers: Buffer[], offset: number): Buffer[] {
  if (offset === 0) return buffers;
  const out: Buffer[] = [];
  let skip = offset;
  for (const b of buffers) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.push(skip > 0 ? b.subarray(skip) : b);
    skip = 0;
  }
  return out;
}
