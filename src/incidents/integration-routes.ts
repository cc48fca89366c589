import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { receiveSnsMessage, type SnsVerifier } from '../events/index.js';
import { APP_API_PREFIX, parseWith } from '../http/index.js';
import { IchigenError, parseDuration } from '../model/index.js';
import type { IncidentsCore } from './core.js';
import type { IncomingAlert } from './grouping.js';
import { INTEGRATION_KINDS } from './integrations.js';
import { integrationFromRequest } from './request-auth.js';
import { fromSnsNotification } from './sns-alarms.js';
import { WEBHOOK_FIRING_MS, fromAlertmanagerWebhook, fromGenericWebhook } from './webhook-formats.js';
import { fromZabbixWebhook } from './zabbix-format.js';

const P = `${APP_API_PREFIX}/integrations`;

const createBody = z.object({ name: z.string(), kind: z.enum(INTEGRATION_KINDS), settings: z.unknown().optional() });
const maintenanceBody = z.object({ duration: z.string().nullable() });

/** The labels of the alert a silent heartbeat raises. */
export function heartbeatLabels(name: string): Record<string, string> {
  return { alertname: 'HeartbeatMissing', integration: name };
}

/** Integrations: CRUD, maintenance windows, and each integration's own inbound URLs. */
export function registerIntegrationRoutes(app: FastifyInstance, core: IncidentsCore, sns: SnsVerifier | undefined): void {
  app.get(P, async (request) => ({ data: await core.integrations.list(request.tenant) }));
  app.post(P, { config: { scope: 'admin' } }, async (request, reply) => {
    const body = parseWith(createBody, request.body);
    const { integration, token } = await core.integrations.create(request.tenant, body, core.clock());
    await core.audit(request, 'integration.create', integration.id, { name: integration.name, kind: integration.kind });
    return reply.status(201).send({ data: { ...integration, token, url: `${P}/${integration.id}` } });
  });
  app.get<{ Params: { id: string } }>(`${P}/:id`, async (request) => ({ data: await core.integrations.getInTenant(request.tenant, request.params.id) }));
  app.put<{ Params: { id: string } }>(`${P}/:id`, { config: { scope: 'admin' } }, async (request) => {
    const s = (request.body as { settings?: unknown } | null)?.settings ?? {};
    const i = await core.integrations.update(request.tenant, request.params.id, s);
    await core.audit(request, 'integration.update', i.id);
    return { data: i };
  });
  app.delete<{ Params: { id: string } }>(`${P}/:id`, { config: { scope: 'admin' } }, async (request, reply) => {
    await core.integrations.remove(request.tenant, request.params.id);
    await core.audit(request, 'integration.delete', request.params.id);
    return reply.status(204).send();
  });
  app.put<{ Params: { id: string } }>(`${P}/:id/maintenance`, async (request) => {
    const body = parseWith(maintenanceBody, request.body);
    const until = body.duration === null ? null : core.clock() + parseDuration(body.duration);
    const i = await core.integrations.setMaintenance(request.tenant, request.params.id, until);
    await core.audit(request, until === null ? 'integration.maintenance.end' : 'integration.maintenance.start', i.id, { until });
    return { data: i };
  });

  // An integration's inbound webhook: the payload format follows the integration's kind.
  app.post<{ Params: { id: string } }>(`${P}/:id/webhook`, { config: { public: true } }, async (request, reply) => {
    const integration = await integrationFromRequest(core, request, request.params.id, reply);
    let alerts: IncomingAlert[];
    if (integration.kind === 'alertmanager' || integration.kind === 'grafana') alerts = fromAlertmanagerWebhook(request.body, core.clock());
    else if (integration.kind === 'webhook') alerts = fromGenericWebhook(integration, request.body, core.clock());
    else if (integration.kind === 'zabbix') alerts = fromZabbixWebhook(request.body, core.clock());
    else if (integration.kind === 'sns') {
      if (sns === undefined) throw new IchigenError('UNAVAILABLE', 'SNS signature checking is not configured');
      // Verified before anything is stored: a tampered or foreign message gets 403 and creates nothing.
      const d = await receiveSnsMessage(request.body, { verifier: sns, allowedTopics: integration.settings.allowedTopics ?? [], log: core.log, receiver: `integration ${integration.name}` });
      if (d.type !== 'notification') return reply.status(200).send({ status: 'success', data: { [d.type]: true } });
      alerts = fromSnsNotification(d.message, core.clock());
    } else throw new IchigenError('BAD_REQUEST', `a ${integration.kind} integration does not take webhooks`);
    const r = await core.intake.ingest(integration, alerts, `integration:${integration.name}`);
    return reply.status(202).send({ status: 'success', data: r });
  });

  const heartbeat = async (id: string, request: Parameters<typeof integrationFromRequest>[1]): Promise<{ status: string }> => {
    const integration = await integrationFromRequest(core, request, id);
    if (integration.kind !== 'heartbeat') throw new IchigenError('BAD_REQUEST', `integration ${integration.name} is not a heartbeat`);
    const now = core.clock();
    // A ping resolves a "heartbeat missing" alert if one is firing.
    await core.intake.ingest(integration, [{ labels: heartbeatLabels(integration.name), annotations: {}, endsAt: now }], `integration:${integration.name}`);
    return { status: 'success' };
  };
  app.post<{ Params: { id: string } }>(`${P}/:id/heartbeat`, { config: { public: true } }, async (request) => heartbeat(request.params.id, request));
  app.get<{ Params: { id: string } }>(`${P}/:id/heartbeat`, { config: { public: true } }, async (request) => heartbeat(request.params.id, request));
}

/** Raises "heartbeat missing" for heartbeat integrations whose sender went silent (background loop). */
export async function checkHeartbeats(core: IncidentsCore): Promise<number> {
  const now = core.clock();
  let raised = 0;
  for (const i of await core.integrations.listAll()) {
    if (i.kind !== 'heartbeat') continue;
    const timeout = i.settings.heartbeatTimeoutMs ?? 300_000;
    const last = i.lastAlertAt ?? i.createdAt;
    if (now - last < timeout) continue;
    const firing = await core.state.db.selectFrom('incident_alerts').select('id').where('integration_id', '=', i.id).where('status', '=', 'firing').executeTakeFirst();
    if (firing) continue;
    await core.intake.ingest(
      i,
      [{ labels: heartbeatLabels(i.name), annotations: { summary: `no heartbeat from ${i.name} for ${Math.round((now - last) / 1000)}s` }, endsAt: now + WEBHOOK_FIRING_MS }],
      'heartbeat',
    );
    // ingest() moved last_alert_at; keep the real last ping so the message stays true.
    await core.state.db.updateTable('incident_integrations').set({ last_alert_at: last }).where('id', '=', i.id).execute();
    raised++;
  }
  return raised;
}
