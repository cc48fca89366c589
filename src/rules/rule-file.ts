import { LineCounter, parseDocument, isMap, isSeq, type Node, type YAMLMap } from 'yaml';
import { DEFAULT_TENANT, isValidLabelName, isValidMetricName, tryParseDuration } from '../model/index.js';
import { parseExpr } from '../query/index.js';
import { parseLogQL } from '../query/logql/index.js';

/** The query language of a rule file: Prometheus rules (PromQL) or Loki ruler rules (LogQL). */
export type RuleLanguage = 'promql' | 'logql';

export interface RuleDef {
  readonly kind: 'recording' | 'alerting';
  /** Record name or alert name. */
  readonly name: string;
  readonly expr: string;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export interface GroupDef {
  /** The rule file, or the namespace of a group managed through the ruler API. */
  readonly file: string;
  readonly language: RuleLanguage;
  /** Where the group came from: a rule file (default tenant) or the ruler API (the caller's tenant). */
  readonly origin: 'file' | 'api';
  readonly tenant: string;
  readonly name: string;
  /** 0: the default evaluation interval. */
  readonly intervalMs: number;
  /** 0: no limit on alerts/series one rule may produce. */
  readonly limit: number;
  /** Prometheus' `query_offset`; undefined: the configured default. */
  readonly queryOffsetMs?: number;
  readonly rules: readonly RuleDef[];
}

/** A problem in a rule file, with its position (promtool check rules style). */
export interface RuleFileError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

const GROUP_KEYS = new Set(['name', 'interval', 'limit', 'rules', 'query_offset']);
const RULE_KEYS = new Set(['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations']);

type At = (node: Node | null | undefined, message: string) => void;

/** Parses YAML keeping positions; syntax errors are reported with their line. */
function parseYaml(file: string, text: string): { root: Node | null; at: At; errors: RuleFileError[] } {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, uniqueKeys: true });
  const errors: RuleFileError[] = [];
  const at: At = (node, message) => {
    const pos = lc.linePos(node?.range?.[0] ?? 0);
    errors.push({ file, line: pos.line, column: pos.col, message });
  };
  for (const e of doc.errors) {
    const pos = lc.linePos(e.pos[0]);
    errors.push({ file, line: pos.line, column: pos.col, message: e.message.split('\n')[0]! });
  }
  return { root: errors.length > 0 ? null : (doc.contents as Node | null), at, errors };
}

const byPosition = (a: RuleFileError, b: RuleFileError): number => a.line - b.line || a.column - b.column;

/** Parses and validates a Prometheus (or Loki) rule file; every problem is reported with its line. */
export function parseRuleFile(file: string, text: string, language: RuleLanguage = 'promql'): { groups: GroupDef[]; errors: RuleFileError[] } {
  const { root, at, errors } = parseYaml(file, text);
  if (root === null) return { groups: [], errors };
  if (!isMap(root)) return { groups: [], errors: [{ file, line: 1, column: 1, message: 'a rule file is a map with a "groups" list' }] };
  const groupsNode = root.get('groups', true) as Node | undefined;
  for (const p of root.items) if (String((p.key as { value?: unknown }).value) !== 'groups') at(p.key as Node, `field ${String((p.key as { value?: unknown }).value)} not found in type rulefmt.RuleGroups`);
  if (groupsNode === undefined) return { groups: [], errors };
  if (!isSeq(groupsNode)) {
    at(groupsNode, '"groups" must be a list');
    return { groups: [], errors };
  }
  const groups: GroupDef[] = [];
  const seen = new Set<string>();
  for (const g of groupsNode.items as Node[]) {
    const def = parseGroup(g, at, { file, language, origin: 'file', tenant: DEFAULT_TENANT });
    if (def === undefined) continue;
    if (def.name !== '' && seen.has(def.name)) at((g as YAMLMap).get('name', true) as Node, `groupname: "${def.name}" is repeated in the same file`);
    seen.add(def.name);
    groups.push(def);
  }
  errors.sort(byPosition);
  return { groups, errors };
}

/** Parses one rule group as the ruler API receives it (a YAML map: name, interval, limit, rules). */
export function parseRuleGroup(namespace: string, text: string, opts: { language: RuleLanguage; tenant: string }): { group: GroupDef | undefined; errors: RuleFileError[] } {
  const { root, at, errors } = parseYaml(namespace, text);
  if (root === null) return { group: undefined, errors: errors.length > 0 ? errors : [{ file: namespace, line: 1, column: 1, message: 'the body must be one rule group in YAML' }] };
  const group = parseGroup(root, at, { file: namespace, language: opts.language, origin: 'api', tenant: opts.tenant });
  errors.sort(byPosition);
  return { group, errors };
}

