import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { IchigenError, labelsFromRecord, type Labels } from '../model/index.js';
import type { Logger } from '../self/index.js';
import type { PromqlEngine } from '../query/index.js';
import { LogQLEngine } from '../query/logql/index.js';
import type { LogStore } from '../store/logs/index.js';
import { newId, type StateDb } from '../state/index.js';
import type { MetricStore } from '../store/index.js';
import { LeaderLease } from './leader-lease.js';
import type { AlertSink, LogqlInstant } from './rule-group.js';
import { RuleGroupStore } from './rule-group-store.js';
import { RuleManager, type RuleManagerOptions } from './rule-manager.js';
import { registerRulerScope, type RulerApiLimits } from './ruler-api.js';
import { registerRuleRoutes } from './routes.js';

export interface RulesModuleDeps {
  readonly state: StateDb;
  readonly store: MetricStore;
  readonly engine: PromqlEngine;
  /** The log store LogQL rules read (opened when the logs module starts); absent: no LogQL rules. */
  readonly logStore?: () => LogStore;
  /** Most series one LogQL rule query may return. */
  readonly logqlMaxSeries?: number;
  readonly log: Logger;
  readonly options: RuleManagerOptions & { readonly tickMs: number; readonly rulerApi: RulerApiLimits };
  /** Late-bound: the alert intake is built after rules in the layer order. */
  readonly sink: () => AlertSink | undefined;
  readonly clock?: () => number;
}

export interface RulesModule {
  readonly name: string;
  readonly manager: RuleManager;
  routes(app: FastifyInstance): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createRulesModule(deps: RulesModuleDeps): RulesModule {
  const log = deps.log.child({ module: 'rules' });
  const clock = deps.clock ?? Date.now;
  const lease = new LeaderLease(deps.state.db, 'rules.leader', `${hostname()}:${process.pid}:${newId()}`, Math.max(15_000, deps.options.tickMs * 10));
  const sink: AlertSink = { send: (tenant, alerts) => deps.sink()?.send(tenant, alerts) ?? Promise.resolve() };
  const apiStore = new RuleGroupStore(deps.state.db);
  const manager = new RuleManager(deps.options, deps.engine, deps.store, sink, lease, log, deps.logStore ? logqlInstant(deps.logStore, deps.logqlMaxSeries ?? 500) : undefined, apiStore);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  return {
    name: 'rules',
    manager,
    routes: async (app) => {
      registerRuleRoutes(app, manager);
      await registerRulerScope(app, { store: apiStore, manager, state: deps.state, limits: deps.options.rulerApi, now: clock });
    },
    async start() {
      // A broken rule file at start is an error the operator must see, like Prometheus refusing to start.
      manager.reload();
      await manager.reloadApi();
      timer = setInterval(() => {
        if (running) return;
        running = manager
          .tick(clock())
          .catch((err: unknown) => log.error({ err }, 'rule evaluation pass failed'))
          .finally(() => {
            running = undefined;
          });
      }, deps.options.tickMs);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      await running;
      await lease.release().catch(() => undefined);
    },
  };
}

/** A LogQL rule's query on a remote Loki (its own engine), answered as a vector. */
async function remoteInstant(forward: NonNullable<LogStore['forward']>, tenant: string, expr: string, t: number): Promise<Array<{ labels: Labels; value: number }>> {
  const a = await forward(tenant, '/loki/api/v1/query', { query: expr, time: (t / 1000).toFixed(3), limit: '0' });
  const text = a.body.toString('utf8');
  if (a.status !== 200) throw new IchigenError(a.status === 400 ? 'BAD_REQUEST' : 'UNAVAILABLE', `log backend answered ${a.status} to a rule's query: ${text.slice(0, 500)}`);
  const data = (JSON.parse(text) as { data?: { resultType?: string; result?: unknown } }).data;
  if (data?.resultType === 'scalar') return [{ labels: [], value: Number((data.result as [number, string])[1]) }];
  if (data?.resultType !== 'vector') return [];
  return (data.result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((x) => ({ labels: labelsFromRecord(x.metric), value: Number(x.value[1]) }));
}

/** Instant LogQL queries as Loki's ruler runs them; one engine per opened log store (a remote Loki runs them itself). */
function logqlInstant(store: () => LogStore, maxSeries: number): LogqlInstant {
  let engine: LogQLEngine | undefined;
  let engineStore: LogStore | undefined;
  return async (tenant, expr, t) => {
    const s = store();
    if (s.forward !== undefined) return remoteInstant(s.forward.bind(s), tenant, expr, t);
    if (engine === undefined || engineStore !== s) {
      engine = new LogQLEngine(s, { maxSeries, maxSteps: 1 });
      engineStore = s;
    }
    const { result } = await engine.instantQuery({ tenant, query: expr, timeNs: BigInt(t) * 1_000_000n, limit: 0, direction: 'backward' });
    if (result.type === 'vector') return result.samples.map((x) => ({ labels: x.labels, value: x.value }));
    if (result.type === 'scalar') return [{ labels: [], value: result.value }];
    return [];
  };
}
