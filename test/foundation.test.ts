import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './support/postgres.js';
import { postRaw, runCli, waitFor, waitReady, type Proc } from './support/process.js';

// The foundation, end to end, through the built `ichigen` command as a user runs it.
describe('ichigen start (real process)', () => {
  let dir: string;
  let port: number;
  let base: string;
  let proc: Proc;
  let password: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'ichigen-e2e-'));
    port = await freePort();
    base = `http://127.0.0.1:${port}`;
    // A small body limit keeps the size tests cheap on a busy machine.
    proc = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], { ICHIGEN_ADMIN_PASSWORD: '', ICHIGEN_SERVER_MAX_REQUEST_BYTES: '1MiB' });
    await waitReady(base);
    const m = /password: (\S+)/.exec(proc.stderr());
    if (!m) throw new Error(`no admin password on the console:\n${proc.stderr()}`);
    password = m[1]!;
  });

  afterAll(async () => {
    proc.kill('SIGKILL');
    await proc.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const basic = (u: string, p: string) => `Basic ${Buffer.from(`${u}:${p}`).toString('base64')}`;

  it('answers health checks without credentials', async () => {
    expect((await fetch(`${base}/-/healthy`)).status).toBe(200);
    expect(await (await fetch(`${base}/-/ready`)).text()).toContain('Ready');
  });

  it('refuses unauthenticated requests with 401 and the JSON error', async () => {
    for (const p of ['/api/ichigen/v1/auth/me', '/metrics', '/api/ichigen/v1/users', '/no/such/route']) {
      const r = await fetch(base + p);
      expect(r.status, p).toBe(401);
      const body = (await r.json()) as Record<string, string>;
      expect(body).toMatchObject({ status: 'error', errorType: 'unauthorized', code: 'UNAUTHENTICATED' });
      expect(body.error).toMatch(/authentication required/);
    }
  });

  it('never writes the generated password to the log (stdout)', () => {
    expect(proc.stdout()).not.toContain(password);
    expect(proc.stdout()).toContain('created the first admin user');
  });

  it('signs the admin in with the console password (cookie session)', async () => {
    const bad = await fetch(`${base}/api/ichigen/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'wrong' }) });
    expect(bad.status).toBe(401);
    const r = await fetch(`${base}/api/ichigen/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    expect(r.status).toBe(200);
    const cookie = r.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    const me = await fetch(`${base}/api/ichigen/v1/auth/me`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(((await me.json()) as { data: { name: string; role: string } }).data).toMatchObject({ name: 'admin', role: 'admin' });
    // A cookie-authenticated write from another origin is refused (CSRF).
    const csrf = await fetch(`${base}/api/ichigen/v1/tokens`, {
      method: 'POST',
      headers: { cookie: cookie.split(';')[0]!, origin: 'https://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', scopes: ['read'] }),
    });
    expect(csrf.status).toBe(403);
  });

  it('a read-scoped token cannot call an admin route (403), but can read', async () => {
    const created = await fetch(`${base}/api/ichigen/v1/tokens`, {
      method: 'POST',
      headers: { authorization: basic('admin', password), 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'grafana', scopes: ['read'] }),
    });
    expect(created.status).toBe(201);
    const { secret } = ((await created.json()) as { data: { secret: string } }).data;
    const denied = await fetch(`${base}/api/ichigen/v1/users`, { headers: { authorization: `Bearer ${secret}` } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ status: 'error', errorType: 'forbidden', code: 'FORBIDDEN' });
    const allowed = await fetch(`${base}/metrics`, { headers: { authorization: basic('grafana', secret) } });
    expect(allowed.status).toBe(200);
  });

  it('serves self-metrics in Prometheus text format', async () => {
    const r = await fetch(`${base}/metrics`, { headers: { authorization: basic('admin', password) } });
    const text = await r.text();
    expect(r.headers.get('content-type')).toMatch(/text\/plain/);
    expect(text).toMatch(/^ichigen_http_requests_total\{route="\/api\/ichigen\/v1\/auth\/me",method="GET",code="401"\} \d+/m);
    expect(text).toContain('ichigen_http_request_duration_seconds_bucket');
    expect(text).toContain('process_resident_memory_bytes');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('accepts gzip request bodies and limits body size', async () => {
    const body = gzipSync(JSON.stringify({ username: 'admin', password }));
    const r = await fetch(`${base}/api/ichigen/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body });
    expect(r.status).toBe(200);
    const broken = await fetch(`${base}/api/ichigen/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: Buffer.from('not gzip at all') });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toMatch(/compressed|gzip|header/i);
    // The server answers 413 from Content-Length before reading the body, then closes: the
    // client may see EPIPE while still writing, so read the answer with a raw request.
    const huge = await postRaw(`${base}/api/ichigen/v1/auth/login`, { authorization: basic('admin', password), 'content-type': 'application/json' }, Buffer.alloc(2 * 1024 * 1024, 0x20));
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.body)).toMatchObject({ errorType: 'too_large' });
    // A gzip bomb: a few KiB compressed, 8 MiB inflated, past the 1 MiB limit.
    const bomb = gzipSync(Buffer.alloc(8 * 1024 * 1024, 0x20));
    const b = await fetch(`${base}/api/ichigen/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: bomb });
    expect(b.status).toBe(413);
    expect((await fetch(`${base}/-/healthy`)).status).toBe(200);
  });

  it('creates users and tokens from the CLI while the server runs', async () => {
    const add = runCli(['user', 'add', 'eve', '--role', 'viewer', '--data-dir', dir], {}, 'eve-password\n');
    expect(await add.exited).toBe(0);
    const tok = runCli(['token', 'create', '--name', 'prom', '--scopes', 'ingest,read', '--data-dir', dir]);
    expect(await tok.exited).toBe(0);
    const secret = tok.stdout().trim();
    expect(secret).toMatch(/^igt_/);
    const me = await fetch(`${base}/api/ichigen/v1/auth/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(((await me.json()) as { data: { scopes: string[] } }).data.scopes).toEqual(['ingest', 'read']);
    const eve = await fetch(`${base}/api/ichigen/v1/auth/me`, { headers: { authorization: basic('eve', 'eve-password') } });
    expect(eve.status).toBe(200);
  });
});

