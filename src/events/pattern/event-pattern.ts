import { compileLeafElement, type ValueTest } from './value-tests.js';
import { invalid } from './wildcard.js';

/** Tests one object level of an event (or of a nested field inside it). */
type ObjectTest = (node: Readonly<Record<string, unknown>>) => boolean;

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});
const MAX_PATTERN_BYTES = 64 * 1024;

/** A compiled EventBridge event pattern. */
export interface EventPattern {
  /** The pattern as given (JSON-compatible), for storing and showing. */
  readonly source: Readonly<Record<string, unknown>>;
  /** True when the JSON event (EventBridge envelope) matches. */
  matches(event: Readonly<Record<string, unknown>>): boolean;
  /**
   * The exact `source` values the pattern requires at top level, when it requires one of a
   * fixed set (the common case); undefined otherwise. Lets a rule set skip most rules per event.
   */
  readonly sources: readonly string[] | undefined;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Scalars at a field: arrays (of arrays) are flattened so matching inside arrays is "any element". */
function scalarsOf(value: unknown, out: unknown[]): void {
  if (Array.isArray(value)) for (const v of value) scalarsOf(v, out);
  else if (value !== undefined && !isPlainObject(value)) out.push(value);
}

function compileLeaf(list: unknown[], where: string): ObjectTestForField {
  if (list.length === 0) throw invalid(where, 'a match array must not be empty');
  const tests: ValueTest[] = [];
  let existsTrue = false;
  let existsFalse = false;
  for (const el of list) {
    const c = compileLeafElement(el, where);
    if (c.kind === 'value') tests.push(c.test);
    else if (c.exists) existsTrue = true;
    else existsFalse = true;
  }
  return (value) => {
    // A single scalar (the common case) is tested without collecting into an array.
    if (value !== undefined && !Array.isArray(value) && !isPlainObject(value)) {
      if (existsTrue) return true;
      for (const t of tests) if (t(value)) return true;
      return false;
    }
    const scalars: unknown[] = [];
    scalarsOf(value, scalars);
    if (scalars.length === 0) return existsFalse;
    if (existsTrue) return true;
    for (const s of scalars) for (const t of tests) if (t(s)) return true;
    return false;
  };
}

type ObjectTestForField = (value: unknown) => boolean;

/** A nested pattern: every field test must hold on one and the same object (or array element). */
function compileNested(obj: Record<string, unknown>, where: string): ObjectTestForField {
  const test = compileObject(obj, where);
  return (value) => {
    if (Array.isArray(value)) {
      const objects = value.filter(isPlainObject);
      if (objects.length === 0) return test(EMPTY);
      return objects.some((o) => test(o));
    }
    return test(isPlainObject(value) ? value : EMPTY);
  };
}

function compileObject(obj: Record<string, unknown>, where: string): ObjectTest {
  const fieldTests: Array<{ key: string; test: ObjectTestForField }> = [];
  const orTests: ObjectTest[][] = [];
  for (const [key, value] of Object.entries(obj)) {
    const path = where === '' ? key : `${where}.${key}`;
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
        throw invalid(path, '"$or" needs an array of at least two pattern objects');
      }
      orTests.push(value.map((alt, i) => {
        if (Object.keys(alt).length === 0) throw invalid(`${path}[${i}]`, 'an "$or" alternative must not be empty');
        return compileObject(alt, where);
      }));
    } else if (Array.isArray(value)) {
      fieldTests.push({ key, test: compileLeaf(value, path) });
    } else if (isPlainObject(value)) {
      if (Object.keys(value).length === 0) throw invalid(path, 'a nested pattern object must not be empty');
      fieldTests.push({ key, test: compileNested(value, path) });
    } else {
      throw invalid(path, `match values must be in an array (e.g. [${JSON.stringify(value)}])`);
    }
  }
  return (node) => {
    for (const f of fieldTests) if (!f.test(node[f.key])) return false;
    for (const alternatives of orTests) if (!alternatives.some((t) => t(node))) return false;
    return true;
  };
}

/**
 * Compiles an EventBridge event pattern with EventBridge's matching semantics; throws an
 * INVALID_PARAMETER error naming the offending field for an invalid pattern.
 */
export function compileEventPattern(pattern: unknown): EventPattern {
  let parsed: unknown = pattern;
  if (typeof pattern === 'string') {
    if (pattern.length > MAX_PATTERN_BYTES) throw invalid('', `pattern is larger than ${MAX_PATTERN_BYTES} bytes`);
    try {
      parsed = JSON.parse(pattern);
    } catch (err) {
      throw invalid('', `not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!isPlainObject(parsed)) throw invalid('', 'a pattern must be a JSON object');
  if (Object.keys(parsed).length === 0) throw invalid('', 'a pattern must have at least one field');
  if (JSON.stringify(parsed).length > MAX_PATTERN_BYTES) throw invalid('', `pattern is larger than ${MAX_PATTERN_BYTES} bytes`);
  const test = compileObject(parsed, '');
  const src = parsed.source;
  const sources = Array.isArray(src) && src.length > 0 && src.every((s) => typeof s === 'string') ? (src as string[]) : undefined;
  return { source: parsed, matches: (event) => test(event), sources };
}
