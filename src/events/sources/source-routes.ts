import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../auth/index.js';
import { APP_API_PREFIX, parseForm, parseWith } from '../../http/index.js';
import { IchigenError } from '../../model/index.js';
import type { Logger } from '../../self/index.js';
import { writeAudit, type StateDb } from '../../state/index.js';
import type { EventBus } from '../event-bus.js';
import { fromEventBridgeEnvelope } from './aws-event-mapping.js';
import type { EventSource, EventSourceStore } from './event-source-store.js';
import { handleSnsMessage } from './sns-intake.js';
import type { SnsVerifier } from './sns-signature.js';

const base = `${APP_API_PREFIX}/event-sources`;

const newSourceBody = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (1–64)'),
    kind: z.enum(['eventbridge', 'sns']),
    auth: z.enum(['api_key', 'basic', 'oauth', 'none']),
    apiKeyHeader: z.string().regex(/^[A-Za-z0-9-]{1,64}$/).optional(),
    allowedTopics: z.array(z.string().regex(/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/, 'an SNS topic ARN')).max(100).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'eventbridge' && v.auth === 'none') ctx.addIssue({ code: 'custom', path: ['auth'], message: 'an EventBridge API destination needs api_key, basic or oauth' });
    if (v.kind === 'sns' && (v.auth === 'api_key' || v.auth === 'oauth')) ctx.addIssue({ code: 'custom', path: ['auth'], message: 'SNS sends none or basic (credentials in the subscription URL)' });
    if (v.kind === 'sns' && (v.allowedTopics ?? []).length === 0) ctx.addIssue({ code: 'custom', path: ['allowedTopics'], message: 'list the SNS topic ARNs this source accepts' });
  });

const idParams = z.object({ id: z.string().min(1).max(64) });

function sourceJson(s: EventSource, req: FastifyRequest, publicUrl: string): Record<string, unknown> {
  const root = publicUrl !== '' ? publicUrl.replace(/\/$/, '') : `${req.protocol}://${req.headers.host ?? 'localhost'}`;
  return {
    id: s.id,
    name: s.name,
    kind: s.kind,
    auth: s.authType,
    ...(s.authType === 'api_key' ? { apiKeyHeader: s.principal } : {}),
    ...(s.authType === 'basic' ? { username: s.principal } : {}),
    ...(s.authType === 'oauth' ? { clientId: s.principal, authorizationEndpoint: `${root}${base}/${s.id}/oauth/token` } : {}),
    ...(s.kind === 'sns' ? { allowedTopics: s.allowedTopics } : {}),
    url: `${root}${base}/${s.id}/${s.kind}`,
    createdAt: s.createdAt,
    createdBy: s.createdBy,
  };
}

function basicCredentials(req: FastifyRequest): { user: string; pass: string } | undefined {
  const h = req.headers.authorization;
  if (h === undefined || !/^basic /i.test(h)) return undefined;
  const text = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : { user: decodeURIComponent(text.slice(0, i)), pass: decodeURIComponent(text.slice(i + 1)) };
}

function unauthorized(reply: FastifyReply, scheme: string): never {
  void reply.header('www-authenticate', scheme);
  throw new IchigenError('UNAUTHENTICATED', 'invalid or missing event source credentials');
}

/** Checks the credentials an EventBridge connection sends for this source. */
async function authenticate(store: EventSourceStore, s: EventSource, req: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (s.authType === 'api_key') {
    const v = req.headers[s.principal];
    const value = Array.isArray(v) ? v[0] : v;
    if (value === undefined || !(await store.checkSecret(s.id, value))) unauthorized(reply, 'ApiKey');
  } else if (s.authType === 'basic') {
    const c = basicCredentials(req);
    if (c === undefined || c.user !== s.principal || !(await store.checkSecret(s.id, c.pass))) unauthorized(reply, `Basic realm="ichigen"`);
  } else if (s.authType === 'oauth') {
    const h = req.headers.authorization ?? '';
    const m = /^bearer\s+(\S+)$/i.exec(h);
    if (m === null || !(await store.checkToken(s.id, m[1]!))) unauthorized(reply, 'Bearer error="invalid_token"');
  }
}

export interface SourceRouteDeps {
  readonly store: EventSourceStore;
  readonly bus: EventBus;
  readonly verifier: SnsVerifier;
  readonly state: StateDb;
  readonly log: Logger;
  readonly publicUrl: string;
}

