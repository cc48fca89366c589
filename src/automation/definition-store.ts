import type { Kysely } from 'kysely';
import { IchigenError } from '../model/index.js';
import { newId, type StateSchema } from '../state/index.js';
import type { RuleInput } from './input-transform.js';
import type { RunbookDefinition } from './runbook.js';

export interface StoredRunbook {
  readonly id: string;
  readonly tenant: string;
  readonly definition: RunbookDefinition;
  readonly createdBy: string;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface AutomationRule {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly enabled: boolean;
  /** An EventBridge event pattern, or null for a scheduled rule. */
  readonly pattern: Record<string, unknown> | null;
  /** `rate(…)` or a cron expression, or null for an event rule. */
  readonly schedule: string | null;
  readonly timeZone: string;
  readonly runbook: string;
  readonly input: RuleInput;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type NewRule = Omit<AutomationRule, 'id' | 'createdAt' | 'updatedAt'>;

type RuleRow = StateSchema['automation_rules'];

function toRule(r: RuleRow): AutomationRule {
  return {
    id: r.id,
    tenant: r.tenant,
    name: r.name,
    enabled: Number(r.enabled) === 1,
    pattern: r.pattern === null ? null : (JSON.parse(r.pattern) as Record<string, unknown>),
    schedule: r.schedule,
    timeZone: r.time_zone,
    runbook: r.runbook,
    input: JSON.parse(r.input) as RuleInput,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Runbooks and automation rules: what may run, and what starts it. */
export class DefinitionStore {
  constructor(private readonly db: Kysely<StateSchema>) {}

  /** Creates or replaces a runbook by name (runs already started keep the definition they started with). */
  async putRunbook(tenant: string, def: RunbookDefinition, actor: string, now: number): Promise<{ runbook: StoredRunbook; created: boolean }> {
    const existing = await this.db.selectFrom('runbooks').selectAll().where('tenant', '=', tenant).where('name', '=', def.name).executeTakeFirst();
    if (existing !== undefined) {
      await this.db.updateTable('runbooks').set({ description: def.description, params: JSON.stringify(def.params), steps: JSON.stringify(def.steps), updated_at: now }).where('id', '=', existing.id).execute();
      return { runbook: { id: existing.id, tenant, definition: def, createdBy: existing.created_by, createdAt: Number(existing.created_at), updatedAt: now }, created: false };
    }
    const id = newId(now);
    await this.db.insertInto('runbooks').values({ id, tenant, name: def.name, description: def.description, params: JSON.stringify(def.params), steps: JSON.stringify(def.steps), created_by: actor, created_at: now, updated_at: now }).execute();
    return { runbook: { id, tenant, definition: def, createdBy: actor, createdAt: now, updatedAt: now }, created: true };
  }

  async getRunbook(tenant: string, name: string): Promise<StoredRunbook | undefined> {
    const r = await this.db.selectFrom('runbooks').selectAll().where('tenant', '=', tenant).where('name', '=', name).executeTakeFirst();
    if (r === undefined) return undefined;
    return {
      id: r.id,
      tenant: r.tenant,
      definition: { name: r.name, description: r.description, params: JSON.parse(r.params) as RunbookDefinition['params'], steps: JSON.parse(r.steps) as RunbookDefinition['steps'] },
      createdBy: r.created_by,
      createdAt: Number(r.created_at),
      updatedAt: Number(r.updated_at),
    };
  }

  async listRunbooks(tenant: string): Promise<StoredRunbook[]> {
    const rows = await this.db.selectFrom('runbooks').select('name').where('tenant', '=', tenant).orderBy('name').limit(10_000).execute();
    const out: StoredRunbook[] = [];
    for (const r of rows) {
      const rb = await this.getRunbook(tenant, r.name);
      if (rb !== undefined) out.push(rb);
    }
    return out;
  }

  async deleteRunbook(tenant: string, name: string): Promise<void> {
    const used = await this.db.selectFrom('automation_rules').select('name').where('tenant', '=', tenant).where('runbook', '=', name).executeTakeFirst();
    if (used !== undefined) throw new IchigenError('CONFLICT', `runbook "${name}" is used by rule "${used.name}"`);
    const r = await this.db.deleteFrom('runbooks').where('tenant', '=', tenant).where('name', '=', name).executeTakeFirst();
    if (Number(r.numDeletedRows) === 0) throw new IchigenError('NOT_FOUND', `runbook "${name}" not found`);
  }

  async putRule(rule: NewRule, now: number): Promise<AutomationRule> {
    const existing = await this.db.selectFrom('automation_rules').select(['id', 'created_at']).where('tenant', '=', rule.tenant).where('name', '=', rule.name).executeTakeFirst();
    const values = {
      enabled: rule.enabled ? 1 : 0,
      pattern: rule.pattern === null ? null : JSON.stringify(rule.pattern),
      schedule: rule.schedule,
      time_zone: rule.timeZone,
      runbook: rule.runbook,
      input: JSON.stringify(rule.input),
      updated_at: now,
    };
    if (existing !== undefined) {
      await this.db.updateTable('automation_rules').set(values).where('id', '=', existing.id).execute();
      return { ...rule, id: existing.id, createdAt: Number(existing.created_at), updatedAt: now };
    }
    const id = newId(now);
    await this.db.insertInto('automation_rules').values({ id, tenant: rule.tenant, name: rule.name, created_at: now, ...values }).execute();
    return { ...rule, id, createdAt: now, updatedAt: now };
  }

  async listRules(tenant?: string): Promise<AutomationRule[]> {
    let q = this.db.selectFrom('automation_rules').selectAll();
    if (tenant !== undefined) q = q.where('tenant', '=', tenant);
    return (await q.orderBy('name').limit(100_000).execute()).map(toRule);
  }

  async deleteRule(tenant: string, name: string): Promise<AutomationRule> {
    const r = await this.db.selectFrom('automation_rules').selectAll().where('tenant', '=', tenant).where('name', '=', name).executeTakeFirst();
    if (r === undefined) throw new IchigenError('NOT_FOUND', `rule "${name}" not found`);
    await this.db.deleteFrom('automation_rules').where('id', '=', r.id).execute();
    return toRule(r);
  }
}
