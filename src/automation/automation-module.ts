import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { FastifyInstance } from 'fastify';
import type { EventBus } from '../events/index.js';
import type { Logger, Registry } from '../self/index.js';
import { getSetting, newId, setSetting, type StateDb } from '../state/index.js';
import type { AwsSettings } from './actions/action.js';
import { AgentHub } from './agent/agent-hub.js';
import { AgentRegistry } from './agent/agent-registry.js';
import { AgentJobRelay } from './agent/agent-relay.js';
import { registerAgentRoute } from './agent/agent-route.js';
import { AgentTokenStore } from './agent/agent-tokens.js';
import { ClusterDispatcher } from './agent/cluster-dispatcher.js';
import { DefinitionStore } from './definition-store.js';
import type { IncidentActions } from './incident-actions.js';
import { registerAutomationRoutes } from './routes.js';
import { RuleRunner } from './rule-runner.js';
import { RunEngine } from './run-engine.js';
import { systemClock, type Clock } from './schedule.js';

export interface AutomationModuleDeps {
  readonly state: StateDb;
  readonly log: Logger;
  readonly registry: Registry;
  readonly bus: EventBus;
  readonly aws: AwsSettings;
  readonly defaultStepTimeoutMs: number;
  readonly publicUrl: string;
  /** How long a replica's claim on a running run lasts without renewal. */
  readonly runLeaseMs: number;
  /** Set by the server once the incidents module offers it. */
  readonly incidents?: () => IncidentActions | undefined;
  readonly clock?: Clock;
}

export interface AutomationModule {
  readonly name: 'automation';
  readonly engine: RunEngine;
  readonly hub: AgentHub;
  readonly agents: ClusterDispatcher;
  readonly defs: DefinitionStore;
  readonly tokens: AgentTokenStore;
  readonly rules: RuleRunner;
  routes(app: FastifyInstance): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const APPROVAL_KEY = 'automation.approval_key';
/** Agents' rows are renewed this often and count as gone after three missed renewals. */
const AGENT_HEARTBEAT_MS = 5000;
/** Fallback polls between replicas (notifications usually wake them at once). */
const CLUSTER_POLL_MS = 1000;
const RULE_SYNC_MS = 5000;

export function createAutomationModule(deps: AutomationModuleDeps): AutomationModule {
  const clock = deps.clock ?? systemClock;
  const log = deps.log.child({ module: 'automation' });
  // One id per process start: the owner of its runs, the holder of its agents' sockets.
  const replica = `${hostname()}:${process.pid}:${newId()}`;
  const hub = new AgentHub(log, () => clock.now());
  const defs = new DefinitionStore(deps.state.db);
  const tokens = new AgentTokenStore(deps.state.db);
  let key: string | undefined;
  const approvalKey = async (): Promise<string> => {
    if (key !== undefined) return key;
    let k = await getSetting(deps.state.db, APPROVAL_KEY);
    if (k === undefined) {
      k = randomBytes(32).toString('hex');
      await setSetting(deps.state.db, APPROVAL_KEY, k);
    }
    return (key = k);
  };
  const agents = new ClusterDispatcher({
    hub,
    registry: new AgentRegistry(deps.state.db, replica, 3 * AGENT_HEARTBEAT_MS),
    relay: new AgentJobRelay(deps.state, replica),
    tokens,
    notifier: deps.state.notifier,
    log,
    now: () => clock.now(),
    pollMs: CLUSTER_POLL_MS,
    heartbeatMs: AGENT_HEARTBEAT_MS,
    claimTimeoutMs: 2 * AGENT_HEARTBEAT_MS,
    exclusive: deps.state.dialect === 'sqlite',
  });
  const engine = new RunEngine({ state: deps.state, log, clock, agents, incidents: deps.incidents ?? (() => undefined), aws: deps.aws, defaultStepTimeoutMs: deps.defaultStepTimeoutMs, approvalKey, publicUrl: deps.publicUrl, replica, leaseMs: deps.runLeaseMs });
  const rules = new RuleRunner({ state: deps.state, log, clock, bus: deps.bus, defs, engine, syncMs: RULE_SYNC_MS });
  return {
    name: 'automation',
    engine,
    hub,
    agents,
    defs,
    tokens,
    rules,
    async routes(app) {
      registerAutomationRoutes(app, { state: deps.state, defs, engine, rules, agents, tokens, clock });
      await app.register(async (scope) => registerAgentRoute(scope, hub, tokens, () => clock.now()));
    },
    async start() {
      await agents.start();
      const interrupted = await engine.recover();
      if (interrupted.length > 0) log.warn({ runs: interrupted }, 'runs in flight at the last stop were marked interrupted');
      await rules.start();
    },
    async stop() {
      rules.stop();
      await engine.stop();
      hub.closeAll();
      await agents.stop();
    },
  };
}
