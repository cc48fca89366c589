import type { Step, StepType } from '../api/alerting.js';

/** A new step of a type, with the fields the server's schema asks for at sensible defaults. */
export function newStep(type: StepType): Step {
  switch (type) {
    case 'wait':
      return { type, duration: '5m' };
    case 'notify_users':
    case 'round_robin':
      return { type, users: [], important: false };
    case 'notify_schedule':
      return { type, schedule: '', important: false };
    case 'notify_team':
      return { type, team: '', important: false };
    case 'notify_channel':
    case 'trigger_webhook':
      return { type, channel: '' };
    case 'time_window':
      return { type, from: '09:00', to: '18:00', timeZone: 'UTC' };
    case 'alert_threshold':
      return { type, count: 5, window: '10m' };
    case 'repeat':
      return { type, times: 1 };
    case 'resolve':
      return { type };
  }
}

/**
 * The step with another type: fields both types share (users, important, channel…) are
 * kept, the new type's missing ones get their defaults, the rest is dropped.
 */
export function changeType(step: Step, type: StepType): Step {
  const fresh = newStep(type);
  const out: Record<string, unknown> = { type };
  for (const k of Object.keys(fresh)) if (k !== 'type') out[k] = k in step ? step[k] : fresh[k];
  return out as Step;
}

/** Steps with the one at `i` moved by `delta` (kept within the list). */
export function moveStep<T>(steps: readonly T[], i: number, delta: -1 | 1): T[] {
  const j = i + delta;
  if (i < 0 || i >= steps.length || j < 0 || j >= steps.length) return [...steps];
  const out = [...steps];
  [out[i], out[j]] = [out[j]!, out[i]!];
  return out;
}

/** Usernames from "alice, bob carol" (commas or spaces), without duplicates. */
export function parseUsers(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).filter((u) => u !== ''))];
}
