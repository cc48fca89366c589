import { compileEventPattern, PatternIndex, toEnvelope, type EventBus, type EventEnvelope, type EventSubscription } from '../events/index.js';
import type { IchigenEvent } from '../model/index.js';
import type { Logger } from '../self/index.js';
import { writeAudit, type StateDb } from '../state/index.js';
import type { AutomationRule, DefinitionStore } from './definition-store.js';
import { transformInput } from './input-transform.js';
import type { RunEngine } from './run-engine.js';
import { parseSchedule, type Clock, Scheduler } from './schedule.js';

/**
 * Turns events and schedule ticks into runs. Event rules sit in one pattern index per tenant
 * (one bus subscription for all); scheduled rules publish a "Scheduled Event" whose id names
 * the rule and tick, so a tick is stored — and acted on — once.
 */
export class RuleRunner {
  private readonly indexes = new Map<string, PatternIndex<AutomationRule>>();
  private readonly scheduler: Scheduler;
  private subscription: EventSubscription | undefined;

  constructor(
    private readonly deps: { state: StateDb; log: Logger; clock: Clock; bus: EventBus; defs: DefinitionStore; engine: RunEngine },
  ) {
    this.scheduler = new Scheduler(deps.clock);
  }

  async start(): Promise<void> {
    for (const r of await this.deps.defs.listRules()) this.add(r);
    this.subscription = this.deps.bus.subscribe(null, (e, env) => this.onEvent(e, env), { name: 'automation' });
  }

  stop(): void {
    this.subscription?.unsubscribe();
    this.scheduler.stop();
  }

  /** Installs or replaces a rule (after it was stored). */
  add(rule: AutomationRule): void {
    this.remove(rule);
    if (!rule.enabled) return;
    if (rule.pattern !== null) {
      let idx = this.indexes.get(rule.tenant);
      if (idx === undefined) this.indexes.set(rule.tenant, (idx = new PatternIndex()));
      idx.set(rule.id, compileEventPattern(rule.pattern), rule);
    } else if (rule.schedule !== null) {
      const schedule = parseSchedule(rule.schedule, rule.timeZone, rule.createdAt);
      this.scheduler.set(rule.id, schedule, (at) => void this.onTick(rule, at));
    }
  }

  remove(rule: Pick<AutomationRule, 'id' | 'tenant'>): void {
    this.indexes.get(rule.tenant)?.delete(rule.id);
    this.scheduler.delete(rule.id);
  }

  nextTick(ruleId: string): number | undefined {
    return this.scheduler.nextAt(ruleId);
  }

  private async onEvent(event: IchigenEvent, env: EventEnvelope): Promise<void> {
    // Schedule ticks start their run in onTick.
    if (event.source === 'ichigen.scheduler') return;
    const rules = this.indexes.get(event.tenant)?.match(env) ?? [];
    for (const rule of rules) await this.fire(rule, env, { kind: 'event', eventId: event.id });
  }

  private async onTick(rule: AutomationRule, at: number): Promise<void> {
    try {
      const r = await this.deps.bus.publish({
        id: `schedule:${rule.id}:${at}`,
        tenant: rule.tenant,
        time: at,
        source: 'ichigen.scheduler',
        detailType: 'Scheduled Event',
        resources: [`ichigen:automation-rule/${rule.name}`],
        detail: { rule: rule.name, schedule: rule.schedule, timeZone: rule.timeZone },
      });
      if (r.stored) await this.fire(rule, toEnvelope(r.event), { kind: 'schedule', eventId: r.event.id });
    } catch (err) {
      this.deps.log.error({ err, rule: rule.name }, 'scheduled rule failed');
    }
  }

  private async fire(rule: AutomationRule, env: EventEnvelope, trigger: { kind: 'event' | 'schedule'; eventId: string }): Promise<void> {
    try {
      const rb = await this.deps.defs.getRunbook(rule.tenant, rule.runbook);
      if (rb === undefined) throw new Error(`runbook "${rule.runbook}" does not exist`);
      const params = transformInput(rule.input, env, rule.name, this.deps.clock.now());
      await this.deps.engine.start(rule.tenant, rb.definition, params, { ...trigger, ruleId: rule.id, ruleName: rule.name, event: env });
    } catch (err) {
      this.deps.log.warn({ err, rule: rule.name }, 'automation rule could not start its runbook');
      await writeAudit(this.deps.state.db, { tenant: rule.tenant, actor: `rule:${rule.name}`, action: 'automation.rule.failed', target: rule.id, details: { eventId: trigger.eventId, error: (err as Error).message } });
    }
  }
}

