import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestState } from '../../test/support/state-backends.js';
import { hashPassword, verifyPassword } from './password.js';
import { createAuthService, type AuthService } from './auth-service.js';
import { LoginLimiter } from './login-limiter.js';
import { resolveTenant } from './tenant-resolver.js';
import { SESSION_COOKIE } from './authenticator.js';

describe('passwords', () => {
  it('hash with scrypt and verify', async () => {
    const h = await hashPassword('correct horse');
    expect(h.startsWith('scrypt$32768$8$1$')).toBe(true);
    expect(await verifyPassword('correct horse', h)).toBe(true);
    expect(await verifyPassword('wrong horse', h)).toBe(false);
    expect(await verifyPassword('x', 'garbage')).toBe(false);
  });
});

describe('LoginLimiter', () => {
  it('blocks after N failures inside the window and recovers after it', () => {
    const l = new LoginLimiter({ maxFailures: 3, windowMs: 1000 });
    for (let i = 0; i < 3; i++) l.recordFailure(['ip:1'], 100 + i);
    expect(() => l.check(['ip:1'], 200)).toThrow(/too many failed login attempts/);
    try {
      l.check(['ip:1'], 200);
    } catch (e) {
      expect((e as { status: number }).status).toBe(429);
      expect((e as { retryAfterSeconds: number }).retryAfterSeconds).toBe(1);
    }
    expect(() => l.check(['ip:2'], 200)).not.toThrow();
    expect(() => l.check(['ip:1'], 1200)).not.toThrow();
  });
});

describe('resolveTenant', () => {
  const token = (tenants: readonly string[] | '*') => ({ kind: 'token' as const, id: 't', name: 't', scopes: ['read' as const], tenants });
  it('uses the header when allowed', () => {
    expect(resolveTenant(token('*'), 'acme')).toBe('acme');
    expect(resolveTenant(token(['a', 'b']), 'b')).toBe('b');
    expect(() => resolveTenant(token(['a']), 'b')).toThrow(/may not use tenant "b"/);
    expect(() => resolveTenant(token('*'), 'bad/tenant')).toThrow(/invalid tenant id/);
  });
  it('defaults to the only tenant, else default', () => {
    expect(resolveTenant(token(['acme']), undefined)).toBe('acme');
    expect(resolveTenant(token(['acme', 'default']), undefined)).toBe('default');
    expect(resolveTenant(token('*'), '')).toBe('default');
    expect(resolveTenant(undefined, undefined)).toBe('default');
  });
});

