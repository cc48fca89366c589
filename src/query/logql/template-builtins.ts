import type { TValue } from './template-functions.js';

/**
 * Go text/template's own functions: the comparisons (eq, ne, lt, le, gt, ge), `not`, and the
 * truth test `if`/`and`/`or` use. Values compare only within a kind (string, int, float,
 * bool); mixing kinds is Go's "incompatible types for comparison" error, which line_format
 * turns into a TemplateFormatErr.
 */
type Kind = 'string' | 'int' | 'float' | 'bool';

function kindOf(v: TValue): Kind {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'float';
  if (typeof v === 'boolean') return 'bool';
  throw new Error('template: error calling comparison: invalid type for comparison');
}

/** Go's truth: the zero value of a kind is false; a time is a struct, always true. */
export function truth(v: TValue | undefined): boolean {
  if (v === undefined) return false;
  if (typeof v === 'string') return v !== '';
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'boolean') return v;
  return true;
}

function equal(a: TValue, b: TValue, fn: string): boolean {
  const ka = kindOf(a);
  if (ka !== kindOf(b)) throw new Error(`template: error calling ${fn}: incompatible types for comparison`);
  return a === b;
}

function compareOrdered(a: TValue, b: TValue, fn: string): number {
  const ka = kindOf(a);
  const kb = kindOf(b);
  if (ka === 'bool' || kb === 'bool') throw new Error(`template: error calling ${fn}: invalid type for comparison`);
  if (ka !== kb) throw new Error(`template: error calling ${fn}: incompatible types for comparison`);
  // Go compares strings bytewise.
  if (ka === 'string') return Buffer.compare(Buffer.from(a as string), Buffer.from(b as string));
  return a < b ? -1 : a > b ? 1 : 0;
}

function arity(fn: string, args: readonly TValue[], n: number): void {
  if (args.length !== n) throw new Error(`template: wrong number of args for ${fn}: want ${n} got ${args.length}`);
}

export const TEMPLATE_BUILTINS: Record<string, (...args: TValue[]) => TValue> = {
  eq: (...args) => {
    if (args.length < 2) throw new Error('template: error calling eq: missing argument for comparison');
    return args.slice(1).some((b) => equal(args[0]!, b, 'eq'));
  },
  ne: (...args) => {
    arity('ne', args, 2);
    return !equal(args[0]!, args[1]!, 'ne');
  },
  lt: (...args) => {
    arity('lt', args, 2);
    return compareOrdered(args[0]!, args[1]!, 'lt') < 0;
  },
  le: (...args) => {
    arity('le', args, 2);
    return compareOrdered(args[0]!, args[1]!, 'le') <= 0;
  },
  gt: (...args) => {
    arity('gt', args, 2);
    return compareOrdered(args[0]!, args[1]!, 'gt') > 0;
  },
  ge: (...args) => {
    arity('ge', args, 2);
    return compareOrdered(args[0]!, args[1]!, 'ge') >= 0;
  },
  not: (...args) => {
    arity('not', args, 1);
    return !truth(args[0]);
  },
};
