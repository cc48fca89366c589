import type { FastifyInstance, FastifyRequest } from 'fastify';
import YAML from 'yaml';
import { z } from 'zod';
import { APP_API_PREFIX, parseWith } from '../http/index.js';
import { IchigenError } from '../model/index.js';
import { gettableAlert, gettableSilence, postableAlerts, toIncoming } from './am-shapes.js';
import { toAlert } from './group.js';
import type { IncidentsCore } from './core.js';
import { compileMatchers, parseMatcher } from './matchers.js';
import { integrationFromRequest } from './request-auth.js';

const boolParam = z
  .enum(['true', 'false'])
  .optional()
  .transform((v) => v !== 'false');

const alertQuery = z.object({
  active: boolParam,
  silenced: boolParam,
  inhibited: boolParam,
  unprocessed: boolParam,
  filter: z.union([z.string(), z.array(z.string())]).optional(),
  receiver: z.string().optional(),
});

/**
 * The Alertmanager API v2 (the subset senders and Grafana's Alertmanager data source use):
 * at the root for the tenant's default integration, and `POST …/integrations/<id>/api/v2/alerts`
 * for an integration's own URL and token.
 */
export function registerAlertmanagerApi(app: FastifyInstance, core: IncidentsCore): void {
  const postAlerts = async (request: FastifyRequest, integrationId: string | undefined): Promise<void> => {
    const body = parseWith(postableAlerts, request.body);
    const alerts = toIncoming(body);
    const integration =
      integrationId === undefined ? await core.integrations.ensureDefault(request.tenant, core.clock()) : await integrationFromRequest(core, request, integrationId);
    await core.intake.ingest(integration, alerts, `integration:${integration.name}`);
  };

  app.post('/api/v2/alerts', { config: { scope: 'ingest' } }, async (request, reply) => {
    await postAlerts(request, undefined);
    return reply.status(200).send();
  });
  app.post<{ Params: { id: string } }>(`${APP_API_PREFIX}/integrations/:id/api/v2/alerts`, { config: { public: true } }, async (request, reply) => {
    await postAlerts(request, request.params.id);
    return reply.status(200).send();
  });

  app.get('/api/v2/alerts', async (request) => {
    const q = parseWith(alertQuery, request.query, 'query');
    return (await listAlerts(core, request.tenant, q)).map((x) => x.alert);
  });

  app.get('/api/v2/alerts/groups', async (request) => {
    const q = parseWith(alertQuery, request.query, 'query');
    const alerts = await listAlerts(core, request.tenant, q);
    const byGroup = new Map<string, { receiver: string; alerts: unknown[] }>();
    for (const a of alerts) {
      const g = byGroup.get(a.groupId) ?? { receiver: a.receiver, alerts: [] };
      g.alerts.push(a.alert);
      byGroup.set(a.groupId, g);
    }
    const out: unknown[] = [];
    for (const [gid, g] of byGroup) {
      const group = await core.groups.get(request.tenant, gid).catch(() => undefined);
      out.push({ alerts: g.alerts, labels: group?.groupLabels ?? {}, receiver: { name: g.receiver } });
    }
    return out;
  });

  app.get('/api/v2/silences', async (request) => {
    const q = parseWith(z.object({ filter: z.union([z.string(), z.array(z.string())]).optional() }), request.query, 'query');
    const filters = (q.filter === undefined ? [] : Array.isArray(q.filter) ? q.filter : [q.filter]).map(parseMatcher);
    const now = core.clock();
    const list = await core.silences.list(request.tenant);
    return list
      .filter((s) => filters.every((f) => s.matchers.some((m) => m.name === f.name && compileMatchers([f])({ [m.name]: m.value }))))
      .map((s) => gettableSilence(s, now));
  });
  app.post('/api/v2/silences', async (request) => {
    const id = await core.silences.upsert(request.tenant, request.body, core.clock());
    await core.audit(request, 'silence.create', id);
    return { silenceID: id };
  });
  app.get<{ Params: { id: string } }>('/api/v2/silence/:id', async (request) => gettableSilence(await core.silences.get(request.tenant, request.params.id), core.clock()));
  app.delete<{ Params: { id: string } }>('/api/v2/silence/:id', async (request, reply) => {
    await core.silences.expire(request.tenant, request.params.id, core.clock());
    await core.audit(request, 'silence.expire', request.params.id);
    return reply.status(200).send();
  });

  app.get('/api/v2/receivers', async (request) => (await core.integrations.list(request.tenant)).map((i) => ({ name: i.name })));

  app.get('/api/v2/status', async (request) => {
    const integrations = await core.integrations.list(request.tenant);
    const config = {
      global: { resolve_timeout: `${Math.round(core.options.resolveTimeoutMs / 1000)}s` },
      route: { receiver: 'default', group_by: ['alertname'] },
      receivers: [{ name: 'default' }, ...integrations.filter((i) => i.name !== 'default').map((i) => ({ name: i.name }))],
      inhibit_rules: (await core.inhibits.list(request.tenant)).map((r) => ({ source_matchers: [r.sourceMatchers], target_matchers: [r.targetMatchers], equal: r.equal })),
      templates: [],
    };
    return {
      cluster: { peers: [], status: 'disabled' },
      config: { original: YAML.stringify(config) },
      uptime: new Date(core.startedAt).toISOString(),
      versionInfo: { branch: 'ichigen', buildDate: '', buildUser: 'ichigen', goVersion: `node${process.versions.node}`, revision: '', version: '0.25.0' },
    };
  });

}

interface ListedAlert {
  readonly groupId: string;
  readonly receiver: string;
  readonly alert: Record<string, unknown>;
}

async function listAlerts(core: IncidentsCore, tenant: string, q: z.infer<typeof alertQuery>): Promise<ListedAlert[]> {
  const now = core.clock();
  const filters = (q.filter === undefined ? [] : Array.isArray(q.filter) ? q.filter : [q.filter]).map(parseMatcher);
  const match = compileMatchers(filters);
  let receiverRe: RegExp | undefined;
  if (q.receiver !== undefined && q.receiver !== '') {
    try {
      receiverRe = new RegExp(`^(?:${q.receiver})$`);
    } catch {
      throw new IchigenError('INVALID_PARAMETER', `receiver "${q.receiver}" is not a valid regular expression`);
    }
  }
  const rows = await core.state.db.selectFrom('incident_alerts').selectAll().where('tenant', '=', tenant).where('status', '=', 'firing').where('ends_at', '>', now).orderBy('starts_at').limit(50_000).execute();
  const alerts = rows.map(toAlert);
  const names = new Map((await core.integrations.list(tenant)).map((i) => [i.id, i.name]));
  const silences = await core.silences.active(tenant, now);
  const inhibitor = await core.inhibits.inhibitor(tenant, async () => alerts.map((a) => ({ fingerprint: a.fingerprint, labels: a.labels })));
  const out: ListedAlert[] = [];
  for (const a of alerts) {
    if (!match(a.labels)) continue;
    const receiver = names.get(a.integrationId) ?? 'default';
    if (receiverRe && !receiverRe.test(receiver)) continue;
    const silencedBy = silences.matching(a.labels);
    const inhibitedBy = inhibitor.inhibitedBy(a);
    const suppressed = silencedBy.length > 0 || inhibitedBy.length > 0;
    if (!suppressed && !q.active) continue;
    if (silencedBy.length > 0 && !q.silenced) continue;
    if (inhibitedBy.length > 0 && !q.inhibited) continue;
    out.push({ groupId: a.groupId, receiver, alert: gettableAlert(a, receiver, { silencedBy, inhibitedBy }) });
  }
  return out;
}
