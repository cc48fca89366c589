import type { FastifyInstance } from 'fastify';
import { APP_API_PREFIX } from '../http/index.js';
import { IchigenError, labelsToRecord } from '../model/index.js';
import { formatGoFloat } from '../query/index.js';
import { AlertingRule, type RuleAlert } from './alerting-rule.js';
import { parseRuleFile } from './rule-file.js';
import type { RuleGroup } from './rule-group.js';
import type { RuleManager } from './rule-manager.js';

const iso = (ms: number): string => new Date(ms).toISOString();

function alertJson(a: RuleAlert): Record<string, unknown> {
  // Prometheus prints the value with strconv 'e' (e.g. "9.7e+01").
  const value = Number.isFinite(a.value) ? a.value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2') : formatGoFloat(a.value);
  return { labels: labelsToRecord(a.labels), annotations: a.annotations, state: a.state, activeAt: iso(a.activeAt), value };
}

const list = (v: unknown): string[] | undefined => (v === undefined ? undefined : Array.isArray(v) ? v.map(String) : [String(v)]);

/** The groups in Prometheus' `/api/v1/rules` shape, with its filters (`type`, `rule_name[]`, `rule_group[]`, `file[]`). */
function rulesStatus(all: readonly RuleGroup[], q: Record<string, unknown>): Record<string, unknown>[] {
  const type = q.type === 'alert' || q.type === 'record' ? q.type : undefined;
  const names = list(q['rule_name[]']);
  const groupsFilter = list(q['rule_group[]']);
  const files = list(q['file[]']);
  const groups = all
    .filter((g) => (groupsFilter === undefined || groupsFilter.includes(g.def.name)) && (files === undefined || files.includes(g.def.file)))
    .map((g) => ({
      name: g.def.name,
      file: g.def.file,
      rules: g.rules
        .filter((r) => (type === undefined || (type === 'alert') === (r instanceof AlertingRule)) && (names === undefined || names.includes(r.def.name)))
        .map((r) => {
          const common = { name: r.def.name, query: r.def.expr, labels: r.def.labels, health: r.health, ...(r.lastError !== '' ? { lastError: r.lastError } : {}), evaluationTime: r.evaluationMs / 1000, lastEvaluation: iso(r.lastEvaluation) };
          if (!(r instanceof AlertingRule)) {
            // Prometheus omits empty labels on recording rules (omitempty), not on alerting ones.
            const { labels, ...rest } = common;
            return { ...rest, ...(Object.keys(labels).length > 0 ? { labels } : {}), type: 'recording' };
          }
          return {
            state: r.state(),
            ...common,
            duration: r.def.forMs / 1000,
            keepFiringFor: r.def.keepFiringForMs / 1000,
            annotations: r.def.annotations,
            alerts: [...r.active.values()].filter((a) => a.state !== 'inactive').map(alertJson),
            type: 'alerting',
          };
        }),
      interval: g.intervalMs / 1000,
      limit: g.def.limit,
      evaluationTime: g.evaluationMs / 1000,
      lastEvaluation: iso(g.lastEvaluation),
    }));
  return groups;
}

/**
 * `/api/v1/rules` and `/api/v1/alerts` (PromQL rules, as Prometheus), the same for LogQL rules
 * at Loki's `/prometheus/api/v1/rules|alerts` (where Grafana's Loki data source reads them),
 * `POST /-/reload`, and rule-file validation.
 */
export function registerRuleRoutes(app: FastifyInstance, manager: RuleManager): void {
  for (const [language, prefix] of [['promql', ''], ['logql', '/prometheus']] as const) {
    const groupsOf = (): RuleGroup[] => manager.groups.filter((g) => g.def.language === language);
    app.get(`${prefix}/api/v1/rules`, { config: { scope: 'read' } }, async (request) => ({ status: 'success', data: { groups: rulesStatus(groupsOf(), request.query as Record<string, unknown>) } }));
    app.get(`${prefix}/api/v1/alerts`, { config: { scope: 'read' } }, async () => {
      const alerts: Record<string, unknown>[] = [];
      for (const g of groupsOf()) for (const r of g.rules) if (r instanceof AlertingRule) for (const a of r.active.values()) if (a.state !== 'inactive') alerts.push(alertJson(a));
      return { status: 'success', data: { alerts } };
    });
  }

  app.post('/-/reload', { config: { scope: 'admin' } }, async () => {
    manager.reload();
    return 'OK';
  });

  // promtool check rules, over HTTP: the body is a rule file (`?language=logql` for Loki's); every problem with its line.
  app.post(`${APP_API_PREFIX}/rules/check`, { config: { scope: 'read' } }, async (request, reply) => {
    const text = typeof request.body === 'string' ? request.body : Buffer.isBuffer(request.body) ? request.body.toString('utf8') : JSON.stringify(request.body ?? '');
    const language = (request.query as Record<string, unknown>).language;
    if (language !== undefined && language !== 'promql' && language !== 'logql') throw new IchigenError('INVALID_PARAMETER', 'language must be promql or logql');
    const r = parseRuleFile('request', text, language ?? 'promql');
    const rules = r.groups.reduce((n, g) => n + g.rules.length, 0);
    return reply.status(r.errors.length > 0 ? 400 : 200).send({ status: r.errors.length > 0 ? 'error' : 'success', data: { rules, errors: r.errors } });
  });
}
