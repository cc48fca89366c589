import { compileCidr } from './cidr.js';
import { compileWildcard, invalid } from './wildcard.js';

/** A test on one scalar value found at a field (string, number, boolean or null). */
export type ValueTest = (value: unknown) => boolean;

/** What one element of a leaf array compiles to. */
export type LeafElement =
  | { readonly kind: 'value'; readonly test: ValueTest }
  | { readonly kind: 'exists'; readonly exists: boolean };

const isString = (v: unknown): v is string => typeof v === 'string';

function isScalar(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

/** Exact match: a string matches only a string, a number only a number (3 equals 3.0). */
function exact(expected: string | number | boolean | null): ValueTest {
  return (v) => v === expected;
}

function ignoreCase(expected: string): ValueTest {
  const lower = expected.toLowerCase();
  // Same length first: most values differ in length, and lower-casing allocates.
  return (v) => isString(v) && v.length === lower.length && v.toLowerCase() === lower;
}

function stringArg(op: string, arg: unknown, where: string): string {
  if (!isString(arg)) throw invalid(where, `"${op}" needs a string, got ${JSON.stringify(arg)}`);
  return arg;
}

/** `prefix`/`suffix` take a string or the nested `{"equals-ignore-case": "…"}` form. */
function affix(op: 'prefix' | 'suffix', arg: unknown, where: string): ValueTest {
  let text: string;
  let fold = false;
  if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) {
    const keys = Object.keys(arg);
    if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
      throw invalid(where, `"${op}" object form accepts only {"equals-ignore-case": "…"}, got ${JSON.stringify(arg)}`);
    }
    text = stringArg(`${op}.equals-ignore-case`, (arg as Record<string, unknown>)['equals-ignore-case'], where);
    fold = true;
  } else {
    text = stringArg(op, arg, where);
  }
  const needle = fold ? text.toLowerCase() : text;
  return (v) => {
    if (!isString(v) || v.length < needle.length) return false;
    const s = fold ? v.toLowerCase() : v;
    return op === 'prefix' ? s.startsWith(needle) : s.endsWith(needle);
  };
}

type Bound = { readonly value: number; readonly inclusive: boolean };

/** `numeric`: ["=", 5] or up to one lower (>, >=) and one upper (<, <=) bound. */
function numeric(arg: unknown, where: string): ValueTest {
  if (!Array.isArray(arg) || arg.length === 0 || arg.length % 2 !== 0 || arg.length > 4) {
    throw invalid(where, `"numeric" needs [operator, number] or [operator, number, operator, number], got ${JSON.stringify(arg)}`);
  }
  let lower: Bound | undefined;
  let upper: Bound | undefined;
  let equal: number | undefined;
  for (let i = 0; i < arg.length; i += 2) {
    const op: unknown = arg[i];
    const n: unknown = arg[i + 1];
    if (typeof n !== 'number' || !Number.isFinite(n)) throw invalid(where, `"numeric": value after "${String(op)}" must be a number, got ${JSON.stringify(n)}`);
    if (op === '=') {
      if (arg.length !== 2) throw invalid(where, '"numeric": "=" cannot be combined with other operators');
      equal = n;
    } else if (op === '>' || op === '>=') {
      if (lower !== undefined) throw invalid(where, '"numeric": at most one lower bound (">" or ">=")');
      lower = { value: n, inclusive: op === '>=' };
    } else if (op === '<' || op === '<=') {
      if (upper !== undefined) throw invalid(where, '"numeric": at most one upper bound ("<" or "<=")');
      upper = { value: n, inclusive: op === '<=' };
    } else {
      throw invalid(where, `"numeric": unknown operator ${JSON.stringify(op)} (use =, <, <=, >, >=)`);
    }
  }
  if (lower !== undefined && upper !== undefined && (lower.value > upper.value || (lower.value === upper.value && !(lower.inclusive && upper.inclusive)))) {
    throw invalid(where, `"numeric": the range ${JSON.stringify(arg)} is empty (lower bound must be below upper bound)`);
  }
  if (equal !== undefined) {
    const e = equal;
    return (v) => typeof v === 'number' && v === e;
  }
  return (v) => {
    if (typeof v !== 'number') return false;
    if (lower !== undefined && (lower.inclusive ? v < lower.value : v <= lower.value)) return false;
    if (upper !== undefined && (upper.inclusive ? v > upper.value : v >= upper.value)) return false;
    return true;
  };
}

