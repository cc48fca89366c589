import type { Matcher } from '../api/alerting.js';
import { parseDurationMs } from './time-range.js';

export const MATCHER_OPS = ['=', '!=', '=~', '!~'] as const;
export type MatcherOp = (typeof MATCHER_OPS)[number];

/** The operator of an Alertmanager v2 matcher (isRegex, isEqual). */
export function opOf(m: Pick<Matcher, 'isRegex' | 'isEqual'>): MatcherOp {
  return m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=';
}

/** A matcher from a form row. */
export function matcherOf(name: string, op: MatcherOp, value: string): Matcher {
  return { name: name.trim(), value, isRegex: op === '=~' || op === '!~', isEqual: op === '=' || op === '=~' };
}

/** `{alertname="X", env=~"p.*"}`, as Alertmanager's UI shows matchers. */
export function formatMatchers(ms: readonly Matcher[]): string {
  return `{${ms.map((m) => `${m.name}${opOf(m)}"${m.value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(', ')}}`;
}

/** Start and end (ISO) of a silence lasting `duration` from `nowMs`; throws on a bad duration. */
export function silenceWindow(nowMs: number, duration: string): { startsAt: string; endsAt: string } {
  const ms = parseDurationMs(duration);
  if (ms <= 0) throw new Error(`not a positive duration: "${duration}"`);
  return { startsAt: new Date(nowMs).toISOString(), endsAt: new Date(nowMs + ms).toISOString() };
}

/** Labels of an alert as equality matchers (to silence exactly it). */
export function matchersFromLabels(labels: Readonly<Record<string, string>>): Matcher[] {
  return Object.keys(labels)
    .sort()
    .map((k) => matcherOf(k, '=', labels[k]!));
}
