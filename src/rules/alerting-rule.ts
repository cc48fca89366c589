import { labelsKey, labelsFromRecord, labelsToRecord, type Labels } from '../model/index.js';
import type { InstantSample } from '../query/index.js';
import { expandTemplate } from './go-template.js';
import type { RuleDef } from './rule-file.js';

export type AlertState = 'inactive' | 'pending' | 'firing';

export interface RuleAlert {
  labels: Labels;
  annotations: Record<string, string>;
  state: AlertState;
  value: number;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  keepFiringSince: number;
  lastSentAt: number;
  validUntil: number;
}

/** Resolved alerts are kept (and re-sent) this long, as Prometheus does. */
const RESOLVED_RETENTION_MS = 15 * 60_000;

/**
 * One alerting rule's state machine, as Prometheus runs it: inactive → pending (when the
 * expression returns the series) → firing after `for`; `keep_firing_for` holds a firing
 * alert after the series disappears; resolved alerts linger for 15 minutes.
 */
export class AlertingRule {
  readonly active = new Map<string, RuleAlert>();
  health: 'unknown' | 'ok' | 'err' = 'unknown';
  lastError = '';
  lastEvaluation = 0;
  evaluationMs = 0;

  constructor(
    readonly def: RuleDef,
    private readonly externalLabels: Readonly<Record<string, string>>,
  ) {}

  /** Applies one evaluation's result at time t; throws when the rule's limit is exceeded. */
  update(t: number, samples: readonly InstantSample[], limit: number): void {
    const seen = new Set<string>();
    const next = new Map<string, { labels: Labels; annotations: Record<string, string>; value: number }>();
    for (const s of samples) {
      const raw = labelsToRecord(s.labels);
      delete raw.__name__;
      const data = { labels: raw, value: s.value, externalLabels: this.externalLabels };
      const lbl: Record<string, string> = { ...raw };
      for (const [k, v] of Object.entries(this.def.labels)) lbl[k] = expandTemplate(`__alert_${this.def.name}`, v, data);
      lbl.alertname = this.def.name;
      const annotations: Record<string, string> = {};
      for (const [k, v] of Object.entries(this.def.annotations)) annotations[k] = expandTemplate(`__alert_${this.def.name}`, v, data);
      const labels = labelsFromRecord(lbl);
      const key = labelsKey(labels);
      if (next.has(key)) throw new Error('vector contains metrics with the same labelset after applying alert labels');
      next.set(key, { labels, annotations, value: s.value });
    }
    if (limit > 0 && next.size > limit) {
      // Like Prometheus: over the limit, every alert of the rule is dropped and the rule errs.
      this.active.clear();
      throw new Error(`exceeded limit of ${limit} with ${next.size} alerts`);
    }
    for (const [key, n] of next) {
      seen.add(key);
      const a = this.active.get(key);
      if (a && a.state !== 'inactive') {
        a.value = n.value;
        a.annotations = n.annotations;
        a.keepFiringSince = 0;
        continue;
      }
      this.active.set(key, { labels: n.labels, annotations: n.annotations, state: 'pending', value: n.value, activeAt: t, firedAt: 0, resolvedAt: 0, keepFiringSince: 0, lastSentAt: 0, validUntil: 0 });
    }
    for (const [key, a] of this.active) {
      if (!seen.has(key)) {
        if (a.state === 'pending' || (a.state === 'inactive' && t - a.resolvedAt > RESOLVED_RETENTION_MS)) {
          this.active.delete(key);
          continue;
        }
        if (a.state === 'firing') {
          if (this.def.keepFiringForMs > 0) {
            if (a.keepFiringSince === 0) a.keepFiringSince = t;
            if (t - a.keepFiringSince < this.def.keepFiringForMs) continue;
          }
          a.state = 'inactive';
          a.resolvedAt = t;
        }
        continue;
      }
      if (a.state === 'pending' && t - a.activeAt >= this.def.forMs) {
        a.state = 'firing';
        a.firedAt = t;
      }
    }
  }

  /** Overall state: the "highest" of its alerts. */
  state(): AlertState {
    let s: AlertState = 'inactive';
    for (const a of this.active.values()) {
      if (a.state === 'firing') return 'firing';
      if (a.state === 'pending') s = 'pending';
    }
    return s;
  }
}