function stringList(op: string, arg: unknown, where: string): string[] {
  const list = Array.isArray(arg) ? arg : [arg];
  if (list.length === 0) throw invalid(where, `"${op}" needs at least one string`);
  return list.map((x) => stringArg(op, x, where));
}

/**
 * `anything-but`: a value or list of values (all strings or all numbers), or one nested
 * operator: prefix, suffix, equals-ignore-case, wildcard (each a string or list of strings).
 * Like every test except `exists: false`, it never matches a missing field.
 */
function anythingBut(arg: unknown, where: string): ValueTest {
  if (typeof arg === 'object' && arg !== null && !Array.isArray(arg)) {
    const entries = Object.entries(arg);
    if (entries.length !== 1) throw invalid(where, `"anything-but" object form takes exactly one operator, got ${JSON.stringify(arg)}`);
    const [op, inner] = entries[0]!;
    let tests: ValueTest[];
    if (op === 'prefix' || op === 'suffix') tests = stringList(op, inner, where).map((s) => affix(op, s, where));
    else if (op === 'equals-ignore-case') tests = stringList(op, inner, where).map(ignoreCase);
    else if (op === 'wildcard') tests = stringList(op, inner, where).map((s) => { const re = compileWildcard(s, where); return (v: unknown) => isString(v) && re.test(v); });
    else throw invalid(where, `"anything-but" does not support the nested operator "${op}" (use prefix, suffix, equals-ignore-case or wildcard)`);
    // The nested forms compare strings; a value of another type is never "anything but" a string shape.
    return (v) => isString(v) && !tests.some((t) => t(v));
  }
  const list = Array.isArray(arg) ? arg : [arg];
  if (list.length === 0) throw invalid(where, '"anything-but" needs at least one value');
  const allStrings = list.every(isString);
  const allNumbers = list.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (!allStrings && !allNumbers) throw invalid(where, `"anything-but" values must be all strings or all numbers, got ${JSON.stringify(arg)}`);
  const set = new Set<unknown>(list);
  return (v) => isScalar(v) && !set.has(v);
}

/** Compiles one element of a leaf array: a scalar for exact match, or an operator object. */
export function compileLeafElement(el: unknown, where: string): LeafElement {
  if (isScalar(el)) return { kind: 'value', test: exact(el) };
  if (typeof el !== 'object' || el === null || Array.isArray(el)) {
    throw invalid(where, `match values must be strings, numbers, booleans, null or operator objects, got ${JSON.stringify(el)}`);
  }
  const entries = Object.entries(el);
  if (entries.length !== 1) throw invalid(where, `an operator object has exactly one operator, got ${JSON.stringify(el)}`);
  const [op, arg] = entries[0]!;
  switch (op) {
    case 'prefix':
    case 'suffix':
      return { kind: 'value', test: affix(op, arg, where) };
    case 'equals-ignore-case':
      return { kind: 'value', test: ignoreCase(stringArg(op, arg, where)) };
    case 'wildcard': {
      const re = compileWildcard(stringArg(op, arg, where), where);
      return { kind: 'value', test: (v) => isString(v) && re.test(v) };
    }
    case 'anything-but':
      return { kind: 'value', test: anythingBut(arg, where) };
    case 'numeric':
      return { kind: 'value', test: numeric(arg, where) };
    case 'cidr':
      return { kind: 'value', test: compileCidr(arg, where) };
    case 'exists':
      if (typeof arg !== 'boolean') throw invalid(where, `"exists" needs true or false, got ${JSON.stringify(arg)}`);
      return { kind: 'exists', exists: arg };
    default:
      throw invalid(where, `unknown operator "${op}" (supported: prefix, suffix, equals-ignore-case, wildcard, anything-but, numeric, cidr, exists)`);
  }
}
