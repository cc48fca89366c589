import { describe, expect, it } from 'vitest';
import { STEP_TYPES } from '../api/alerting.js';
import { changeType, moveStep, newStep, parseUsers } from './chain-steps.js';

describe('escalation chain steps', () => {
  it('has a default for every step type', () => {
    for (const type of STEP_TYPES) expect(newStep(type).type).toBe(type);
    expect(newStep('alert_threshold')).toEqual({ type: 'alert_threshold', count: 5, window: '10m' });
  });

  it('keeps shared fields when the type changes and drops the others', () => {
    expect(changeType({ type: 'notify_users', users: ['ann'], important: true }, 'round_robin')).toEqual({ type: 'round_robin', users: ['ann'], important: true });
    expect(changeType({ type: 'notify_users', users: ['ann'], important: true }, 'notify_schedule')).toEqual({ type: 'notify_schedule', schedule: '', important: true });
    expect(changeType({ type: 'wait', duration: '1m' }, 'resolve')).toEqual({ type: 'resolve' });
  });

  it('moves a step up or down, never out of the list', () => {
    expect(moveStep(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moveStep(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moveStep(['a', 'b'], 0, -1)).toEqual(['a', 'b']);
  });

  it('reads usernames separated by commas or spaces', () => {
    expect(parseUsers(' ann, bob  carol,ann ')).toEqual(['ann', 'bob', 'carol']);
    expect(parseUsers('')).toEqual([]);
  });
});
