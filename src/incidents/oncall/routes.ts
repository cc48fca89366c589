import type { Kysely } from 'kysely';
import { z } from 'zod';
import { IchigenError } from '../../model/index.js';
import { parseWith } from '../../http/index.js';
import { newId, type StateSchema, type StateSql } from '../../state/index.js';
import type { IncomingAlert } from '../grouping.js';
import type { RouteResolver } from '../intake.js';
import { readJson } from '../json.js';
import { compileMatchers, parseMatcherList } from '../matchers.js';
import { renderTemplate, validateTemplate } from '../template.js';

const routeBody = z.object({
  /** Only alerts from this integration (absent: any). */
  integration: z.string().optional(),
  /** Label matchers: `{severity="critical", team=~"db|infra"}`. */
  matchers: z.string().default(''),
  /** A template rendered per alert, and a regular expression its text must match. */
  template: z.string().default(''),
  templateMatch: z.string().default(''),
  chain: z.string().min(1),
  /** Used when no other route matches. */
  isDefault: z.boolean().default(false),
  position: z.number().int().min(0).default(100),
});

export interface Route {
  readonly id: string;
  readonly integration: string | null;
  readonly matchers: string;
  readonly template: string;
  readonly templateMatch: string;
  readonly chain: string;
  readonly isDefault: boolean;
  readonly position: number;
}

type Row = StateSchema['incident_routes'];
const toRoute = (r: Row): Route => {
  const m = readJson<{ labels?: string; templateMatch?: string }>(r.matchers, {});
  return { id: r.id, integration: r.integration_id, matchers: m.labels ?? '', template: r.template, templateMatch: m.templateMatch ?? '', chain: r.chain_id, isDefault: r.is_default === 1, position: Number(r.position) };
};

/** Routes choose a new group's escalation chain: first match by position wins, else the default. */
/** Read once per intake batch or notification batch: written out once (see StateSql), no query building. */
const ROUTES = 'select * from incident_routes where tenant = ? order by position, id';

export class RouteStore implements RouteResolver {
  constructor(
    private readonly db: Kysely<StateSchema>,
    private readonly sql?: StateSql,
  ) {}

  async create(tenant: string, body: unknown): Promise<Route> {
    const b = parseWith(routeBody, body);
    compileMatchers(parseMatcherList(b.matchers));
    if (b.template !== '') validateTemplate(b.template);
    try {
      new RegExp(b.templateMatch);
    } catch {
      throw new IchigenError('INVALID_PARAMETER', `templateMatch "${b.templateMatch}" is not a valid regular expression`);
    }
    const chain = await this.db.selectFrom('incident_chains').select('id').where('tenant', '=', tenant).where('id', '=', b.chain).executeTakeFirst();
    if (!chain) throw new IchigenError('INVALID_PARAMETER', `escalation chain ${b.chain} not found`);
    const row: Row = { id: newId(), tenant, integration_id: b.integration ?? null, position: b.position, matchers: JSON.stringify({ labels: b.matchers, templateMatch: b.templateMatch }), template: b.template, chain_id: b.chain, is_default: b.isDefault ? 1 : 0 };
    await this.db.insertInto('incident_routes').values(row).execute();
    return toRoute(row);
  }

  async list(tenant: string): Promise<Route[]> {
    const rows =
      this.sql !== undefined
        ? await this.sql.all<StateSchema['incident_routes']>(this.db, ROUTES, [tenant])
        : await this.db.selectFrom('incident_routes').selectAll().where('tenant', '=', tenant).orderBy('position').orderBy('id').execute();
    return rows.map(toRoute);
  }

  async remove(tenant: string, id: string): Promise<void> {
    const res = await this.db.deleteFrom('incident_routes').where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new IchigenError('NOT_FOUND', `route ${id} not found`);
  }

  /** The tenant's routes, compiled once, as a function choosing a new group's chain (first match by position, else the default). */
  async resolver(tenant: string): Promise<(integrationId: string, alert: IncomingAlert) => { routeId: string; chainId: string } | undefined> {
    const routes = (await this.list(tenant)).map((r) => ({ ...r, match: compileMatchers(parseMatcherList(r.matchers)), templateRe: new RegExp(`^(?:${r.templateMatch})$`) }));
    return (integrationId, alert) => {
      let fallback: (typeof routes)[number] | undefined;
      for (const r of routes) {
        if (r.integration !== null && r.integration !== integrationId) continue;
        if (r.isDefault) {
          fallback ??= r;
          continue;
        }
        if (!r.match(alert.labels)) continue;
        if (r.template !== '' && !r.templateRe.test(renderTemplate(r.template, { labels: alert.labels, annotations: alert.annotations, payload: alert.payload ?? {} }))) continue;
        return { routeId: r.id, chainId: r.chain };
      }
      return fallback ? { routeId: fallback.id, chainId: fallback.chain } : undefined;
    };
  }
}
