import { describe, expect, it } from 'vitest';
import { BACKENDS, openTestState } from '../../test/support/state-backends.js';
import { LeaderLease } from './leader-lease.js';

describe.each(BACKENDS)('rule evaluation lease on %s', (backend) => {
  it('is held by one replica at a time and taken over when its holder stops renewing', async () => {
    const state = await openTestState(backend);
    try {
      const a = new LeaderLease(state.db, 'rules.leader', 'a', 15_000);
      const b = new LeaderLease(state.db, 'rules.leader', 'b', 15_000);
      const both = await Promise.all([a.acquire(1000), b.acquire(1000)]);
      expect(both.filter(Boolean)).toHaveLength(1);
      const [leader, other] = both[0] ? [a, b] : [b, a];
      expect(await leader.acquire(10_000)).toBe(true); // renew
      expect(await other.acquire(20_000)).toBe(false);
      expect(await other.acquire(25_001)).toBe(true); // leader stopped renewing at 10 s
      expect(await leader.acquire(25_002)).toBe(false);
      await other.release();
      expect(await leader.acquire(25_003)).toBe(true);
    } finally {
      await state.dispose();
    }
  });
});
