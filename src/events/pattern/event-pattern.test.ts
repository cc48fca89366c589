import { describe, expect, it } from 'vitest';
import { compileEventPattern } from './event-pattern.js';
import { EC2_EVENT, INVALID_PATTERNS, MATCH_CASES } from './event-pattern.cases.js';

describe('EventBridge pattern matching (case table)', () => {
  it.each(MATCH_CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    expect(compileEventPattern(c.pattern).matches(c.event)).toBe(c.match);
  });

  it('has a large table covering every operator, matching and not matching', () => {
    expect(MATCH_CASES.length).toBeGreaterThanOrEqual(120);
    for (const op of ['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr', '$or']) {
      const cases = MATCH_CASES.filter((c) => JSON.stringify(c.pattern).includes(`"${op}"`));
      expect(cases.some((c) => c.match), op).toBe(true);
      expect(cases.some((c) => !c.match), op).toBe(true);
    }
  });

  it('accepts the pattern as JSON text too', () => {
    expect(compileEventPattern('{"source":["aws.ec2"],"detail":{"state":["terminated"]}}').matches(EC2_EVENT)).toBe(true);
  });

  it('exposes the exact sources a pattern requires (for indexing)', () => {
    expect(compileEventPattern({ source: ['aws.ec2', 'aws.s3'] }).sources).toEqual(['aws.ec2', 'aws.s3']);
    expect(compileEventPattern({ source: [{ prefix: 'aws.' }] }).sources).toBeUndefined();
    expect(compileEventPattern({ detail: { a: ['b'] } }).sources).toBeUndefined();
  });
});

describe('EventBridge pattern validation', () => {
  it.each(INVALID_PATTERNS.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    let err: unknown;
    try {
      compileEventPattern(c.pattern);
    } catch (e) {
      err = e;
    }
    expect(err, 'should be refused').toBeInstanceOf(Error);
    expect((err as { code?: string }).code).toBe('INVALID_PARAMETER');
    expect((err as Error).message).toMatch(c.error);
    expect((err as Error).message).toMatch(/^invalid event pattern/);
  });
});
