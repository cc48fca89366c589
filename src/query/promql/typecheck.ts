import { COMPARISON_OPS, SET_OPS, documentedType, type Expr, type PosRange, type ValueType } from './ast.js';
import { FUNCTION_SIGNATURES, functionSignature, type Dialect } from './function-signatures.js';

/** The type an expression evaluates to. */
export function typeOf(e: Expr): ValueType {
  switch (e.type) {
    case 'number':
      return 'scalar';
    case 'string':
      return 'string';
    case 'vectorSelector':
      return 'vector';
    case 'matrixSelector':
    case 'subquery':
      return 'matrix';
    case 'call':
      return FUNCTION_SIGNATURES.get(e.func)?.returnType ?? 'vector';
    case 'aggregate':
      return 'vector';
    case 'binary':
      return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    case 'unary':
    case 'paren':
      return typeOf(e.expr);
  }
}

export interface TypeProblem {
  readonly pos: PosRange;
  readonly message: string;
}

function expect(e: Expr, want: ValueType, context: string): TypeProblem | undefined {
  const got = typeOf(e);
  if (got === want) return undefined;
  return { pos: e.pos, message: `expected type ${documentedType(want)} in ${context}, got ${documentedType(got)}` };
}

/**
 * Prometheus' parser-time checks (checkAST), with its wording, first problem in
 * evaluation order. The binary expression's matching is normalised here as Prometheus does
 * (set operators become many-to-many; matching is dropped when a side is a scalar).
 */
export function checkExpr(e: Expr, dialect: Dialect = 'prometheus3'): TypeProblem | undefined {
  switch (e.type) {
    case 'number':
    case 'string':
    case 'vectorSelector':
      return undefined;
    case 'matrixSelector':
      return undefined;
    case 'paren':
      return checkExpr(e.expr, dialect);
    case 'unary': {
      const p = checkExpr(e.expr, dialect);
      if (p) return p;
      const t = typeOf(e.expr);
      if (t !== 'scalar' && t !== 'vector') {
        return { pos: e.pos, message: `unary expression only allowed on expressions of type scalar or instant vector, got "${documentedType(t)}"` };
      }
      return undefined;
    }
    case 'subquery': {
      const p = checkExpr(e.expr, dialect);
      if (p) return p;
      const t = typeOf(e.expr);
      if (t !== 'vector') return { pos: e.pos, message: `subquery is only allowed on instant vector, got ${t} instead` };
      return undefined;
    }
    case 'call': {
      const sig = functionSignature(e.func, dialect);
      if (sig === undefined) return { pos: e.pos, message: `unknown function with name "${e.func}"` };
      const nargs = sig.argTypes.length;
      if (sig.variadic === 0) {
        if (nargs !== e.args.length) return { pos: e.pos, message: `expected ${nargs} argument(s) in call to "${e.func}", got ${e.args.length}` };
      } else {
        const min = nargs - 1;
        if (min > e.args.length) return { pos: e.pos, message: `expected at least ${min} argument(s) in call to "${e.func}", got ${e.args.length}` };
        const max = min + sig.variadic;
        if (sig.variadic > 0 && max < e.args.length) return { pos: e.pos, message: `expected at most ${max} argument(s) in call to "${e.func}", got ${e.args.length}` };
      }
      for (let i = 0; i < e.args.length; i++) {
        const arg = e.args[i]!;
        const p = checkExpr(arg, dialect);
        if (p) return p;
        let ti = i;
        if (ti >= nargs) {
          if (sig.variadic === 0) continue;
          ti = nargs - 1;
        }
        const q = expect(arg, sig.argTypes[ti]!, `call to function "${e.func}"`);
        if (q) return q;
      }
      return undefined;
    }
    case 'aggregate': {
      // Prometheus 2.42 has no limitk/limit_ratio: its lexer reads them as function names.
      if (dialect === 'prometheus2' && (e.op === 'limitk' || e.op === 'limit_ratio')) return { pos: e.pos, message: `unknown function with name "${e.op}"` };
      if (e.param !== undefined) {
        const p = checkExpr(e.param, dialect);
        if (p) return p;
        const q = expect(e.param, e.op === 'count_values' ? 'string' : 'scalar', 'aggregation parameter');
        if (q) return q;
      }
      const p = checkExpr(e.expr, dialect);
      if (p) return p;
      return expect(e.expr, 'vector', 'aggregation expression');
    }
    case 'binary': {
      const p = checkExpr(e.lhs, dialect) ?? checkExpr(e.rhs, dialect);
      if (p) return p;
      const lt = typeOf(e.lhs);
      const rt = typeOf(e.rhs);
      const m = e.matching;
      if (e.returnBool && !COMPARISON_OPS.has(e.op)) return { pos: e.opPos, message: 'bool modifier can only be used on comparison operators' };
      if (COMPARISON_OPS.has(e.op) && !e.returnBool && lt === 'scalar' && rt === 'scalar') {
        return { pos: e.opPos, message: 'comparisons between scalars must use BOOL modifier' };
      }
      if (m !== undefined && m.on) {
        for (const l of m.labels) if (m.include.includes(l)) return { pos: e.opPos, message: `label "${l}" must not occur in ON and GROUP clause at once` };
      }
      if (lt !== 'scalar' && lt !== 'vector') return { pos: e.lhs.pos, message: 'binary expression must contain only scalar and instant vector types' };
      if (rt !== 'scalar' && rt !== 'vector') return { pos: e.rhs.pos, message: 'binary expression must contain only scalar and instant vector types' };
      if ((lt !== 'vector' || rt !== 'vector') && m !== undefined) {
        if (m.labels.length > 0) return { pos: e.pos, message: 'vector matching only allowed between instant vectors' };
        (e as { matching: unknown }).matching = undefined;
      } else if (SET_OPS.has(e.op) && m !== undefined) {
        if (m.card === 'one-to-many' || m.card === 'many-to-one') return { pos: e.pos, message: `no grouping allowed for "${e.op}" operation` };
        (e as { matching: unknown }).matching = { ...m, card: 'many-to-many' };
      }
      if ((lt === 'scalar' || rt === 'scalar') && SET_OPS.has(e.op)) {
        return { pos: e.pos, message: `set operator "${e.op}" not allowed in binary scalar expression` };
      }
      return undefined;
    }
  }
}
