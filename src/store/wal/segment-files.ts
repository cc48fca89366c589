import { readdir } from 'node:fs/promises';
import path from 'node:path';

/** Segment files are named after the log offset of their first byte, zero-padded to sort. */
const NAME_RE = /^(\d{20})\.wal$/;

export function segmentName(startOffset: number): string {
  return `${String(startOffset).padStart(20, '0')}.wal`;
}

export interface SegmentFile {
  readonly start: number;
  readonly file: string;
}

export async function listSegments(dir: string): Promise<SegmentFile[]> {
  const names = await readdir(dir);
  const out: SegmentFile[] = [];
  for (const n of names) {
    const m = NAME_RE.exec(n);
    if (m) out.push({ start: Number(m[1]), file: path.join(dir, n) });
  }
  return out.sort((a, b) => a.start - b.start);
}
