import { describe, expect, it } from 'vitest';
import { createLogger, createMetricsRegistry } from '../self/index.js';
import { BACKENDS, openTestState } from '../../test/support/state-backends.js';
import type { IchigenEvent } from '../model/index.js';
import { createEventsModule } from './events-module.js';

describe.each(BACKENDS)('event bus on %s', (backend) => {
  it('stores before delivering, delivers by pattern and tenant, stores a redelivery once, applies retention', async () => {
    const state = await openTestState(backend);
    let now = 1_700_000_000_000;
    const mod = createEventsModule({ state, log: createLogger({ level: 'silent' }), registry: createMetricsRegistry(), retentionMs: 60_000, now: () => now });
    try {
      const seen: string[] = [];
      const all: IchigenEvent[] = [];
      mod.bus.subscribe({ source: ['aws.backup'], detail: { state: ['FAILED'] } }, async (e) => {
        // Durable first: the subscriber finds the event already stored.
        expect(await mod.store.get(e.tenant, e.id)).toBeDefined();
        seen.push(e.id);
      });
      mod.bus.subscribe(null, (e) => void all.push(e), { tenant: 'team-a' });
      const sub = mod.bus.subscribe({ source: ['aws.backup'] }, () => {
        throw new Error('a broken subscriber never breaks the publisher');
      });

      const r1 = await mod.bus.publish({ id: 'sns-1', source: 'aws.backup', detailType: 'Backup Job State Change', detail: { state: 'FAILED' }, resources: ['arn:aws:backup:x'] });
      expect(r1.stored).toBe(true);
      expect(r1.event).toMatchObject({ id: 'sns-1', tenant: 'default', time: now, resources: ['arn:aws:backup:x'] });
      const again = await mod.bus.publish({ id: 'sns-1', source: 'aws.backup', detailType: 'Backup Job State Change', detail: { state: 'FAILED' } });
      expect(again.stored).toBe(false);
      await mod.bus.publish({ source: 'aws.backup', detailType: 'Backup Job State Change', detail: { state: 'COMPLETED' } });
      sub.unsubscribe();
      await mod.bus.publish({ tenant: 'team-a', source: 'ichigen.test', detailType: 'Ping', detail: {} });
      expect(seen).toEqual(['sns-1']);
      expect(all.map((e) => e.source)).toEqual(['ichigen.test']);

      await expect(mod.bus.publish({ source: '', detailType: 'x' })).rejects.toThrow(/source/);
      // Ichigen's own sources and ids cannot come from outside.
      await expect(mod.bus.publish({ source: 'ichigen.scheduler', detailType: 'Scheduled Event', external: true })).rejects.toThrow(/reserved/);
      await expect(mod.bus.publish({ id: 'ichigen:schedule:r:1', source: 'ops', detailType: 'x', external: true })).rejects.toThrow(/reserved/);
      expect(() => mod.bus.subscribe({ source: 'x' }, () => undefined)).toThrow(/in an array/);

      const page = await mod.store.search({ tenant: 'default', limit: 10 });
      expect(page.map((s) => s.event.detail.state)).toEqual(['COMPLETED', 'FAILED']);
      const failed = await mod.store.search({ tenant: 'default', text: 'failed', limit: 10 });
      expect(failed).toHaveLength(1);
      const byResource = await mod.store.search({ tenant: 'default', resource: 'arn:aws:backup:x', limit: 10 });
      expect(byResource.map((s) => s.event.id)).toEqual(['sns-1']);

      now += 61_000;
      await mod.bus.publish({ source: 'ichigen.test', detailType: 'Fresh' });
      expect(await mod.applyRetention()).toBe(3);
      expect((await mod.store.search({ tenant: 'default', limit: 10 })).map((s) => s.event.detailType)).toEqual(['Fresh']);
    } finally {
      await state.dispose();
    }
  });

  it('hands a redelivered event (the stored copy) to idempotent subscribers only, and only in its tenant', async () => {
    const state = await openTestState(backend);
    const mod = createEventsModule({ state, log: createLogger({ level: 'silent' }), registry: createMetricsRegistry(), retentionMs: 60_000 });
    try {
      const plain: string[] = [];
      const again: Array<{ id: string; state: unknown; tenant: string }> = [];
      mod.bus.subscribe(null, (e) => void plain.push(e.id));
      mod.bus.subscribe(null, (e) => void again.push({ id: e.id, state: e.detail.state, tenant: e.tenant }), { redeliver: true });
      await mod.bus.publish({ id: 'msg-1', source: 'aws.backup', detailType: 'Backup Job State Change', detail: { state: 'FAILED' } });
      const r = await mod.bus.publish({ id: 'msg-1', source: 'aws.backup', detailType: 'Backup Job State Change', detail: { state: 'CHANGED IN THE RETRY' } });
      expect(r.stored).toBe(false);
      expect(r.event.detail.state).toBe('FAILED');
      await mod.bus.publish({ id: 'msg-1', tenant: 'other', source: 'aws.backup', detailType: 'Backup Job State Change' });
      expect(plain).toEqual(['msg-1']);
      expect(again).toEqual([{ id: 'msg-1', state: 'FAILED', tenant: 'default' }, { id: 'msg-1', state: 'FAILED', tenant: 'default' }]);
    } finally {
      await state.dispose();
    }
  });
});
