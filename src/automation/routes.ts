import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../auth/index.js';
import { compileEventPattern } from '../events/index.js';
import { APP_API_PREFIX, parseWith } from '../http/index.js';
import { IchigenError } from '../model/index.js';
import { writeAudit, type StateDb } from '../state/index.js';
import { ACTIONS } from './actions/registry.js';
import type { AgentTokenStore } from './agent/agent-tokens.js';
import type { ClusterDispatcher } from './agent/cluster-dispatcher.js';
import type { DefinitionStore } from './definition-store.js';
import { ruleInputSchema } from './input-transform.js';
import type { RunEngine } from './run-engine.js';
import type { RunRecord } from './run-store.js';
import { runbookSchema, type RunbookDefinition } from './runbook.js';
import type { RuleRunner } from './rule-runner.js';
import { parseSchedule, type Clock } from './schedule.js';

export interface AutomationRouteDeps {
  readonly state: StateDb;
  readonly defs: DefinitionStore;
  readonly engine: RunEngine;
  readonly rules: RuleRunner;
  readonly agents: ClusterDispatcher;
  readonly tokens: AgentTokenStore;
  readonly clock: Clock;
}

const P = APP_API_PREFIX;
const nameParams = z.object({ name: z.string().min(1).max(100) });
const idParams = z.object({ id: z.string().min(1).max(64) });
const ruleBody = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9_.-]{1,100}$/),
    enabled: z.boolean().default(true),
    pattern: z.record(z.unknown()).optional(),
    schedule: z.string().max(256).optional(),
    timeZone: z.string().max(64).default('UTC'),
    runbook: z.string().min(1).max(100),
    input: ruleInputSchema.default({}),
  })
  .strict()
  .refine((r) => (r.pattern === undefined) !== (r.schedule === undefined), 'give exactly one of pattern or schedule');

/** A runbook's steps must name known actions; inputs without placeholders are checked now. */
function checkRunbook(def: RunbookDefinition): void {
  const names = new Set<string>();
  for (const s of def.steps) {
    if (names.has(s.name)) throw new IchigenError('INVALID_PARAMETER', `two steps are named "${s.name}"`);
    names.add(s.name);
    const action = ACTIONS[s.action];
    if (action === undefined) throw new IchigenError('INVALID_PARAMETER', `step "${s.name}": unknown action "${s.action}" (known: ${Object.keys(ACTIONS).sort().join(', ')})`);
    if (!JSON.stringify(s.with).includes('{{')) {
      const r = action.input.safeParse(s.with);
      if (!r.success) throw new IchigenError('INVALID_PARAMETER', `step "${s.name}" (${s.action}): ${r.error.issues.map((i) => `${i.path.join('.') || 'with'}: ${i.message}`).join('; ')}`);
    }
  }
}

export function runJson(r: RunRecord, live?: { output: string; firstOutputAt?: number }): Record<string, unknown> {
  return {
    id: r.id,
    runbook: r.runbook,
    status: r.status,
    trigger: { ...r.trigger, event: r.trigger.event === undefined ? undefined : { id: r.trigger.event.id, source: r.trigger.event.source, 'detail-type': r.trigger.event['detail-type'] } },
    params: r.params,
    approval: r.approval,
    error: r.error,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    durationMs: r.finishedAt === null ? null : r.finishedAt - r.createdAt,
    replica: r.replica,
    steps: r.steps.map((s) => ({ ...s, durationMs: s.finishedAt === null ? null : s.finishedAt - s.startedAt })),
    ...(live !== undefined ? { liveOutput: live.output } : {}),
  };
}

function approvalPage(run: RunRecord, q: Record<string, string>): string {
  const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const hidden = ['step', 'exp', 'sig'].map((k) => `<input type="hidden" name="${k}" value="${esc(q[k] ?? '')}">`).join('');
  return `<!doctype html><meta charset="utf-8"><title>Approve runbook ${esc(run.runbook)}</title><h1>Runbook ${esc(run.runbook)}</h1><p>${esc(run.approval?.message ?? '')}</p><pre>${esc(JSON.stringify(run.params, null, 2))}</pre><form method="post">${hidden}<button name="decision" value="approve">Approve</button> <button name="decision" value="reject">Reject</button></form>`;
}

