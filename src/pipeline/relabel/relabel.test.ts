import { describe, expect, it } from 'vitest';
import { labelsFromRecord, labelsToRecord } from '../../model/index.js';
import { compileRelabelConfig, type RelabelConfigInput } from './relabel-config.js';
import { relabel } from './relabel.js';

function run(rec: Record<string, string>, ...cfgs: RelabelConfigInput[]): Record<string, string> | undefined {
  const out = relabel(labelsFromRecord(rec), cfgs.map(compileRelabelConfig));
  return out && labelsToRecord(out);
}

describe('relabel', () => {
  it('replace: defaults, groups, named groups, Go expansion rules, empty result deletes', () => {
    expect(run({ a: 'foo' }, { source_labels: ['a'], target_label: 'b' })).toEqual({ a: 'foo', b: 'foo' });
    expect(run({ a: 'foo-bar' }, { source_labels: ['a'], regex: '(?P<x>\\w+)-(\\w+)', target_label: 'b', replacement: '${x}_$2' })).toEqual({ a: 'foo-bar', b: 'foo_bar' });
    // `$1x` is the group named "1x" (empty), as in Go.
    expect(run({ a: 'foo' }, { source_labels: ['a'], regex: '(.*)', target_label: 'b', replacement: '$1x' })).toEqual({ a: 'foo' });
    expect(run({ a: 'foo' }, { source_labels: ['a'], regex: 'f(.*)', target_label: 'lbl_$1', replacement: 'v' })).toEqual({ a: 'foo', lbl_oo: 'v' });
    expect(run({ a: 'foo', b: 'x' }, { source_labels: ['a'], regex: 'nomatch', target_label: 'b', replacement: 'y' })).toEqual({ a: 'foo', b: 'x' });
    expect(run({ a: 'foo', b: 'x' }, { source_labels: ['c'], target_label: 'b' })).toEqual({ a: 'foo' });
    expect(run({ a: '1', b: '2' }, { source_labels: ['a', 'b'], separator: '/', target_label: 'c' })).toEqual({ a: '1', b: '2', c: '1/2' });
    // Anchored: a partial match is no match.
    expect(run({ a: 'foo' }, { source_labels: ['a'], regex: 'o', target_label: 'b', replacement: 'y' })).toEqual({ a: 'foo' });
  });

  it('keep, drop, keepequal, dropequal', () => {
    expect(run({ a: 'x' }, { source_labels: ['a'], regex: 'x|y', action: 'keep' })).toEqual({ a: 'x' });
    expect(run({ a: 'z' }, { source_labels: ['a'], regex: 'x|y', action: 'keep' })).toBeUndefined();
    expect(run({ a: 'x' }, { source_labels: ['a'], regex: 'x', action: 'drop' })).toBeUndefined();
    expect(run({ a: '1', b: '1' }, { source_labels: ['a'], target_label: 'b', action: 'keepequal' })).toEqual({ a: '1', b: '1' });
    expect(run({ a: '1', b: '2' }, { source_labels: ['a'], target_label: 'b', action: 'keepequal' })).toBeUndefined();
    expect(run({ a: '1', b: '1' }, { source_labels: ['a'], target_label: 'b', action: 'dropequal' })).toBeUndefined();
  });

  it('hashmod, labelmap, labeldrop, labelkeep, lowercase, uppercase', () => {
    const h = run({ a: 'foo' }, { source_labels: ['a'], modulus: 1000, target_label: 'h', action: 'hashmod' })!;
    expect(Number(h.h)).toBeGreaterThanOrEqual(0);
    expect(Number(h.h)).toBeLessThan(1000);
    expect(run({ __meta_x_team: 'ops', a: '1' }, { regex: '__meta_x_(.+)', action: 'labelmap' })).toEqual({ __meta_x_team: 'ops', a: '1', team: 'ops' });
    expect(run({ a: '1', ab: '2', b: '3' }, { regex: 'a.*', action: 'labeldrop' })).toEqual({ b: '3' });
    expect(run({ a: '1', ab: '2', b: '3' }, { regex: 'a.*', action: 'labelkeep' })).toEqual({ a: '1', ab: '2' });
    expect(run({ a: 'MiXed' }, { source_labels: ['a'], target_label: 'l', action: 'lowercase' }, { source_labels: ['a'], target_label: 'u', action: 'uppercase' })).toEqual({ a: 'MiXed', l: 'mixed', u: 'MIXED' });
  });

  it('refuses invalid rules with Prometheus-worded errors', () => {
    expect(() => compileRelabelConfig({ action: 'replace', source_labels: ['a'] })).toThrow(/requires 'target_label'/);
    expect(() => compileRelabelConfig({ action: 'hashmod', source_labels: ['a'], target_label: 'x' })).toThrow(/non-zero modulus/);
    expect(() => compileRelabelConfig({ action: 'explode' })).toThrow(/unknown relabel action/);
    expect(() => compileRelabelConfig({ regex: '(' })).toThrow(/invalid regex/);
    expect(() => compileRelabelConfig({ action: 'labeldrop', regex: 'a', target_label: 'x' })).toThrow(/requires only 'regex'/);
  });
});
