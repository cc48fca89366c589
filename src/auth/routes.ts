import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { IchigenError, ROLES, SCOPES, type Principal } from '../model/index.js';
import { APP_API_PREFIX, parseWith } from '../http/index.js';
import { listAudit, writeAudit, type StateDb } from '../state/index.js';
import type { AuthService } from './auth-service.js';
import { SESSION_COOKIE, readCookie } from './authenticator.js';
import { principalOf } from './auth-hook.js';
import type { ApiToken } from './api-tokens.js';
import type { User } from './users.js';

const loginBody = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) });
const newUserBody = z.object({
  username: z.string().min(1).max(64),
  password: z.string().min(8).max(1024),
  role: z.enum(ROLES),
  displayName: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
});
const patchUserBody = z.object({
  role: z.enum(ROLES).optional(),
  displayName: z.string().max(200).optional(),
  email: z.string().max(320).optional(),
  disabled: z.boolean().optional(),
});
const passwordBody = z.object({ password: z.string().min(8).max(1024) });
const ownPasswordBody = z.object({ currentPassword: z.string().min(1).max(1024), password: z.string().min(8).max(1024) });
const newTokenBody = z.object({
  name: z.string().min(1).max(100),
  scopes: z.array(z.enum(SCOPES)).min(1),
  tenants: z.union([z.literal('*'), z.array(z.string().min(1).max(150)).min(1)]).default(['default']),
  expiresInDays: z.number().int().positive().max(3650).optional(),
});
const idParams = z.object({ id: z.string().min(1).max(64) });
const auditQuery = z.object({
  action: z.string().max(100).optional(),
  target: z.string().max(256).optional(),
  actor: z.string().max(256).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

function userJson(u: User): Record<string, unknown> {
  return { id: u.id, username: u.username, displayName: u.displayName, email: u.email, role: u.role, authSource: u.authSource, disabled: u.disabled, createdAt: u.createdAt };
}

function tokenJson(t: ApiToken): Record<string, unknown> {
  return { id: t.id, name: t.name, scopes: t.scopes, tenants: t.tenants, createdBy: t.createdBy, createdAt: t.createdAt, expiresAt: t.expiresAt, lastUsedAt: t.lastUsedAt, revokedAt: t.revokedAt };
}

function principalJson(p: Principal, tenant: string): Record<string, unknown> {
  return { kind: p.kind, id: p.id, name: p.name, role: p.role ?? null, scopes: p.scopes, tenants: p.tenants, tenant };
}

/** Sign-in, sign-out, the current principal, user and token administration, and the audit log. */
export function registerAuthRoutes(app: FastifyInstance, auth: AuthService, state: StateDb): void {
  const base = `${APP_API_PREFIX}`;
  const audit = (req: FastifyRequest, action: string, target: string, details: Record<string, unknown> = {}): Promise<void> =>
    writeAudit(state.db, { tenant: req.tenant, actor: req.principal?.name ?? 'anonymous', action, target, details });

  const setCookie = (reply: FastifyReply, value: string, maxAgeSeconds: number): void => {
    const attrs = [`${SESSION_COOKIE}=${encodeURIComponent(value)}`, 'Path=/', 'HttpOnly', 'SameSite=Lax', `Max-Age=${maxAgeSeconds}`];
    if (auth.options.cookieSecure) attrs.push('Secure');
    void reply.header('set-cookie', attrs.join('; '));
  };

  app.post(`${base}/auth/login`, { config: { public: true } }, async (req, reply) => {
    const body = parseWith(loginBody, req.body);
    const keys = [`ip:${req.ip}`, `user:${body.username}`];
    auth.limiter.check(keys);
    const user = await auth.users.verify(body.username, body.password);
    if (!user) {
      auth.limiter.recordFailure(keys);
      req.log.info({ username: body.username, ip: req.ip }, 'failed login');
      throw new IchigenError('UNAUTHENTICATED', 'invalid username or password');
    }
    auth.limiter.recordSuccess([`user:${body.username}`]);
    const session = await auth.sessions.create(user.id, { userAgent: String(req.headers['user-agent'] ?? ''), ip: req.ip });
    setCookie(reply, session.secret, Math.floor(auth.options.sessionTtlMs / 1000));
    await writeAudit(state.db, { tenant: req.tenant, actor: user.username, action: 'auth.login', target: user.id });
    return { status: 'success', data: { user: userJson(user), expiresAt: session.expiresAt } };
  });

  app.post(`${base}/auth/logout`, { config: { scope: 'read' } }, async (req, reply) => {
    const cookie = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (cookie !== undefined) await auth.sessions.destroy(cookie);
    setCookie(reply, '', 0);
    return { status: 'success', data: null };
  });

  app.get(`${base}/auth/me`, async (req) => {
    const p = principalOf(req);
    const user = p.kind === 'user' ? await auth.users.findById(p.id) : undefined;
    return { status: 'success', data: { ...principalJson(p, req.tenant), user: user ? userJson(user) : null } };
  });

  app.post(`${base}/auth/password`, { config: { scope: 'read' } }, async (req) => {
    const p = principalOf(req);
    if (p.kind !== 'user') throw new IchigenError('FORBIDDEN', 'only users have passwords');
    const body = parseWith(ownPasswordBody, req.body);
    const keys = [`ip:${req.ip}`, `user:${p.name}`];
    auth.limiter.check(keys);
    if (!(await auth.users.verify(p.name, body.currentPassword))) {
      auth.limiter.recordFailure(keys);
      throw new IchigenError('UNAUTHENTICATED', 'current password is wrong');
    }
    await auth.users.setPassword(p.id, body.password);
    auth.authenticator.forgetCachedLogins();
    await audit(req, 'user.password', p.id);
    return { status: 'success', data: null };
  });

  app.get(`${base}/users`, { config: { scope: 'admin' } }, async () => ({ status: 'success', data: (await auth.users.list()).map(userJson) }));

  app.post(`${base}/users`, { config: { scope: 'admin' } }, async (req, reply) => {
    const body = parseWith(newUserBody, req.body);
    const user = await auth.users.create(body);
    await audit(req, 'user.create', user.id, { username: user.username, role: user.role });
    return reply.status(201).send({ status: 'success', data: userJson(user) });
  });

  app.patch(`${base}/users/:id`, { config: { scope: 'admin' } }, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    const body = parseWith(patchUserBody, req.body);
    const before = await auth.users.findById(id);
    if (!before) throw new IchigenError('NOT_FOUND', 'user not found');
    const demotes = before.role === 'admin' && ((body.role !== undefined && body.role !== 'admin') || body.disabled === true);
    if (demotes && (await auth.users.countAdmins()) <= 1) throw new IchigenError('CONFLICT', 'cannot remove the last admin');
    const user = await auth.users.update(id, body);
    if (body.disabled === true) await auth.sessions.destroyAllForUser(id);
    auth.authenticator.forgetCachedLogins();
    await audit(req, 'user.update', id, body);
    return { status: 'success', data: userJson(user) };
  });

  app.delete(`${base}/users/:id`, { config: { scope: 'admin' } }, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    const user = await auth.users.findById(id);
    if (!user) throw new IchigenError('NOT_FOUND', 'user not found');
    if (user.role === 'admin' && (await auth.users.countAdmins()) <= 1) throw new IchigenError('CONFLICT', 'cannot delete the last admin');
    await auth.users.remove(id);
    auth.authenticator.forgetCachedLogins();
    await audit(req, 'user.delete', id, { username: user.username });
    return { status: 'success', data: null };
  });

  app.post(`${base}/users/:id/password`, { config: { scope: 'admin' } }, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    const body = parseWith(passwordBody, req.body);
    await auth.users.setPassword(id, body.password);
    await auth.sessions.destroyAllForUser(id);
    auth.authenticator.forgetCachedLogins();
    await audit(req, 'user.password', id);
    return { status: 'success', data: null };
  });

  app.get(`${base}/tokens`, { config: { scope: 'admin' } }, async () => ({ status: 'success', data: (await auth.tokens.list()).map(tokenJson) }));

  app.post(`${base}/tokens`, { config: { scope: 'admin' } }, async (req, reply) => {
    const body = parseWith(newTokenBody, req.body);
    const { token, secret } = await auth.tokens.create({
      name: body.name,
      scopes: body.scopes,
      tenants: body.tenants,
      createdBy: principalOf(req).name,
      ...(body.expiresInDays === undefined ? {} : { expiresAt: Date.now() + body.expiresInDays * 86_400_000 }),
    });
    await audit(req, 'token.create', token.id, { name: token.name, scopes: token.scopes, tenants: token.tenants });
    return reply.status(201).send({ status: 'success', data: { ...tokenJson(token), secret } });
  });

  app.delete(`${base}/tokens/:id`, { config: { scope: 'admin' } }, async (req) => {
    const { id } = parseWith(idParams, req.params, 'path');
    await auth.tokens.revoke(id);
    await audit(req, 'token.revoke', id);
    return { status: 'success', data: null };
  });

  // The audit trail of the request's tenant, newest first; `next` pages back (admins only).
  app.get(`${base}/audit`, { config: { scope: 'admin' } }, async (req) => {
    const q = parseWith(auditQuery, req.query, 'query');
    const rows = await listAudit(state.db, { tenant: req.tenant, limit: q.limit, ...(q.before !== undefined ? { before: q.before } : {}), ...(q.action !== undefined ? { action: q.action } : {}), ...(q.target !== undefined ? { target: q.target } : {}), ...(q.actor !== undefined ? { actor: q.actor } : {}) });
    const entries = rows.map((r) => ({ id: r.id, at: new Date(r.at).toISOString(), actor: r.actor, action: r.action, target: r.target, details: r.details }));
    return { status: 'success', data: { entries, next: rows.length === q.limit ? rows[rows.length - 1]!.id : null } };
  });
}
