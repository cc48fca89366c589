import { compileEventPattern, PatternIndex, type EventBus, type EventEnvelope, type EventSubscription } from '../events/index.js';
import type { IchigenEvent } from '../model/index.js';
import type { Logger } from '../self/index.js';
import { getSetting, newId, setSetting, writeAudit, type StateDb } from '../state/index.js';
import type { AutomationRule, DefinitionStore } from './definition-store.js';
import { transformInput } from './input-transform.js';
import type { RunEngine } from './run-engine.js';
import { parseSchedule, type Clock, Scheduler } from './schedule.js';

const RULES_CHANNEL = 'ichigen_automation_rules';
const RULES_VERSION = 'automation.rules_version';
export const SCHEDULER_SOURCE = 'ichigen.scheduler';

/**
 * Turns events and schedule ticks into runs, exactly once across replicas:
 * - event rules sit in one pattern index per tenant (one bus subscription for all); the event
 *   reaches the subscriber of the replica that stored it, and again on a redelivery;
 * - every replica ticks every schedule and publishes the tick as a "Scheduled Event" whose id
 *   names the rule and the tick, so it is stored once, by whichever replica was first;
 * - a run is created with the key (rule, event), so a redelivery, or a second replica
 *   handling the same tick, finds it there and starts nothing.
 * Rules are reloaded when another replica changes them (a version in the state database,
 * announced by notification and polled).
 */
