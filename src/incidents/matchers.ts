import { IchigenError, compileMatcher, type LabelMatcher, type MatchType } from '../model/index.js';
import type { LabelRecord } from './json.js';

/** A matcher in the Alertmanager API v2 shape (silences, alert filters). */
export interface AmMatcher {
  readonly name: string;
  readonly value: string;
  readonly isRegex: boolean;
  readonly isEqual: boolean;
}

export function toLabelMatcher(m: AmMatcher): LabelMatcher {
  const type: MatchType = m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
  return { name: m.name, type, value: m.value };
}

export function fromLabelMatcher(m: LabelMatcher): AmMatcher {
  return { name: m.name, value: m.value, isRegex: m.type === '=~' || m.type === '!~', isEqual: m.type === '=' || m.type === '=~' };
}

export type RecordPredicate = (labels: LabelRecord) => boolean;

/** Compiles matchers once; an invalid regex is a 400 naming the matcher. */
export function compileMatchers(matchers: readonly LabelMatcher[]): RecordPredicate {
  const compiled = matchers.map((m) => {
    try {
      return { name: m.name, test: compileMatcher(m) };
    } catch (err) {
      throw new IchigenError('INVALID_PARAMETER', `invalid matcher ${m.name}${m.type}"${m.value}": ${(err as Error).message}`);
    }
  });
  return (labels) => compiled.every((c) => c.test(labels[c.name] ?? ''));
}

const MATCHER_RE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$/;

/** Parses one matcher in Alertmanager's text form: `name="value"`, `name=~"re"`, `name!=value`. */
export function parseMatcher(text: string): LabelMatcher {
  const m = MATCHER_RE.exec(text);
  if (!m) throw new IchigenError('INVALID_PARAMETER', `bad matcher "${text}": expected name="value" with =, !=, =~ or !~`);
  let value = m[3]!;
  if (value.startsWith('"')) {
    try {
      value = JSON.parse(value) as string;
    } catch {
      throw new IchigenError('INVALID_PARAMETER', `bad matcher "${text}": unterminated or invalid quoted value`);
    }
  }
  return { name: m[1]!, type: m[2] as MatchType, value };
}

/** Parses `{a="b", c=~"d"}` or `a="b",c=~"d"` (a route's matcher list). */
export function parseMatcherList(text: string): LabelMatcher[] {
  let body = text.trim();
  if (body.startsWith('{') && body.endsWith('}')) body = body.slice(1, -1);
  const parts: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < body.length; i++) {
    const ch = body[i]!;
    if (ch === '\\' && quoted) {
      cur += ch + (body[i + 1] ?? '');
      i++;
      continue;
    }
    if (ch === '"') quoted = !quoted;
    if (ch === ',' && !quoted) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur.trim() !== '') parts.push(cur);
  return parts.filter((p) => p.trim() !== '').map(parseMatcher);
}
