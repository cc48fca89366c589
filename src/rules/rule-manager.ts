import { readFileSync, statSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { IchigenError, labelsFromRecord, labelsKey, type LabelMatcher } from '../model/index.js';
import type { Logger } from '../self/index.js';
import type { PromqlEngine } from '../query/index.js';
import type { MetricStore } from '../store/index.js';
import { AlertingRule } from './alerting-rule.js';
import type { LeaderLease } from './leader-lease.js';
import { parseRuleFile, parseRuleGroup, type GroupDef, type RuleFileError, type RuleLanguage } from './rule-file.js';
import type { RuleGroupStore } from './rule-group-store.js';
import { RuleGroup, type AlertSink, type LogqlInstant } from './rule-group.js';

export interface RuleManagerOptions {
  /** Rule files: paths, directories (every .yml/.yaml inside) or `*` patterns in the file name. */
  readonly files: readonly string[];
  /** Loki ruler rule files (LogQL expressions), listed the same way. */
  readonly logqlFiles: readonly string[];
  readonly evaluationIntervalMs: number;
  readonly resendDelayMs: number;
  /** How far back ALERTS_FOR_STATE is looked up to restore pending alerts after a restart. */
  readonly outageToleranceMs: number;
  readonly externalLabels: Readonly<Record<string, string>>;
  readonly externalUrl: string;
  /** Query offset of groups that set none (Prometheus `global.rule_query_offset`). */
  readonly queryOffsetMs?: number;
}

/** Expands the configured file list (a `*` wildcard in the last path element, or a directory). */
export function expandRuleFiles(patterns: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of patterns) {
    const base = path.basename(p);
    if (base.includes('*')) {
      const re = new RegExp(`^${base.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      try {
        for (const f of readdirSync(path.dirname(p)).sort()) if (re.test(f)) out.push(path.join(path.dirname(p), f));
      } catch {
        // A pattern matching nothing is not an error (Prometheus behaves the same).
      }
    } else if (statSafe(p)?.isDirectory()) {
      for (const f of readdirSync(p).sort()) if (/\.ya?ml$/.test(f)) out.push(path.join(p, f));
    } else out.push(p);
  }
  return out;
}

function statSafe(p: string): ReturnType<typeof statSync> | undefined {
  try {
    return statSync(p);
  } catch {
    return undefined;
  }
}

/** Loads rule files, evaluates their groups on schedule (when it holds the lease), reloads on change. */
export class RuleManager {
  groups: RuleGroup[] = [];
  private signature = '';
  private apiSignature = '';
  private fileDefs: GroupDef[] = [];
  private apiDefs: GroupDef[] = [];
  private next = new Map<RuleGroup, number>();
  private restored = false;

  constructor(
    private readonly opts: RuleManagerOptions,
    private readonly engine: PromqlEngine,
    private readonly store: MetricStore,
    private readonly sink: AlertSink | undefined,
    private readonly lease: LeaderLease,
    private readonly log: Logger,
    private readonly logql?: LogqlInstant,
    private readonly apiStore?: RuleGroupStore,
  ) {}

  /** (Re)loads every rule file; a file with errors keeps the old groups and throws with every error. */
  reload(): void {
    const files: [string, RuleLanguage][] = [...expandRuleFiles(this.opts.files).map((f): [string, RuleLanguage] => [f, 'promql']), ...expandRuleFiles(this.opts.logqlFiles).map((f): [string, RuleLanguage] => [f, 'logql'])];
    const errors: RuleFileError[] = [];
    const defs: GroupDef[] = [];
    for (const [f, language] of files) {
      let text: string;
      try {
        text = readFileSync(f, 'utf8');
      } catch (err) {
        errors.push({ file: f, line: 0, column: 0, message: (err as Error).message });
        continue;
      }
      const r = parseRuleFile(f, text, language);
      errors.push(...r.errors);
      defs.push(...r.groups);
    }
    if (errors.length > 0) throw new IchigenError('INVALID_PARAMETER', `rule files not loaded: ${errors.map((e) => `${e.file}:${e.line}:${e.column}: ${e.message}`).join('; ')}`);
    this.fileDefs = defs;
    this.signature = this.fileSignature();
    this.rebuild();
    this.log.info({ files: files.length, groups: defs.length }, 'rules loaded');
  }

  /** (Re)loads the groups managed through the ruler API from the state database. */
  async reloadApi(): Promise<void> {
    if (this.apiStore === undefined) return;
    const signature = await this.apiStore.signature();
    const defs: GroupDef[] = [];
    for (const g of await this.apiStore.all()) {
      const r = parseRuleGroup(g.namespace, g.spec, { language: g.language, tenant: g.tenant });
      // Stored groups were valid when posted; one that no longer is must not stop the others.
      if (r.group === undefined || r.errors.length > 0) this.log.error({ tenant: g.tenant, namespace: g.namespace, group: g.name, errors: r.errors }, 'stored rule group is invalid; skipped');
      else defs.push(r.group);
    }
    this.apiDefs = defs;
    this.apiSignature = signature;
    this.rebuild();
  }

  /** The evaluated groups from both sources; unchanged rules keep their alert state. */
  private rebuild(): void {
    const groups = [...this.fileDefs, ...this.apiDefs].map((d) => new RuleGroup(d, d.intervalMs || this.opts.evaluationIntervalMs, this.opts.externalLabels, d.queryOffsetMs ?? this.opts.queryOffsetMs ?? 0));
    for (const g of groups) {
      const old = this.groups.find((o) => o.def.origin === g.def.origin && o.def.tenant === g.def.tenant && o.def.file === g.def.file && o.def.name === g.def.name && o.def.language === g.def.language);
      if (old) g.adopt(old);
    }
    this.groups = groups;
    this.next = new Map(groups.map((g) => [g, 0]));
  }

  /** Modification times of the rule files: a change triggers a reload on the next tick. */
  private fileSignature(): string {
    return [...expandRuleFiles(this.opts.files), ...expandRuleFiles(this.opts.logqlFiles)].map((f) => `${f}:${statSafe(f)?.mtimeMs ?? 'missing'}`).join('|');
  }

  /** One pass: reload if files changed, then evaluate every due group (only on the lease holder). */
  async tick(now: number): Promise<void> {
    if (this.fileSignature() !== this.signature) {
      try {
        this.reload();
      } catch (err) {
        this.signature = this.fileSignature();
        this.log.error({ err: (err as Error).message }, 'rule file reload failed; keeping the previous rules');
      }
    }
    // Another replica may have changed API-managed groups.
    if (this.apiStore !== undefined && (await this.apiStore.signature()) !== this.apiSignature) await this.reloadApi();
    if (!(await this.lease.acquire(now))) return;
    if (!this.restored) {
      this.restored = true;
      await this.restore(now).catch((err: unknown) => this.log.warn({ err }, 'restoring alert state failed'));
    }
    for (const g of this.groups) {
      const due = this.next.get(g) ?? 0;
      if (due > now) continue;
      // Evaluate at the interval's grid point, so timestamps line up like Prometheus'.
      const t = Math.floor(now / g.intervalMs) * g.intervalMs;
      if (t <= g.lastEvaluation) {
        this.next.set(g, g.lastEvaluation + g.intervalMs);
        continue;
      }
      await g.evaluate(t, {
        tenant: g.def.tenant,
        engine: this.engine,
        ...(this.logql ? { logql: this.logql } : {}),
        store: this.store,
        sink: this.sink,
        externalLabels: this.opts.externalLabels,
        resendDelayMs: this.opts.resendDelayMs,
        externalUrl: this.opts.externalUrl,
      });
      this.next.set(g, t + g.intervalMs);
    }
  }

  /**
   * After a restart: pending/firing alerts come back with their original activeAt from the
   * ALERTS_FOR_STATE series (as Prometheus restores `for` state), so `for` does not restart.
   */
  private async restore(now: number): Promise<void> {
    for (const g of this.groups) {
      const querier = this.store.querier(g.def.tenant);
      for (const r of g.rules) {
        if (!(r instanceof AlertingRule) || r.def.forMs === 0) continue;
        const matchers: LabelMatcher[] = [
          { name: '__name__', type: '=', value: 'ALERTS_FOR_STATE' },
          { name: 'alertname', type: '=', value: r.def.name },
        ];
        for await (const s of querier.select(matchers, now - this.opts.outageToleranceMs, now)) {
          const n = s.values.length;
          if (n === 0 || Number.isNaN(s.values[n - 1]!)) continue;
          const labels = labelsFromRecord(Object.fromEntries(s.labels.filter((l) => l.name !== '__name__').map((l) => [l.name, l.value])));
          const key = labelsKey(labels);
          const activeAt = s.values[n - 1]! * 1000;
          r.active.set(key, { labels, annotations: {}, state: 'pending', value: 0, activeAt, firedAt: 0, resolvedAt: 0, keepFiringSince: 0, lastSentAt: 0, validUntil: 0 });
        }
      }
    }
  }
}
