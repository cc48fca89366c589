import { describe, expect, it } from 'vitest';
import { advance } from './matrix.js';
import { firstAfter } from './selectors.js';

describe('window edges', () => {
  it('move to the same index as a binary search from the start, by walking near and galloping far', () => {
    let seed = 7;
    const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(rand() * 3000);
      const ts = new Float64Array(n);
      let t = 0;
      for (let i = 0; i < n; i++) ts[i] = t += 1 + Math.floor(rand() * (rand() < 0.1 ? 500 : 20));
      for (const inclusive of [true, false]) {
        let at = 0;
        // Targets moving forward by small and large steps, some exactly on a sample.
        for (let target = 0; target < t + 50; target += 1 + Math.floor(rand() * (rand() < 0.5 ? 40 : 4000))) {
          const x = rand() < 0.3 ? ts[Math.min(n - 1, Math.floor(rand() * n))]! : target;
          const want = firstAfter(ts, x, inclusive);
          if (want < at) continue;
          at = advance(ts, at, x, inclusive);
          expect(at).toBe(want);
        }
      }
    }
  });
});
