import { describe, expect, it } from 'vitest';
import { SampleBuffer } from './sample-buffer.js';

describe('sample buffer', () => {
  it('keeps every series chain intact across segment boundaries', () => {
    const buf = new SampleBuffer();
    // Three interleaved series, 150k samples in all: the chains cross two segment boundaries.
    const last = [-1, -1, -1];
    const count = [0, 0, 0];
    for (let i = 0; i < 150_000; i++) {
      const s = i % 3;
      last[s] = buf.append(last[s]!, 1000 + i, i, s === 2 ? 0x7ff00000 : i >>> 1);
      count[s]!++;
    }
    expect(buf.n).toBe(150_000);
    for (let s = 0; s < 3; s++) {
      const t = new Float64Array(count[s]! + 1);
      const bits = new Uint32Array(t.length * 2);
      buf.copyOut(last[s]!, count[s]!, t, bits, 1);
      let wrong = 0;
      for (let k = 0; k < count[s]!; k++) {
        const i = k * 3 + s;
        if (t[k + 1] !== 1000 + i || bits[(k + 1) * 2] !== i || bits[(k + 1) * 2 + 1] !== (s === 2 ? 0x7ff00000 : i >>> 1)) wrong++;
      }
      expect(wrong).toBe(0);
      // Walking the links by hand ends at the series' first sample.
      let i = last[s]!;
      let steps = 1;
      let gaps = 0;
      while (buf.previous(i) !== -1) {
        if (buf.time(buf.previous(i)) !== buf.time(i) - 3) gaps++;
        i = buf.previous(i);
        steps++;
      }
      expect(gaps).toBe(0);
      expect(steps).toBe(count[s]);
      expect(buf.time(i)).toBe(1000 + s);
    }
  });
});
