import type { IncidentsModule } from '../incidents/index.js';
import { Engine } from '../query/index.js';
import { createRulesModule, type RulesModule } from '../rules/index.js';
import type { MetricStore } from '../store/index.js';
import type { LogStore } from '../store/logs/index.js';
import type { ServerContext } from './module.js';

/**
 * Rule evaluation over the metric store; alerts go to the tenant's default integration of
 * the alert intake (injected: incidents come later in the layer order than rules).
 */
export function rulesModuleFor(ctx: ServerContext, store: MetricStore, logStore: () => LogStore, incidents: () => IncidentsModule): RulesModule {
  const p = ctx.config.promql;
  const r = ctx.config.rules;
  const engine = new Engine({ compatibility: p.compatibility, lookbackDelta: p.lookback_delta, maxSamples: p.max_samples, timeout: p.timeout, defaultEvalInterval: p.default_evaluation_interval });
  return createRulesModule({
    state: ctx.state,
    store,
    engine,
    logStore,
    logqlMaxSeries: ctx.config.logs.max_query_series,
    log: ctx.log,
    options: {
      files: r.files,
      logqlFiles: r.logql_files,
      evaluationIntervalMs: r.evaluation_interval,
      resendDelayMs: r.resend_delay,
      outageToleranceMs: r.outage_tolerance,
      externalLabels: r.external_labels,
      queryOffsetMs: r.query_offset,
      externalUrl: (r.external_url || ctx.config.server.public_url).replace(/\/+$/, ''),
      tickMs: 1000,
      rulerApi: { maxGroups: r.api_max_groups, maxRulesPerGroup: r.api_max_rules_per_group },
    },
    sink: () => {
      const core = incidents().core;
      return {
        async send(tenant, alerts) {
          const integration = await core.integrations.ensureDefault(tenant, Date.now());
          await core.intake.ingest(integration, alerts.map((a) => ({ labels: { ...a.labels }, annotations: { ...a.annotations }, startsAt: a.startsAt, endsAt: a.endsAt, generatorURL: a.generatorURL })), 'rules');
        },
      };
    },
  });
}
