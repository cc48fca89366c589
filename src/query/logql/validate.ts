import { IchigenError, compileAnchoredRe2, compileMatcher, type LabelMatcher } from '../../model/index.js';
import type { Expr, LogExpr, MetricExpr, StageExpr } from './ast.js';
import { compileLineFilter } from './line-filter.js';
import { compilePattern } from './pattern.js';
import { compileTemplate } from './template.js';

const WITH_UNWRAP = new Set(['avg_over_time', 'sum_over_time', 'max_over_time', 'min_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time', 'rate', 'rate_counter', 'absent_over_time', 'first_over_time', 'last_over_time']);
const WITHOUT_UNWRAP = new Set(['bytes_over_time', 'bytes_rate', 'count_over_time', 'rate', 'absent_over_time']);

/** Loki's semantic checks after parsing: they answer 400 like syntax errors. */
export function validateExpr(e: Expr): void {
  if (e.kind === 'log') return validateLog(e);
  validateMetric(e);
}

function bad(msg: string): IchigenError {
  return new IchigenError('PARSE_ERROR', msg);
}

function validateMetric(e: MetricExpr): void {
  switch (e.kind) {
    case 'range': {
      validateLog(e.log);
      if (e.unwrap && !WITH_UNWRAP.has(e.op)) throw bad(`parse error : invalid aggregation ${e.op} with unwrap`);
      if (!e.unwrap && !WITHOUT_UNWRAP.has(e.op)) throw bad(`parse error : invalid aggregation ${e.op} without unwrap`);
      if (e.op === 'quantile_over_time' && e.param === undefined) throw bad('parse error : quantile_over_time requires a parameter');
      if (e.grouping && !e.unwrap) throw bad(`parse error : grouping not allowed for ${e.op} aggregation`);
      return;
    }
    case 'vectorAgg':
      if (e.op === 'topk' || e.op === 'bottomk') {
        if (e.param === undefined || !Number.isInteger(e.param) || e.param <= 0) throw bad(`parse error : invalid parameter for ${e.op}: must be a positive integer, got ${String(e.param)}`);
      }
      return validateMetric(e.expr);
    case 'binary':
      validateMetric(e.left);
      return validateMetric(e.right);
    case 'labelReplace':
      return validateMetric(e.expr);
    default:
      return;
  }
}

function validateLog(e: LogExpr): void {
  if (e.matchers.length === 0 || e.matchers.every((m) => matchesEmpty(m))) {
    throw bad('parse error : queries require at least one regexp or equality matcher that does not have an empty-compatible value. For instance, app=~".*" does not meet this requirement, but app=~".+" will');
  }
  for (const s of e.stages) validateStage(s);
}

function matchesEmpty(m: LabelMatcher): boolean {
  return compileMatcher(m)('');
}

function validateStage(s: StageExpr): void {
  switch (s.kind) {
    case 'lineFilter':
      compileLineFilter(s);
      return;
    case 'regexp': {
      let re: RegExp;
      try {
        re = compileAnchoredRe2(s.pattern);
      } catch (err) {
        throw bad(`parse error : invalid regexp ${JSON.stringify(s.pattern)}: ${(err as Error).message}`);
      }
      void re;
      if (!/\(\?P?<[a-zA-Z_][a-zA-Z0-9_]*>/.test(s.pattern)) throw bad('parse error : at least one named capture must be supplied');
      return;
    }
    case 'pattern':
      compilePattern(s.pattern);
      return;
    case 'lineFormat':
      compileTemplate(s.template);
      return;
    case 'labelFormat':
      for (const i of s.items) if (i.template !== undefined) compileTemplate(i.template);
      return;
    default:
      return;
  }
}