describe.each(BACKENDS)('auth stores on %s', (backend) => {
  let s: Awaited<ReturnType<typeof openTestState>>;
  let auth: AuthService;
  beforeAll(async () => {
    s = await openTestState(backend);
    auth = createAuthService(s.db, { sessionTtlMs: 60_000, loginMaxFailures: 3, loginWindowMs: 60_000, cookieSecure: false });
  });
  afterAll(async () => {
    await s.dispose();
  });

  it('creates, finds and verifies users; refuses duplicates and short passwords', async () => {
    const u = await auth.users.create({ username: 'alice', password: 'alice-password', role: 'editor' });
    expect(u.role).toBe('editor');
    expect((await auth.users.verify('alice', 'alice-password'))?.id).toBe(u.id);
    expect(await auth.users.verify('alice', 'nope-nope')).toBeUndefined();
    expect(await auth.users.verify('nobody', 'whatever1')).toBeUndefined();
    await expect(auth.users.create({ username: 'alice', password: 'another-pw', role: 'viewer' })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(auth.users.create({ username: 'bob', password: 'short', role: 'viewer' })).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    await expect(auth.users.create({ username: 'bad name!', password: 'long-enough', role: 'viewer' })).rejects.toMatchObject({ code: 'INVALID_PARAMETER' });
    await auth.users.setPassword(u.id, 'new-password');
    expect(await auth.users.verify('alice', 'new-password')).toBeDefined();
    await auth.users.update(u.id, { disabled: true });
    expect(await auth.users.verify('alice', 'new-password')).toBeUndefined();
  });

  it('issues tokens that verify until revoked or expired', async () => {
    const { token, secret } = await auth.tokens.create({ name: 'ci', scopes: ['ingest'], tenants: ['a'] });
    expect(secret.startsWith('igt_')).toBe(true);
    expect((await auth.tokens.verify(secret))?.id).toBe(token.id);
    expect(await auth.tokens.verify(secret + 'x')).toBeUndefined();
    const listed = await auth.tokens.list();
    expect(JSON.stringify(listed)).not.toContain(secret);
    await auth.tokens.revoke(token.id);
    expect(await auth.tokens.verify(secret)).toBeUndefined();
    await expect(auth.tokens.revoke(token.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const old = await auth.tokens.create({ name: 'old', scopes: ['read'], tenants: '*', expiresAt: Date.now() - 1 });
    expect(await auth.tokens.verify(old.secret)).toBeUndefined();
  });

  it('keeps sessions by hash, slides and expires them', async () => {
    const u = await auth.users.create({ username: 'carol', password: 'carol-password', role: 'viewer' });
    const { secret } = await auth.sessions.create(u.id, { userAgent: 'test', ip: '127.0.0.1' });
    expect((await auth.sessions.resolve(secret))?.userId).toBe(u.id);
    expect(await auth.sessions.resolve(secret, Date.now() + 120_000)).toBeUndefined();
    expect(await auth.sessions.resolve(secret)).toBeUndefined();
  });

  it('authenticates Bearer, Basic with a token, Basic with a password, and the cookie', async () => {
    const u = await auth.users.create({ username: 'dave', password: 'dave-password', role: 'admin' });
    const { secret } = await auth.tokens.create({ name: 'reader', scopes: ['read'], tenants: '*' });
    const bearer = await auth.authenticator.authenticate({ headers: { authorization: `Bearer ${secret}` }, ip: '1.1.1.1' });
    expect(bearer?.principal).toMatchObject({ kind: 'token', scopes: ['read'] });
    const basicToken = await auth.authenticator.authenticate({ headers: { authorization: `Basic ${Buffer.from(`anything:${secret}`).toString('base64')}` }, ip: '1.1.1.1' });
    expect(basicToken?.principal.kind).toBe('token');
    const basicUser = await auth.authenticator.authenticate({ headers: { authorization: `Basic ${Buffer.from('dave:dave-password').toString('base64')}` }, ip: '1.1.1.1' });
    expect(basicUser?.principal).toMatchObject({ kind: 'user', name: 'dave', role: 'admin' });
    const session = await auth.sessions.create(u.id, { userAgent: '', ip: '' });
    const cookie = await auth.authenticator.authenticate({ headers: { cookie: `a=b; ${SESSION_COOKIE}=${session.secret}` }, ip: '1.1.1.1' });
    expect(cookie?.via).toBe('session');
    expect(await auth.authenticator.authenticate({ headers: {}, ip: '1.1.1.1' })).toBeUndefined();
    await expect(auth.authenticator.authenticate({ headers: { authorization: 'Bearer igt_wrong' }, ip: '1' })).rejects.toMatchObject({ status: 401 });
    await expect(auth.authenticator.authenticate({ headers: { authorization: 'Digest x' }, ip: '1' })).rejects.toMatchObject({ status: 401 });
  });

  it('rate-limits wrong Basic passwords', async () => {
    const bad = { headers: { authorization: `Basic ${Buffer.from('dave:wrong-password').toString('base64')}` }, ip: '9.9.9.9' };
    for (let i = 0; i < 3; i++) await expect(auth.authenticator.authenticate(bad)).rejects.toMatchObject({ status: 401 });
    await expect(auth.authenticator.authenticate(bad)).rejects.toMatchObject({ status: 429 });
  });
});