/** Event sources: management (admin) and the inbound endpoints EventBridge and SNS call. */
export function registerSourceRoutes(app: FastifyInstance, deps: SourceRouteDeps): void {
  const { store, bus } = deps;
  const sourceOr401 = async (req: FastifyRequest, reply: FastifyReply, kind: string): Promise<EventSource> => {
    const { id } = parseWith(idParams, req.params, 'path');
    const s = await store.get(id);
    if (s === undefined || s.kind !== kind) unauthorized(reply, 'Basic realm="ichigen"');
    return s;
  };

  app.get(base, { config: { scope: 'admin' } }, async (req) => ({ status: 'success', data: (await store.list(req.tenant)).map((s) => sourceJson(s, req, deps.publicUrl)) }));

  app.post(base, { config: { scope: 'admin' } }, async (req, reply) => {
    const body = parseWith(newSourceBody, req.body);
    const actor = principalOf(req).name;
    const { source, secret } = await store.create({
      tenant: req.tenant,
      name: body.name,
      kind: body.kind,
      authType: body.auth,
      ...(body.apiKeyHeader !== undefined ? { apiKeyHeader: body.apiKeyHeader } : {}),
      ...(body.allowedTopics !== undefined ? { allowedTopics: body.allowedTopics } : {}),
      createdBy: actor,
    });
    await writeAudit(deps.state.db, { tenant: req.tenant, actor, action: 'event_source.create', target: source.id, details: { name: source.name, kind: source.kind, auth: source.authType } });
    return reply.code(201).send({ status: 'success', data: { ...sourceJson(source, req, deps.publicUrl), ...(secret !== undefined ? { secret } : {}) } });
  });

  app.delete(`${base}/:id`, { config: { scope: 'admin' } }, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    if (!(await store.delete(req.tenant, id))) throw new IchigenError('NOT_FOUND', `event source "${id}" not found`);
    await writeAudit(deps.state.db, { tenant: req.tenant, actor: principalOf(req).name, action: 'event_source.delete', target: id });
    return { status: 'success', data: null };
  });

  // EventBridge API destination: one event per request (the full event, or what an input transformer made).
  app.post(`${base}/:id/eventbridge`, { config: { public: true } }, async (req, reply) => {
    const s = await sourceOr401(req, reply, 'eventbridge');
    await authenticate(store, s, req, reply);
    const body = req.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new IchigenError('INVALID_BODY', 'expected a JSON object (an EventBridge event or transformed input)');
    const input = fromEventBridgeEnvelope(body as Record<string, unknown>) ?? { source: `eventbridge.${s.name}`, detailType: 'API Destination Event', detail: body as Record<string, unknown> };
    const r = await bus.publish({ ...input, tenant: s.tenant, external: true });
    return reply.code(200).send({ status: 'success', data: { id: r.event.id, stored: r.stored } });
  });

  // The OAuth token endpoint an EventBridge OAUTH_CLIENT_CREDENTIALS connection calls.
  const token = async (req: FastifyRequest, reply: FastifyReply): Promise<unknown> => {
    const s = await sourceOr401(req, reply, 'eventbridge');
    if (s.authType !== 'oauth') unauthorized(reply, 'Basic realm="ichigen"');
    const params: Record<string, string> = {};
    for (const src of [req.query, typeof req.body === 'string' ? parseForm(req.body) : req.body]) {
      if (typeof src === 'object' && src !== null) for (const [k, v] of Object.entries(src)) if (typeof v === 'string') params[k] = v;
    }
    const basic = basicCredentials(req);
    const clientId = basic?.user ?? params.client_id;
    const secret = basic?.pass ?? params.client_secret;
    if (params.grant_type !== undefined && params.grant_type !== 'client_credentials') {
      return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'only client_credentials is supported' });
    }
    if (clientId !== s.principal || secret === undefined || !(await store.checkSecret(s.id, secret))) {
      return reply.code(401).header('www-authenticate', 'Basic realm="ichigen"').send({ error: 'invalid_client', error_description: 'unknown client or wrong secret' });
    }
    const t = await store.issueToken(s.id);
    return reply.header('cache-control', 'no-store').send({ access_token: t.token, token_type: 'Bearer', expires_in: t.expiresIn });
  };
  app.route({ method: ['GET', 'POST', 'PUT'], url: `${base}/:id/oauth/token`, config: { public: true }, handler: token });

  app.post(`${base}/:id/sns`, { config: { public: true } }, async (req, reply) => {
    const s = await sourceOr401(req, reply, 'sns');
    await authenticate(store, s, req, reply);
    const result = await handleSnsMessage(req.body, s, { bus, verifier: deps.verifier, log: deps.log });
    return reply.code(200).send({ status: 'success', data: result });
  });
}
