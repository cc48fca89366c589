import { METRIC_NAME, STALE_NAN, labelsFromRecord, labelsKey, labelsToRecord, type Labels } from '../model/index.js';
import type { InstantSample, PromqlEngine } from '../query/index.js';
import type { MetricStore, SeriesAppend } from '../store/index.js';
import { AlertingRule } from './alerting-rule.js';
import type { GroupDef, RuleDef } from './rule-file.js';

/** Where firing and resolved alerts go (Ichigen's alert intake, injected by the server). */
export interface AlertSink {
  send(tenant: string, alerts: readonly SentAlert[]): Promise<void>;
}

export interface SentAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly generatorURL: string;
}

export class RecordingRule {
  health: 'unknown' | 'ok' | 'err' = 'unknown';
  lastError = '';
  lastEvaluation = 0;
  evaluationMs = 0;
  constructor(readonly def: RuleDef) {}
}

/** An instant LogQL metric query at time t (ms), as Loki's ruler runs it. */
export type LogqlInstant = (tenant: string, expr: string, t: number) => Promise<InstantSample[]>;

export interface GroupContext {
  readonly tenant: string;
  readonly engine: PromqlEngine;
  /** Absent when no log store runs: LogQL groups then fail with a clear rule error. */
  readonly logql?: LogqlInstant;
  readonly store: MetricStore;
  readonly sink: AlertSink | undefined;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly resendDelayMs: number;
  readonly externalUrl: string;
}

/** A rule group: rules evaluated in order at each tick of the group's interval. */
export class RuleGroup {
  readonly rules: (AlertingRule | RecordingRule)[];
  lastEvaluation = 0;
  evaluationMs = 0;
  /** Series written at the last evaluation, so vanished ones get a staleness marker. */
  private written = new Map<string, Labels>();

  constructor(
    readonly def: GroupDef,
    readonly intervalMs: number,
    externalLabels: Readonly<Record<string, string>>,
    /** Queries at t look at t − offset, and their results are written there (Prometheus' query_offset). */
    readonly queryOffsetMs = 0,
  ) {
    this.rules = def.rules.map((r) => (r.kind === 'alerting' ? new AlertingRule(r, externalLabels) : new RecordingRule(r)));
  }

  /** Keeps alert state from the previous version of the group for rules that did not change. */
  adopt(old: RuleGroup): void {
    for (const r of this.rules) {
      const prev = old.rules.find((o) => o.def.name === r.def.name && o.def.expr === r.def.expr && o.def.kind === r.def.kind);
      if (r instanceof AlertingRule && prev instanceof AlertingRule) for (const [k, a] of prev.active) r.active.set(k, a);
    }
    this.written = old.written;
    this.lastEvaluation = old.lastEvaluation;
  }

  /** The rule's expression at t in the group's language: PromQL over the metric store, LogQL over the log store. */
  private async query(expr: string, t: number, ctx: GroupContext, querier: ReturnType<MetricStore['querier']>): Promise<readonly InstantSample[]> {
    if (this.def.language === 'logql') {
      if (ctx.logql === undefined) throw new Error('LogQL rules need the log store, which is not running');
      return ctx.logql(ctx.tenant, expr, t);
    }
    const v = (await ctx.engine.instantQuery({ querier, query: expr }, t)).value;
    return v.resultType === 'vector' ? v.samples : v.resultType === 'scalar' ? [{ labels: [], value: v.value }] : [];
  }

  /**
   * One evaluation at t. With a query offset, queries run at t − offset and every series
   * written (recording results, ALERTS, ALERTS_FOR_STATE, staleness markers) is stamped
   * there; alert state (activeAt, for, resend) still follows t, as in Prometheus.
   */
  async evaluate(t: number, ctx: GroupContext): Promise<void> {
    const t0 = performance.now();
    const qt = t - this.queryOffsetMs;
    const querier = ctx.store.querier(ctx.tenant);
    const out: SeriesAppend[] = [];
    const now = new Map<string, Labels>();
    const sent: SentAlert[] = [];
    const add = (labels: Labels, value: number): void => {
      const key = labelsKey(labels);
      now.set(key, labels);
      out.push({ labels, timestamps: Float64Array.of(qt), values: Float64Array.of(value) });
    };
    for (const rule of this.rules) {
      const r0 = performance.now();
      try {
        const samples = await this.query(rule.def.expr, qt, ctx, querier);
        if (rule instanceof RecordingRule) {
          if (this.def.limit > 0 && samples.length > this.def.limit) throw new Error(`exceeded limit ${this.def.limit} with ${samples.length} series`);
          const seen = new Set<string>();
          for (const s of samples) {
            const rec = labelsToRecord(s.labels);
            for (const [k, val] of Object.entries(rule.def.labels)) rec[k] = val;
            rec[METRIC_NAME] = rule.def.name;
            const labels = labelsFromRecord(rec);
            const key = labelsKey(labels);
            if (seen.has(key)) throw new Error('vector contains metrics with the same labelset after applying rule labels');
            seen.add(key);
            add(labels, s.value);
          }
        } else {
          rule.update(t, samples, this.def.limit);
          const delta = Math.max(ctx.resendDelayMs, this.intervalMs);
          for (const a of rule.active.values()) {
            if (a.state !== 'inactive') {
              const rec = labelsToRecord(a.labels);
              add(labelsFromRecord({ ...rec, [METRIC_NAME]: 'ALERTS', alertstate: a.state }), 1);
              add(labelsFromRecord({ ...rec, [METRIC_NAME]: 'ALERTS_FOR_STATE' }), a.activeAt / 1000);
            }
            // Like Prometheus: firing alerts are (re)sent every resend delay, resolved ones for 15 minutes.
            if (a.state === 'pending') continue;
            if (a.state === 'firing') a.validUntil = t + 4 * delta;
            if (a.lastSentAt !== 0 && t - a.lastSentAt < ctx.resendDelayMs && !(a.state === 'inactive' && a.lastSentAt < a.resolvedAt)) continue;
            a.lastSentAt = t;
            sent.push({
              labels: { ...ctx.externalLabels, ...labelsToRecord(a.labels) },
              annotations: a.annotations,
              startsAt: a.firedAt,
              endsAt: a.state === 'inactive' ? a.resolvedAt : a.validUntil,
              generatorURL: this.def.language === 'logql' ? `${ctx.externalUrl}/explore/logs?q=${encodeURIComponent(rule.def.expr)}` : `${ctx.externalUrl}/graph?g0.expr=${encodeURIComponent(rule.def.expr)}&g0.tab=1`,
            });
          }
        }
        rule.health = 'ok';
        rule.lastError = '';
      } catch (err) {
        rule.health = 'err';
        rule.lastError = (err as Error).message;
      }
      // Later rules of the group read this rule's results at the same timestamp (as in Prometheus).
      if (out.length > 0) await ctx.store.append(ctx.tenant, { series: out.splice(0) });
      rule.lastEvaluation = t;
      rule.evaluationMs = performance.now() - r0;
    }
    for (const [key, labels] of this.written) if (!now.has(key)) out.push({ labels, timestamps: Float64Array.of(qt), values: Float64Array.of(STALE_NAN) });
    this.written = now;
    if (out.length > 0) await ctx.store.append(ctx.tenant, { series: out });
    if (sent.length > 0 && ctx.sink) await ctx.sink.send(ctx.tenant, sent);
    this.lastEvaluation = t;
    this.evaluationMs = performance.now() - t0;
  }
}
