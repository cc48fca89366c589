import { mkdtempSync, rmSync, readdirSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Wal } from './wal.js';
import { crc32 } from './crc32.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'wal-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function replayAll(dir: string): Promise<{ wal: Wal; records: string[]; truncated: number }> {
  const wal = await Wal.open({ dir, segmentBytes: 256 });
  const records: string[] = [];
  const stats = await wal.replay((p) => void records.push(p.toString()));
  return { wal, records, truncated: stats.truncatedBytes };
}

describe('crc32', () => {
  it('matches the IEEE check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('sums parts with a seed as if they were one buffer', () => {
    const whole = Buffer.from('the quick brown fox jumps over the lazy dog');
    const seeded = crc32(whole, 20, whole.length, crc32(whole, 0, 20));
    expect(seeded).toBe(crc32(whole));
  });
});

describe('Wal', () => {
  it('replays what was appended, across segments and reopenings', async () => {
    const dir = tmp();
    const a = await replayAll(dir);
    const applied: number[] = [];
    // Sequential appends: each is its own group, so the 256-byte segments fill and roll over.
    for (let i = 0; i < 50; i++) await a.wal.append(Buffer.from(`rec-${i}-${'x'.repeat(20)}`), (lsn) => applied.push(lsn));
    expect(applied).toHaveLength(50);
    expect([...applied].sort((x, y) => x - y)).toEqual(applied);
    await a.wal.close();
    expect(readdirSync(dir).length).toBeGreaterThan(1);
    const b = await replayAll(dir);
    expect(b.records).toEqual(Array.from({ length: 50 }, (_, i) => `rec-${i}-${'x'.repeat(20)}`));
    await b.wal.append(Buffer.from('after'));
    await b.wal.close();
    const c = await replayAll(dir);
    expect(c.records.at(-1)).toBe('after');
    await c.wal.close();
  });

  it('groups concurrent appends into few writes', async () => {
    const dir = tmp();
    const wal = await Wal.open({ dir });
    await wal.replay(() => undefined);
    const lsns = await Promise.all(Array.from({ length: 1000 }, (_, i) => wal.append(Buffer.from(String(i)))));
    expect(new Set(lsns).size).toBe(1000);
    expect(wal.endLsn).toBe(Math.max(...lsns));
    await wal.close();
  });

  it('cuts a torn tail and keeps every complete record', async () => {
    const dir = tmp();
    const a = await replayAll(dir);
    await a.wal.append(Buffer.from('one'));
    await a.wal.append(Buffer.from('two'));
    await a.wal.close();
    const last = readdirSync(dir).sort().at(-1)!;
    // A header that promises 100 bytes, followed by 3: a crash mid-write.
    const torn = Buffer.alloc(11);
    torn.writeUInt32LE(100, 0);
    appendFileSync(path.join(dir, last), torn);
    const b = await replayAll(dir);
    expect(b.records).toEqual(['one', 'two']);
    expect(b.truncated).toBe(11);
    await b.wal.append(Buffer.from('three'));
    await b.wal.close();
    const c = await replayAll(dir);
    expect(c.records).toEqual(['one', 'two', 'three']);
    await c.wal.close();
  });

  it('rotates at an exact log position and truncates what was flushed', async () => {
    const dir = tmp();
    const wal = await Wal.open({ dir });
    await wal.replay(() => undefined);
    let head: string[] = [];
    const apply = (s: string) => () => void head.push(s);
    await wal.append(Buffer.from('a'), apply('a'));
    await wal.append(Buffer.from('b'), apply('b'));
    const pending = wal.append(Buffer.from('c'), apply('c'));
    const { lsn, value } = await wal.rotate(() => {
      const snap = head;
      head = [];
      return snap;
    });
    await pending;
    // 'c' was queued before the rotation, so it is in the snapshot, not in the new head.
    expect(value).toEqual(['a', 'b', 'c']);
    await wal.append(Buffer.from('d'), apply('d'));
    expect(head).toEqual(['d']);
    expect(await wal.truncateBefore(lsn)).toBe(1);
    await wal.close();
    const again = await replayAll(dir);
    expect(again.records).toEqual(['d']);
    await again.wal.close();
  });

  it('refuses appends after close', async () => {
    const dir = tmp();
    const wal = await Wal.open({ dir });
    await wal.replay(() => undefined);
    await wal.close();
    await expect(wal.append(Buffer.from('x'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
