import type { Kysely } from 'kysely';
import { z } from 'zod';
import { parseWith } from '../http/index.js';
import { IchigenError } from '../model/index.js';
import { newId, type StateSchema, type StateSql } from '../state/index.js';
import { readJson, type LabelRecord } from './json.js';
import { compileMatchers, parseMatcherList, type RecordPredicate } from './matchers.js';

/** Alertmanager's inhibit_rules: a firing source alert mutes matching targets that share `equal` labels. */
export interface InhibitRule {
  readonly id: string;
  readonly sourceMatchers: string;
  readonly targetMatchers: string;
  readonly equal: readonly string[];
}

const ruleSchema = z.object({
  sourceMatchers: z.string().min(1),
  targetMatchers: z.string().min(1),
  equal: z.array(z.string().min(1)).default([]),
});

export interface FiringAlert {
  readonly fingerprint: string;
  readonly labels: LabelRecord;
}

export interface Inhibitor {
  /** Fingerprints of the firing alerts that inhibit this one. */
  inhibitedBy(alert: FiringAlert): string[];
}

export const NO_INHIBITION: Inhibitor = { inhibitedBy: () => [] };

/** Read once per intake batch or notification batch: written out once (see StateSql), no query building. */
const RULES = 'select * from incident_inhibit_rules where tenant = ? order by created_at';

export class InhibitStore {
  constructor(
    private readonly db: Kysely<StateSchema>,
    private readonly sql?: StateSql,
  ) {}

  async create(tenant: string, body: unknown, now: number): Promise<InhibitRule> {
    const input = parseWith(ruleSchema, body);
    compileMatchers(parseMatcherList(input.sourceMatchers));
    compileMatchers(parseMatcherList(input.targetMatchers));
    const id = newId(now);
    await this.db.insertInto('incident_inhibit_rules').values({ id, tenant, source_matchers: input.sourceMatchers, target_matchers: input.targetMatchers, equal: JSON.stringify(input.equal), created_at: now }).execute();
    return { id, sourceMatchers: input.sourceMatchers, targetMatchers: input.targetMatchers, equal: input.equal };
  }

  async list(tenant: string): Promise<InhibitRule[]> {
    const rows =
      this.sql !== undefined
        ? await this.sql.all<StateSchema['incident_inhibit_rules']>(this.db, RULES, [tenant])
        : await this.db.selectFrom('incident_inhibit_rules').selectAll().where('tenant', '=', tenant).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, sourceMatchers: r.source_matchers, targetMatchers: r.target_matchers, equal: readJson<string[]>(r.equal, []) }));
  }

  async remove(tenant: string, id: string): Promise<void> {
    const res = await this.db.deleteFrom('incident_inhibit_rules').where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new IchigenError('NOT_FOUND', `inhibit rule ${id} not found`);
  }

  /** Builds an inhibitor over the tenant's firing alerts (loaded only when rules exist). */
  async inhibitor(tenant: string, loadFiring: () => Promise<FiringAlert[]>): Promise<Inhibitor> {
    const rules = await this.list(tenant);
    if (rules.length === 0) return NO_INHIBITION;
    const firing = await loadFiring();
    const compiled: { source: RecordPredicate; target: RecordPredicate; equal: readonly string[]; sources: FiringAlert[] }[] = rules.map((r) => {
      const source = compileMatchers(parseMatcherList(r.sourceMatchers));
      return { source, target: compileMatchers(parseMatcherList(r.targetMatchers)), equal: r.equal, sources: firing.filter((a) => source(a.labels)) };
    });
    return {
      inhibitedBy(alert) {
        const out: string[] = [];
        for (const c of compiled) {
          if (!c.target(alert.labels)) continue;
          for (const s of c.sources) {
            // Like Alertmanager: an alert matching both sides does not inhibit itself.
            if (s.fingerprint === alert.fingerprint) continue;
            if (c.equal.every((l) => (s.labels[l] ?? '') === (alert.labels[l] ?? ''))) out.push(s.fingerprint);
          }
        }
        return [...new Set(out)];
      },
    };
  }
}