function parseGroup(g: Node, at: At, base: Pick<GroupDef, 'file' | 'language' | 'origin' | 'tenant'>): GroupDef | undefined {
  if (!isMap(g)) {
    at(g, 'a group must be a map');
    return undefined;
  }
  const gm = g as YAMLMap;
  for (const p of gm.items) {
    const k = String((p.key as { value?: unknown }).value);
    if (!GROUP_KEYS.has(k)) at(p.key as Node, `field ${k} not found in type rulefmt.RuleGroup`);
  }
  const name = str(gm, 'name');
  if (name === '') at(g, 'Groupname must not be empty');
  let intervalMs = 0;
  const iv = str(gm, 'interval');
  if (iv !== '') {
    const d = tryParseDuration(iv);
    if (d === undefined || d <= 0) at(gm.get('interval', true) as Node, `invalid interval "${iv}"`);
    else intervalMs = d;
  }
  let queryOffsetMs: number | undefined;
  const qo = str(gm, 'query_offset');
  if (qo !== '') {
    const d = tryParseDuration(qo);
    if (d === undefined || d < 0) at(gm.get('query_offset', true) as Node, `invalid query_offset "${qo}"`);
    else queryOffsetMs = d;
  }
  const limit = Number(gm.get('limit') ?? 0);
  if (!Number.isInteger(limit) || limit < 0) at(gm.get('limit', true) as Node, 'limit must be a non-negative integer');
  const rulesNode = gm.get('rules', true) as Node | undefined;
  const rules: RuleDef[] = [];
  if (rulesNode !== undefined && !isSeq(rulesNode)) at(rulesNode, '"rules" must be a list');
  for (const r of isSeq(rulesNode) ? (rulesNode.items as Node[]) : []) {
    const rule = parseRule(r, at, base.language);
    if (rule) rules.push(rule);
  }
  return { ...base, name, intervalMs, limit: Number.isInteger(limit) && limit > 0 ? limit : 0, ...(queryOffsetMs !== undefined ? { queryOffsetMs } : {}), rules };
}

function str(m: YAMLMap, key: string): string {
  const v = m.get(key);
  return v === undefined || v === null ? '' : String(v as string | number);
}

function stringMap(m: YAMLMap, key: string, at: At, checkNames: boolean): Record<string, string> {
  const node = m.get(key, true) as Node | undefined;
  if (node === undefined || (node as { value?: unknown }).value === null) return {};
  if (!isMap(node)) {
    at(node, `${key} must be a map of strings`);
    return {};
  }
  const out: Record<string, string> = {};
  for (const p of node.items) {
    const k = String((p.key as { value?: unknown }).value);
    if (checkNames && !isValidLabelName(k)) at(p.key as Node, `invalid label name: ${k}`);
    out[k] = String((p.value as { value?: unknown } | null)?.value ?? '');
  }
  return out;
}

/** Throws with the parser's message when the expression is not a valid query of the language. */
export function checkRuleExpr(expr: string, language: RuleLanguage): void {
  if (language === 'promql') {
    parseExpr(expr);
    return;
  }
  // Loki's ruler evaluates instant metric queries: a log query yields no samples to alert on.
  if (parseLogQL(expr).kind === 'log') throw new Error('a LogQL rule needs a metric query (e.g. count_over_time({app="x"}[5m]) > 0), not a log query');
}

function parseRule(r: Node, at: At, language: RuleLanguage): RuleDef | undefined {
  if (!isMap(r)) {
    at(r, 'a rule must be a map');
    return undefined;
  }
  const m = r as YAMLMap;
  for (const p of m.items) {
    const k = String((p.key as { value?: unknown }).value);
    if (!RULE_KEYS.has(k)) at(p.key as Node, `field ${k} not found in type rulefmt.Rule`);
  }
  const record = str(m, 'record');
  const alert = str(m, 'alert');
  const expr = str(m, 'expr');
  if (record !== '' && alert !== '') at(r, 'only one of \'record\' and \'alert\' must be set');
  if (record === '' && alert === '') at(r, 'one of \'record\' or \'alert\' must be set');
  if (expr === '') at(r, 'field \'expr\' must be set in rule');
  else {
    try {
      checkRuleExpr(expr, language);
    } catch (err) {
      at(m.get('expr', true) as Node, `could not parse expression: ${(err as Error).message}`);
    }
  }
  if (record !== '' && !isValidMetricName(record)) at(m.get('record', true) as Node, `invalid recording rule name: ${record}`);
  if (record !== '' && (m.has('annotations') || m.has('for') || m.has('keep_firing_for'))) at(r, 'invalid field \'annotations\', \'for\' or \'keep_firing_for\' in recording rule');
  const dur = (key: string): number => {
    const v = str(m, key);
    if (v === '') return 0;
    const d = tryParseDuration(v);
    if (d === undefined || d < 0) {
      at(m.get(key, true) as Node, `invalid ${key} "${v}"`);
      return 0;
    }
    return d;
  };
  const labels = stringMap(m, 'labels', at, true);
  const annotations = stringMap(m, 'annotations', at, true);
  if (record !== '' && '__name__' in labels) at(r, 'invalid recording rule: labels must not contain __name__');
  return { kind: record !== '' ? 'recording' : 'alerting', name: record || alert, expr, forMs: dur('for'), keepFiringForMs: dur('keep_firing_for'), labels, annotations };
}
