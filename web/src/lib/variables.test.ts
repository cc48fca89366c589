import { describe, expect, it } from 'vitest';
import { interpolate, legendFor, variableValue } from './variables.js';

const v = (name: string, current: string[], multi = false, includeAll = false) => ({ name, label: name, match: '', multi, includeAll, current });

describe('dashboard variables', () => {
  it('interpolates single, multi and all values', () => {
    const vars = [v('job', ['node']), v('instance', ['a:9100', 'b.x:9100'], true), v('jobs', [], true, true)];
    expect(interpolate('up{job="$job", instance=~"${instance}", x=~"$jobs"}', vars)).toBe('up{job="node", instance=~"a:9100|b\\.x:9100", x=~".*"}');
    expect(variableValue(v('one', ['x'], true))).toBe('x');
    expect(interpolate('rate($job_total[5m])', [v('job', ['n'])])).toBe('rate($job_total[5m])');
  });
  it('fills legend templates from labels', () => {
    expect(legendFor('{{mode}} on {{ instance }}', { mode: 'idle', instance: 'a' }, 'x')).toBe('idle on a');
    expect(legendFor('', { mode: 'idle' }, 'fallback')).toBe('fallback');
  });
});
