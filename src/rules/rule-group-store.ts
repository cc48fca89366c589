import type { Kysely } from 'kysely';
import type { StateSchema } from '../state/index.js';
import type { RuleLanguage } from './rule-file.js';

/** One API-managed rule group as stored. */
export interface StoredRuleGroup {
  readonly tenant: string;
  readonly language: RuleLanguage;
  readonly namespace: string;
  readonly name: string;
  readonly spec: string;
  readonly updatedAt: number;
}

type Row = StateSchema['rule_groups'];

const toGroup = (r: Row): StoredRuleGroup => ({ tenant: r.tenant, language: r.language as RuleLanguage, namespace: r.namespace, name: r.name, spec: r.spec, updatedAt: Number(r.updated_at) });

/** Rule groups managed through the ruler API, in the state database (so every replica sees them). */
export class RuleGroupStore {
  constructor(private readonly db: Kysely<StateSchema>) {}

  async list(tenant: string, language: RuleLanguage, namespace?: string): Promise<StoredRuleGroup[]> {
    let q = this.db.selectFrom('rule_groups').selectAll().where('tenant', '=', tenant).where('language', '=', language);
    if (namespace !== undefined) q = q.where('namespace', '=', namespace);
    return (await q.orderBy('namespace').orderBy('name').execute()).map(toGroup);
  }

  /** Every group of every tenant (what the evaluating replica loads). */
  async all(): Promise<StoredRuleGroup[]> {
    return (await this.db.selectFrom('rule_groups').selectAll().orderBy('tenant').orderBy('language').orderBy('namespace').orderBy('name').execute()).map(toGroup);
  }

  /** A cheap fingerprint of the table: changes whenever a group is written or deleted. */
  async signature(): Promise<string> {
    const r = await this.db
      .selectFrom('rule_groups')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('updated_at').as('latest')])
      .executeTakeFirst();
    return `${Number(r?.n ?? 0)}:${Number(r?.latest ?? 0)}`;
  }

  async count(tenant: string): Promise<number> {
    const r = await this.db.selectFrom('rule_groups').select((eb) => eb.fn.countAll<number>().as('n')).where('tenant', '=', tenant).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async get(tenant: string, language: RuleLanguage, namespace: string, name: string): Promise<StoredRuleGroup | undefined> {
    const r = await this.db.selectFrom('rule_groups').selectAll().where('tenant', '=', tenant).where('language', '=', language).where('namespace', '=', namespace).where('name', '=', name).executeTakeFirst();
    return r ? toGroup(r) : undefined;
  }

  /** Creates or replaces one group. Returns false when the group was new. */
  async put(g: Omit<StoredRuleGroup, 'updatedAt'>, actor: string, now: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      const key = (q: ReturnType<typeof trx.updateTable<'rule_groups'>>) => q.where('tenant', '=', g.tenant).where('language', '=', g.language).where('namespace', '=', g.namespace).where('name', '=', g.name);
      const r = await key(trx.updateTable('rule_groups')).set({ spec: g.spec, updated_by: actor, updated_at: now }).executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) return true;
      await trx.insertInto('rule_groups').values({ tenant: g.tenant, language: g.language, namespace: g.namespace, name: g.name, spec: g.spec, updated_by: actor, updated_at: now }).execute();
      return false;
    });
  }

  /** Deletes one group, or the whole namespace when name is undefined; returns how many went. */
  async delete(tenant: string, language: RuleLanguage, namespace: string, name?: string): Promise<number> {
    let q = this.db.deleteFrom('rule_groups').where('tenant', '=', tenant).where('language', '=', language).where('namespace', '=', namespace);
    if (name !== undefined) q = q.where('name', '=', name);
    return Number((await q.executeTakeFirst()).numDeletedRows);
  }
}
