import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { EventBus } from '../events/index.js';
import type { Logger, Registry } from '../self/index.js';
import { getSetting, setSetting, type StateDb } from '../state/index.js';
import type { AwsSettings } from './actions/action.js';
import { AgentHub } from './agent/agent-hub.js';
import { registerAgentRoute } from './agent/agent-route.js';
import { AgentTokenStore } from './agent/agent-tokens.js';
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
  /** Set by the server once the incidents module offers it. */
  readonly incidents?: () => IncidentActions | undefined;
  readonly clock?: Clock;
}

export interface AutomationModule {
  readonly name: 'automation';
  readonly engine: RunEngine;
  readonly hub: AgentHub;
  readonly defs: DefinitionStore;
  readonly tokens: AgentTokenStore;
  readonly rules: RuleRunner;
  routes(app: FastifyInstance): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const APPROVAL_KEY = 'automation.approval_key';

export function createAutomationModule(deps: AutomationModuleDeps): AutomationModule {
  const clock = deps.clock ?? systemClock;
  const log = deps.log.child({ module: 'automation' });
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
  const engine = new RunEngine({ state: deps.state, log, clock, agents: hub, incidents: deps.incidents ?? (() => undefined), aws: deps.aws, defaultStepTimeoutMs: deps.defaultStepTimeoutMs, approvalKey, publicUrl: deps.publicUrl });
  const rules = new RuleRunner({ state: deps.state, log, clock, bus: deps.bus, defs, engine });
  return {
    name: 'automation',
    engine,
    hub,
    defs,
    tokens,
    rules,
    async routes(app) {
      registerAutomationRoutes(app, { state: deps.state, defs, engine, rules, hub, tokens, clock });
      await app.register(async (scope) => registerAgentRoute(scope, hub, tokens, () => clock.now()));
    },
    async start() {
      const interrupted = await engine.recover();
      if (interrupted.length > 0) log.warn({ runs: interrupted }, 'runs in flight at the last stop were marked interrupted');
      await rules.start();
    },
    async stop() {
      rules.stop();
      await engine.stop();
      hub.closeAll();
    },
  };
}
