import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parse as parseYaml, stringify as toYaml } from 'yaml';
import { acceptRawBodies } from '../http/index.js';
import { IchigenError } from '../model/index.js';
import { writeAudit, type StateDb } from '../state/index.js';
import { parseRuleGroup, type RuleLanguage } from './rule-file.js';
import type { RuleGroupStore, StoredRuleGroup } from './rule-group-store.js';
import type { RuleManager } from './rule-manager.js';

export interface RulerApiLimits {
  /** Most API-managed groups per tenant (both languages). */
  readonly maxGroups: number;
  readonly maxRulesPerGroup: number;
}

/**
 * Where clients manage rules. Grafana's alert rule editor proxies to `<data source>/config/v1/rules`
 * (Prometheus data source seen as Mimir), `/rules` (Cortex or Prometheus subtype) and
 * `/api/prom/rules` (Loki data source); mimirtool/cortextool use `/api/v1/rules/…`, Loki's own API
 * is `/loki/api/v1/rules`. Listing every namespace at bare `/api/v1/rules` is not served: that path
 * is Prometheus' rule status API here.
 */
const PREFIXES: readonly { prefix: string; language: RuleLanguage; list: boolean }[] = [
  { prefix: '/config/v1/rules', language: 'promql', list: true },
  { prefix: '/rules', language: 'promql', list: true },
  { prefix: '/api/v1/rules', language: 'promql', list: false },
  { prefix: '/loki/api/v1/rules', language: 'logql', list: true },
  { prefix: '/api/prom/rules', language: 'logql', list: true },
];

const MAX_BODY = 1024 * 1024;
const MAX_NAME = 512;

/** The success body Cortex, Mimir and Loki answer changes with (Grafana reads it as JSON). */
const ACCEPTED = { status: 'success', data: null, errorType: '', error: '' };

function yamlReply(reply: FastifyReply, value: unknown): FastifyReply {
  return reply.header('content-type', 'application/yaml').send(toYaml(value));
}

function bodyText(body: unknown): string {
  if (Buffer.isBuffer(body)) return body.toString('utf8');
  if (typeof body === 'string') return body;
  // YAML is a superset of JSON: a JSON body was parsed already; print it back as YAML.
  return body === undefined || body === null ? '' : toYaml(body);
}

function checkName(kind: string, v: string): string {
  if (v === '' || v.length > MAX_NAME) throw new IchigenError('INVALID_PARAMETER', `${kind} must be 1-${MAX_NAME} characters`);
  return v;
}

/** The ruler configuration API (Mimir/Cortex and Loki shapes): YAML in and out, groups kept in the state database. */
export function registerRulerApi(app: FastifyInstance, deps: { store: RuleGroupStore; manager: RuleManager; state: StateDb; limits: RulerApiLimits; now: () => number }): void {
  const { store, manager } = deps;
  const groupYaml = (g: StoredRuleGroup): unknown => parseYaml(g.spec) as unknown;
  const namespaceMap = (groups: readonly StoredRuleGroup[]): Record<string, unknown[]> => {
    const out: Record<string, unknown[]> = {};
    for (const g of groups) (out[g.namespace] ??= []).push(groupYaml(g));
    return out;
  };
  const audit = (req: FastifyRequest, action: string, target: string): Promise<void> =>
    writeAudit(deps.state.db, { tenant: req.tenant, actor: req.principal?.name ?? 'anonymous', action, target, details: {}, at: deps.now() });

  for (const { prefix, language, list } of PREFIXES) {
    if (list) {
      app.get(prefix, async (req, reply) => yamlReply(reply, namespaceMap(await store.list(req.tenant, language))));
    }
    app.get<{ Params: { ns: string } }>(`${prefix}/:ns`, async (req, reply) => {
      const groups = await store.list(req.tenant, language, req.params.ns);
      if (groups.length === 0) throw new IchigenError('NOT_FOUND', 'no rule groups found');
      return yamlReply(reply, namespaceMap(groups));
    });
    app.get<{ Params: { ns: string; group: string } }>(`${prefix}/:ns/:group`, async (req, reply) => {
      const g = await store.get(req.tenant, language, req.params.ns, req.params.group);
      if (g === undefined) throw new IchigenError('NOT_FOUND', 'group does not exist');
      return yamlReply(reply, groupYaml(g));
    });
    app.post<{ Params: { ns: string } }>(`${prefix}/:ns`, async (req, reply) => {
      const namespace = checkName('namespace', req.params.ns);
      const text = bodyText(req.body);
      const { group, errors } = parseRuleGroup(namespace, text, { language, tenant: req.tenant });
      if (group !== undefined && group.rules.length > deps.limits.maxRulesPerGroup) {
        errors.push({ file: namespace, line: 1, column: 1, message: `per-group rules limit exceeded: ${group.rules.length} rules, the limit is ${deps.limits.maxRulesPerGroup}` });
      }
      if (group === undefined || errors.length > 0) {
        // Like promtool and the Cortex ruler: every problem, each with its position in the body.
        const message = `invalid rule group: ${errors.map((e) => `${e.line}:${e.column}: ${e.message}`).join('; ')}`;
        return reply.status(400).header('content-type', 'application/json').send({ status: 'error', errorType: 'bad_data', error: message, message });
      }
      checkName('group name', group.name);
      const exists = (await store.get(req.tenant, language, namespace, group.name)) !== undefined;
      if (!exists && (await store.count(req.tenant)) >= deps.limits.maxGroups) {
        throw new IchigenError('LIMIT_EXCEEDED', `per-tenant rule groups limit exceeded: the limit is ${deps.limits.maxGroups}`);
      }
      await store.put({ tenant: req.tenant, language, namespace, name: group.name, spec: toYaml(parseYaml(text)) }, req.principal?.name ?? 'anonymous', deps.now());
      await audit(req, exists ? 'rule_group.update' : 'rule_group.create', `${language}:${namespace}/${group.name}`);
      await manager.reloadApi();
      return reply.status(202).send(ACCEPTED);
    });
    app.delete<{ Params: { ns: string; group: string } }>(`${prefix}/:ns/:group`, async (req, reply) => {
      if ((await store.delete(req.tenant, language, req.params.ns, req.params.group)) === 0) throw new IchigenError('NOT_FOUND', 'group does not exist');
      await audit(req, 'rule_group.delete', `${language}:${req.params.ns}/${req.params.group}`);
      await manager.reloadApi();
      return reply.status(202).send(ACCEPTED);
    });
    app.delete<{ Params: { ns: string } }>(`${prefix}/:ns`, async (req, reply) => {
      if ((await store.delete(req.tenant, language, req.params.ns)) === 0) throw new IchigenError('NOT_FOUND', 'no rule groups found');
      await audit(req, 'rule_group.delete_namespace', `${language}:${req.params.ns}`);
      await manager.reloadApi();
      return reply.status(202).send(ACCEPTED);
    });
  }
}

/** Registers the ruler API in its own scope so YAML bodies arrive as raw bytes. */
export async function registerRulerScope(app: FastifyInstance, deps: Parameters<typeof registerRulerApi>[1]): Promise<void> {
  await app.register(async (scope) => {
    acceptRawBodies(scope, ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml', '*'], MAX_BODY);
    registerRulerApi(scope, deps);
  });
}
