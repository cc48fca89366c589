import { METRIC_NAME, formatDuration } from '../../model/index.js';
import type { AtModifier, Expr, VectorSelector } from './ast.js';
import { formatGoFloat } from './number-format.js';

/** The canonical single-line text of an expression, as Prometheus' String() prints it. */
export function formatExpr(e: Expr): string {
  switch (e.type) {
    case 'number':
      return formatGoFloat(e.value);
    case 'string':
      return JSON.stringify(e.value);
    case 'paren':
      return `(${formatExpr(e.expr)})`;
    case 'unary':
      return `${e.op}${formatExpr(e.expr)}`;
    case 'vectorSelector':
      return selectorText(e) + modifiers(e.offset, e.at);
    case 'matrixSelector':
      return `${selectorText(e.vector)}[${formatDuration(e.range)}]${modifiers(e.vector.offset, e.vector.at)}`;
    case 'subquery':
      return `${formatExpr(e.expr)}[${formatDuration(e.range)}:${e.step === 0 ? '' : formatDuration(e.step)}]${modifiers(e.offset, e.at)}`;
    case 'call':
      return `${e.func}(${e.args.map(formatExpr).join(', ')})`;
    case 'aggregate': {
      let s = e.op;
      if (e.without) s += ` without (${e.grouping.join(', ')}) `;
      else if (e.grouping.length > 0) s += ` by (${e.grouping.join(', ')}) `;
      const args = e.param === undefined ? formatExpr(e.expr) : `${formatExpr(e.param)}, ${formatExpr(e.expr)}`;
      return `${s}(${args})`;
    }
    case 'binary': {
      let matching = '';
      const m = e.matching;
      if (m !== undefined && (m.labels.length > 0 || m.on)) {
        matching = ` ${m.on ? 'on' : 'ignoring'} (${m.labels.join(', ')})`;
        if (m.card === 'many-to-one' || m.card === 'one-to-many') {
          matching += ` group_${m.card === 'many-to-one' ? 'left' : 'right'} (${m.include.join(', ')})`;
        }
      }
      return `${formatExpr(e.lhs)} ${e.op}${e.returnBool ? ' bool' : ''}${matching} ${formatExpr(e.rhs)}`;
    }
  }
}

function selectorText(v: VectorSelector): string {
  const parts: string[] = [];
  for (const m of v.matchers) {
    if (v.name !== undefined && m.name === METRIC_NAME && m.type === '=' && m.value === v.name) continue;
    parts.push(`${m.name}${m.type}${JSON.stringify(m.value)}`);
  }
  const name = v.name ?? '';
  return parts.length === 0 && name !== '' ? name : `${name}{${parts.join(', ')}}`;
}

function modifiers(offset: number, at: AtModifier | undefined): string {
  let s = '';
  if (offset > 0) s += ` offset ${formatDuration(offset)}`;
  else if (offset < 0) s += ` offset -${formatDuration(-offset)}`;
  if (at !== undefined) s += at.kind === 'time' ? ` @ ${(at.ms / 1000).toFixed(3)}` : ` @ ${at.kind}()`;
  return s;
}