describe('ichigen CLI', () => {
  it('prints its version', async () => {
    const p = runCli(['--version']);
    expect(await p.exited).toBe(0);
    expect(p.stdout()).toMatch(/^ichigen \d+\.\d+\.\d+/);
  });

  it('refuses a config with a wrong type or unknown key: exit 2, naming the key', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-cfg-'));
    const f = path.join(dir, 'bad.yaml');
    writeFileSync(f, 'server:\n  max_request_bytes: [1]\n  listen_addr: ":1"\nstate:\n  pool_size: many\n');
    const start = runCli(['start', '--config', f, '--data-dir', dir]);
    expect(await start.exited).toBe(2);
    expect(start.stderr()).toContain('server.listen_addr: unknown key');
    expect(start.stderr()).toContain('state.pool_size: expected number, got string');
    expect(start.stderr()).toContain('server.max_request_bytes');
    const check = runCli(['config', 'check', f]);
    expect(await check.exited).toBe(2);
    expect(check.stderr()).toContain('server.listen_addr: unknown key');
    writeFileSync(f, 'log:\n  level: warn\n');
    const ok = runCli(['config', 'check', f]);
    expect(await ok.exited).toBe(0);
    const envBad = runCli(['start', '--data-dir', dir], { ICHIGEN_LOG_LEVEL: 'loud' });
    expect(await envBad.exited).toBe(2);
    expect(envBad.stderr()).toContain('log.level: expected one of');
    rmSync(dir, { recursive: true, force: true });
  });

  it('exits 0 on SIGTERM during load, with no error in the log, and restarts with the same admin', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-term-'));
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { ICHIGEN_ADMIN_PASSWORD: 'load-test-password' };
    const p = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], env);
    await waitReady(base);
    const auth = `Basic ${Buffer.from('admin:load-test-password').toString('base64')}`;
    let stop = false;
    let ok = 0;
    const workers = Array.from({ length: 8 }, async () => {
      while (!stop) {
        try {
          const r = await fetch(`${base}/api/ichigen/v1/auth/me`, { headers: { authorization: auth } });
          await r.arrayBuffer();
          if (r.status === 200) ok++;
        } catch {
          // Connection refused once the port closes: expected.
        }
      }
    });
    // Send the signal only once requests are flowing (the machine may be busy).
    await waitFor(() => (ok >= 20 ? true : undefined), '20 answered requests', 20_000);
    p.kill('SIGTERM');
    const code = await p.exited;
    stop = true;
    await Promise.all(workers);
    expect(code).toBe(0);
    expect(ok).toBeGreaterThan(10);
    const levels = p.stdout().split('\n').filter((l) => l.startsWith('{')).map((l) => (JSON.parse(l) as { level: number }).level);
    expect(levels.filter((l) => l >= 50)).toEqual([]);
    expect(p.stdout()).toContain('shut down cleanly');
    // Restart on the same data: no new admin, the old password still works.
    const again = runCli(['start', '--listen', `127.0.0.1:${port}`, '--data-dir', dir], env);
    await waitReady(base);
    expect(again.stderr()).not.toContain('password:');
    expect((await fetch(`${base}/api/ichigen/v1/auth/me`, { headers: { authorization: auth } })).status).toBe(200);
    again.kill('SIGINT');
    expect(await again.exited).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  });
});