export class RuleRunner {
  private readonly indexes = new Map<string, PatternIndex<AutomationRule>>();
  private readonly scheduled = new Map<string, AutomationRule>();
  /** Installed rules by id, as JSON, to tell what a reload changed. */
  private readonly installed_ = new Map<string, string>();
  private readonly scheduler: Scheduler;
  private subscription: EventSubscription | undefined;
  private listener: { close(): void } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private version: string | undefined;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly deps: { state: StateDb; log: Logger; clock: Clock; bus: EventBus; defs: DefinitionStore; engine: RunEngine; syncMs: number },
  ) {
    this.scheduler = new Scheduler(deps.clock);
  }

  async start(): Promise<void> {
    await this.reload();
    this.subscription = this.deps.bus.subscribe(null, (e, env) => this.onEvent(e, env), { name: 'automation', redeliver: true });
    this.listener = await this.deps.state.notifier.listen(RULES_CHANNEL, () => void this.sync());
    this.timer = setInterval(() => void this.sync(), this.deps.syncMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.listener?.close();
    this.subscription?.unsubscribe();
    this.scheduler.stop();
  }

  /** Installs or replaces a rule (after it was stored). */
  add(rule: AutomationRule): void {
    this.remove(rule);
    this.installed_.set(rule.id, JSON.stringify(rule));
    if (!rule.enabled) return;
    if (rule.pattern !== null) {
      let idx = this.indexes.get(rule.tenant);
      if (idx === undefined) this.indexes.set(rule.tenant, (idx = new PatternIndex()));
      idx.set(rule.id, compileEventPattern(rule.pattern), rule);
    } else if (rule.schedule !== null) {
      const schedule = parseSchedule(rule.schedule, rule.timeZone, rule.createdAt);
      this.scheduled.set(rule.id, rule);
      this.scheduler.set(rule.id, schedule, (at) => void this.onTick(rule, at));
    }
  }

  remove(rule: Pick<AutomationRule, 'id' | 'tenant'>): void {
    this.indexes.get(rule.tenant)?.delete(rule.id);
    this.scheduled.delete(rule.id);
    this.scheduler.delete(rule.id);
    this.installed_.delete(rule.id);
  }

  /** Tells the other replicas that rules changed (call after storing a change and applying it here). */
  async changed(): Promise<void> {
    this.version = newId(this.deps.clock.now());
    await setSetting(this.deps.state.db, RULES_VERSION, this.version);
    await this.deps.state.notifier.notify(RULES_CHANNEL, this.version).catch((err: unknown) => this.deps.log.warn({ err }, 'rule change notification failed'));
  }

  /** Whether this replica has the rule (as stored now) installed. */
  installed(ruleId: string): boolean {
    return this.installed_.has(ruleId);
  }

  nextTick(ruleId: string): number | undefined {
    return this.scheduler.nextAt(ruleId);
  }

  /** Reloads the rules if another replica changed them. */
  sync(): Promise<void> {
    this.syncing ??= (async () => {
      try {
        if ((await getSetting(this.deps.state.db, RULES_VERSION)) !== this.version) await this.reload();
      } catch (err) {
        this.deps.log.warn({ err }, 'reloading automation rules failed');
      } finally {
        this.syncing = undefined;
      }
    })();
    return this.syncing;
  }

  private async reload(): Promise<void> {
    // The version is read first: a change made while we read the rules is seen at the next sync.
    const version = await getSetting(this.deps.state.db, RULES_VERSION);
    const rules = await this.deps.defs.listRules();
    const present = new Set<string>();
    for (const r of rules) {
      present.add(r.id);
      if (this.installed_.get(r.id) === JSON.stringify(r)) continue;
      try {
        this.add(r);
      } catch (err) {
        this.deps.log.error({ err, rule: r.name }, 'automation rule could not be installed');
      }
    }
    for (const id of [...this.installed_.keys()]) {
      if (present.has(id)) continue;
      const r = JSON.parse(this.installed_.get(id)!) as AutomationRule;
      this.remove(r);
    }
    this.version = version;
  }

  private async onEvent(event: IchigenEvent, env: EventEnvelope): Promise<void> {
    if (event.source === SCHEDULER_SOURCE) {
      const rule = this.scheduled.get(String(event.detail.ruleId));
      if (rule !== undefined && rule.tenant === event.tenant) await this.fire(rule, env, { kind: 'schedule', eventId: event.id });
      return;
    }
    const rules = this.indexes.get(event.tenant)?.match(env) ?? [];
    for (const rule of rules) await this.fire(rule, env, { kind: 'event', eventId: event.id });
  }

  /** Publishes the tick; the bus hands it to onEvent here, or — when another replica stored it first — as a redelivery. */
  private async onTick(rule: AutomationRule, at: number): Promise<void> {
    try {
      await this.deps.bus.publish({
        id: `ichigen:schedule:${rule.id}:${at}`,
        tenant: rule.tenant,
        time: at,
        source: SCHEDULER_SOURCE,
        detailType: 'Scheduled Event',
        resources: [`ichigen:automation-rule/${rule.name}`],
        detail: { rule: rule.name, ruleId: rule.id, schedule: rule.schedule, timeZone: rule.timeZone },
      });
    } catch (err) {
      this.deps.log.error({ err, rule: rule.name }, 'scheduled rule failed');
    }
  }

  private async fire(rule: AutomationRule, env: EventEnvelope, trigger: { kind: 'event' | 'schedule'; eventId: string }): Promise<void> {
    try {
      const rb = await this.deps.defs.getRunbook(rule.tenant, rule.runbook);
      if (rb === undefined) throw new Error(`runbook "${rule.runbook}" does not exist`);
      const params = transformInput(rule.input, env, rule.name, this.deps.clock.now());
      await this.deps.engine.startOnce(rule.tenant, rb.definition, params, { ...trigger, ruleId: rule.id, ruleName: rule.name, event: env }, `rule:${rule.id}:${trigger.eventId}`);
    } catch (err) {
      this.deps.log.warn({ err, rule: rule.name }, 'automation rule could not start its runbook');
      await writeAudit(this.deps.state.db, { tenant: rule.tenant, actor: `rule:${rule.name}`, action: 'automation.rule.failed', target: rule.id, details: { eventId: trigger.eventId, error: (err as Error).message } });
    }
  }
}