export function registerAutomationRoutes(app: FastifyInstance, d: AutomationRouteDeps): void {
  const actor = (req: FastifyRequest): string => principalOf(req).name;
  const audit = (req: FastifyRequest, action: string, target: string, details: Record<string, unknown> = {}): Promise<void> =>
    writeAudit(d.state.db, { tenant: req.tenant, actor: actor(req), action, target, details });

  app.get(`${P}/runbooks`, async (req) => ({ status: 'success', data: (await d.defs.listRunbooks(req.tenant)).map((r) => ({ ...r.definition, id: r.id, createdBy: r.createdBy, createdAt: r.createdAt, updatedAt: r.updatedAt })) }));
  app.get(`${P}/runbooks/:name`, async (req) => {
    const { name } = parseWith(nameParams, req.params, 'path');
    const r = await d.defs.getRunbook(req.tenant, name);
    if (r === undefined) throw new IchigenError('NOT_FOUND', `runbook "${name}" not found`);
    return { status: 'success', data: { ...r.definition, id: r.id, createdBy: r.createdBy, createdAt: r.createdAt, updatedAt: r.updatedAt } };
  });
  app.put(`${P}/runbooks/:name`, async (req, reply) => {
    const { name } = parseWith(nameParams, req.params, 'path');
    const def = parseWith(runbookSchema, { ...(req.body as object), name });
    checkRunbook(def);
    const r = await d.defs.putRunbook(req.tenant, def, actor(req), d.clock.now());
    await audit(req, r.created ? 'runbook.create' : 'runbook.update', name, { steps: def.steps.map((s) => s.action) });
    return reply.code(r.created ? 201 : 200).send({ status: 'success', data: { ...r.runbook.definition, id: r.runbook.id } });
  });
  app.delete(`${P}/runbooks/:name`, async (req) => {
    const { name } = parseWith(nameParams, req.params, 'path');
    await d.defs.deleteRunbook(req.tenant, name);
    await audit(req, 'runbook.delete', name);
    return { status: 'success', data: null };
  });

  // Only a stored runbook can run: there is no endpoint that takes a command.
  app.post(`${P}/runbooks/:name/runs`, async (req, reply) => {
    const { name } = parseWith(nameParams, req.params, 'path');
    const body = parseWith(z.object({ params: z.record(z.unknown()).default({}) }).strict(), req.body ?? {});
    const rb = await d.defs.getRunbook(req.tenant, name);
    if (rb === undefined) throw new IchigenError('NOT_FOUND', `runbook "${name}" not found`);
    const run = await d.engine.start(req.tenant, rb.definition, body.params, { kind: 'manual', actor: actor(req) });
    return reply.code(202).send({ status: 'success', data: runJson(run) });
  });

  app.get(`${P}/runs`, async (req) => {
    const q = parseWith(z.object({ runbook: z.string().max(100).optional(), status: z.string().max(32).optional(), event: z.string().max(256).optional(), before: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }), req.query, 'query');
    const runs = await d.engine.runs.list(req.tenant, q);
    return { status: 'success', data: runs.map((r) => runJson(r)) };
  });
  app.get(`${P}/runs/:id`, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    const r = await d.engine.runs.get(req.tenant, id);
    if (r === undefined) throw new IchigenError('NOT_FOUND', `run "${id}" not found`);
    // Executing on another replica: the running step's output as last saved (every second).
    const live = d.engine.liveOutput(id) ?? (r.status === 'running' ? { output: r.steps.find((s) => s.status === 'running')?.output ?? '' } : undefined);
    return { status: 'success', data: runJson(r, live) };
  });
  app.post(`${P}/runs/:id/cancel`, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    await d.engine.cancel(req.tenant, id, actor(req));
    return { status: 'success', data: null };
  });
  for (const [verb, decision] of [['approve', 'approved'], ['reject', 'rejected']] as const) {
    app.post(`${P}/runs/:id/${verb}`, async (req) => {
      const { id } = parseWith(idParams, req.params, 'path');
      return { status: 'success', data: runJson(await d.engine.decide(req.tenant, id, decision, actor(req), 'api')) };
    });
  }

  // Signed, expiring approval links (from notifications): GET shows a page, POST decides — a link
  // preview that only GETs never approves anything.
  const linkQuery = z.object({ step: z.coerce.number().int().min(0), exp: z.coerce.number().int(), sig: z.string().min(1).max(128) });
  const linkRun = async (req: FastifyRequest): Promise<{ run: RunRecord; q: z.infer<typeof linkQuery> }> => {
    const { id } = parseWith(idParams, req.params, 'path');
    const q = parseWith(linkQuery, { ...(req.query as object), ...(typeof req.body === 'object' && req.body !== null ? req.body : {}) }, 'query');
    await d.engine.checkLink(id, q.step, q.exp, q.sig);
    const run = await d.engine.runs.get(undefined, id);
    if (run === undefined) throw new IchigenError('NOT_FOUND', `run "${id}" not found`);
    return { run, q };
  };
  app.get(`${P}/runs/:id/approval`, { config: { public: true } }, async (req, reply: FastifyReply) => {
    const { run } = await linkRun(req);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(approvalPage(run, req.query as Record<string, string>));
  });
  app.post(`${P}/runs/:id/approval`, { config: { public: true } }, async (req) => {
    const { run, q } = await linkRun(req);
    const decision = (req.body as { decision?: string } | undefined)?.decision;
    if (decision !== 'approve' && decision !== 'reject') throw new IchigenError('INVALID_PARAMETER', 'decision must be approve or reject');
    return { status: 'success', data: runJson(await d.engine.decide(run.tenant, run.id, decision === 'approve' ? 'approved' : 'rejected', 'approval link', 'link', q.step)) };
  });

  app.get(`${P}/automation/rules`, async (req) => ({ status: 'success', data: (await d.defs.listRules(req.tenant)).map((r) => ({ ...r, nextTick: d.rules.nextTick(r.id) ?? null })) }));
  app.put(`${P}/automation/rules/:name`, async (req, reply) => {
    const { name } = parseWith(nameParams, req.params, 'path');
    const body = parseWith(ruleBody, { ...(req.body as object), name });
    if (body.pattern !== undefined) compileEventPattern(body.pattern);
    if (body.schedule !== undefined) parseSchedule(body.schedule, body.timeZone, d.clock.now());
    if ((await d.defs.getRunbook(req.tenant, body.runbook)) === undefined) throw new IchigenError('INVALID_PARAMETER', `runbook "${body.runbook}" does not exist`);
    const rule = await d.defs.putRule({ tenant: req.tenant, name, enabled: body.enabled, pattern: body.pattern ?? null, schedule: body.schedule ?? null, timeZone: body.timeZone, runbook: body.runbook, input: body.input }, d.clock.now());
    d.rules.add(rule);
    await d.rules.changed();
    await audit(req, 'automation.rule.put', name, { runbook: rule.runbook, pattern: rule.pattern, schedule: rule.schedule });
    return reply.code(200).send({ status: 'success', data: { ...rule, nextTick: d.rules.nextTick(rule.id) ?? null } });
  });
  app.delete(`${P}/automation/rules/:name`, async (req) => {
    const { name } = parseWith(nameParams, req.params, 'path');
    d.rules.remove(await d.defs.deleteRule(req.tenant, name));
    await d.rules.changed();
    await audit(req, 'automation.rule.delete', name);
    return { status: 'success', data: null };
  });

  // Agents connected to any replica sharing the state database.
  app.get(`${P}/agents`, async (req) => ({ status: 'success', data: (await d.agents.list(req.tenant)).map((a) => ({ id: a.id, name: a.name, labels: a.labels, maxConcurrency: a.maxConcurrency, connectedAt: a.connectedAt, seenAt: a.seenAt, replica: a.replica })) }));
  app.get(`${P}/agents/tokens`, { config: { scope: 'admin' } }, async (req) => ({ status: 'success', data: await d.tokens.list(req.tenant) }));
  app.post(`${P}/agents/tokens`, { config: { scope: 'admin' } }, async (req, reply) => {
    const body = parseWith(z.object({ name: z.string().min(1).max(100) }).strict(), req.body);
    const { token, secret } = await d.tokens.create(req.tenant, body.name, actor(req), d.clock.now());
    await audit(req, 'agent_token.create', token.id, { name: token.name });
    return reply.code(201).send({ status: 'success', data: { ...token, secret } });
  });
  app.delete(`${P}/agents/tokens/:id`, { config: { scope: 'admin' } }, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    await d.tokens.revoke(req.tenant, id, d.clock.now());
    await d.agents.revoke(id);
    await audit(req, 'agent_token.revoke', id);
    return { status: 'success', data: null };
  });
}
