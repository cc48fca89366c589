import type { Expr, PosRange } from './ast.js';
import type { EvalContext } from './eval-context.js';
import { formatGoFloat } from './number-format.js';

/**
 * Prometheus 3's warn- and info-level annotations, worded as its util/annotations does:
 * `PromQL warning: <what> (<line>:<column>)`, the position being where the offending
 * expression starts in the query. Prometheus 2 had none of them.
 */
function where(query: string, pos: PosRange): string {
  const before = query.slice(0, Math.max(0, Math.min(pos.start, query.length)));
  const lastBreak = before.lastIndexOf('\n');
  return `${before.split('\n').length}:${before.length - lastBreak}`;
}

/** Parameters are reported without the parentheses around them (Prometheus unwraps them first). */
export function unwrapParens(e: Expr): Expr {
  return e.type === 'paren' ? unwrapParens(e.expr) : e;
}

export function warn(ctx: EvalContext, message: string, at: Expr): void {
  if (ctx.options.compatibility !== 'prometheus3') return;
  ctx.warnings.add(`PromQL warning: ${message} (${where(ctx.query, unwrapParens(at).pos)})`);
}

export function info(ctx: EvalContext, message: string, at: Expr): void {
  if (ctx.options.compatibility !== 'prometheus3') return;
  ctx.infos.add(`PromQL info: ${message} (${where(ctx.query, unwrapParens(at).pos)})`);
}

/** The warning for a quantile outside [0, 1] (Go's %g of the value). */
export function invalidQuantile(ctx: EvalContext, q: number, at: Expr): void {
  warn(ctx, `quantile value should be between 0 and 1, got ${formatGoFloat(q)}`, at);
}

/** Checks quantile parameters over all steps at once, as Prometheus does (NaN, the largest, the smallest). */
export function checkQuantileParams(ctx: EvalContext, qs: Float64Array, at: Expr): void {
  let max = -Infinity;
  let min = Infinity;
  let nan = false;
  for (const q of qs) {
    if (Number.isNaN(q)) nan = true;
    else {
      if (q > max) max = q;
      if (q < min) min = q;
    }
  }
  if (nan) invalidQuantile(ctx, NaN, at);
  if (max > 1) invalidQuantile(ctx, max, at);
  if (min < 0) invalidQuantile(ctx, min, at);
}
