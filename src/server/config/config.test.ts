import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_TABLE_END, CONFIG_TABLE_START, ConfigError, configLeaves, configSchema, loadConfig, renderConfigTable } from './index.js';

function file(text: string): string {
  const p = path.join(mkdtempSync(path.join(tmpdir(), 'cfg-')), 'ichigen.yaml');
  writeFileSync(p, text);
  return p;
}

function problems(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e.problems.map((p) => `${p.key}: ${p.message}`);
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('has a default for every key (no file needed)', () => {
    const c = loadConfig();
    expect(c.server.listen).toBe('0.0.0.0:8910');
    expect(c.auth.session_ttl).toBe(7 * 86_400_000);
    expect(c.server.max_request_bytes).toBe(32 * 1024 * 1024);
  });

  it('reads YAML, then ICHIGEN_* variables, then flags', () => {
    const f = file('server:\n  listen: 127.0.0.1:1000\nlog:\n  level: debug\n');
    const c = loadConfig({
      file: f,
      env: { ICHIGEN_LISTEN: '127.0.0.1:2000', ICHIGEN_AUTH_COOKIE_SECURE: 'true', ICHIGEN_STATE_POOL_SIZE: '3', ICHIGEN_AUTH_SESSION_TTL: '1h' },
      overrides: { 'server.listen': '127.0.0.1:3000' },
    });
    expect(c.server.listen).toBe('127.0.0.1:3000');
    expect(c.log.level).toBe('debug');
    expect(c.auth.cookie_secure).toBe(true);
    expect(c.state.pool_size).toBe(3);
    expect(c.auth.session_ttl).toBe(3_600_000);
  });

  it('names the key of an unknown key, a wrong type and a bad value, all at once', () => {
    const f = file('server:\n  listn: 1\n  max_request_bytes: lots\nstate:\n  pool_size: "ten"\nbogus: {}\n');
    expect(problems(() => loadConfig({ file: f }))).toEqual(
      expect.arrayContaining([
        'server.listn: unknown key',
        'bogus: unknown key',
        'state.pool_size: expected number, got string',
        expect.stringMatching(/^server\.max_request_bytes: expected a size/),
      ]),
    );
  });

  it('reports YAML syntax errors with a position, and unknown ICHIGEN_ variables', () => {
    const f = file('server:\n  listen: [\n');
    expect(problems(() => loadConfig({ file: f }))[0]).toMatch(/ichigen\.yaml:\d+:\d+: /);
    expect(problems(() => loadConfig({ env: { ICHIGEN_NOPE: '1' } }))).toEqual(['ICHIGEN_NOPE: unknown ICHIGEN_ variable (no such configuration key)']);
    expect(problems(() => loadConfig({ file: '/nonexistent/x.yaml' }))[0]).toMatch(/cannot read file: ENOENT/);
  });

  it('documents every key in the README table (generated, so it cannot drift)', () => {
    const readme = readFileSync(path.join(import.meta.dirname, '../../../README.md'), 'utf8');
    const start = readme.indexOf(CONFIG_TABLE_START);
    const end = readme.indexOf(CONFIG_TABLE_END);
    expect(start, 'README lacks the config table markers').toBeGreaterThan(0);
    const table = readme.slice(start + CONFIG_TABLE_START.length, end).trim();
    expect(table, 'README config table is stale: run npm run docs:config').toBe(renderConfigTable());
    for (const leaf of configLeaves(configSchema)) expect(table).toContain(`\`${leaf.path}\``);
  });
});
