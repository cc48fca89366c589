import { z } from 'zod';
import { request } from './client.js';
import { createdTokenSchema, envelope, meSchema, tokenSchema, userSchema, type Role, type Scope } from './schemas.js';

const P = '/api/ichigen/v1';

export const authApi = {
  me: () => request(`${P}/auth/me`, envelope(meSchema)).then((r) => r.data),
  login: (username: string, password: string) => request(`${P}/auth/login`, envelope(z.unknown()), { body: { username, password } }),
  logout: () => request(`${P}/auth/logout`, envelope(z.null()), { method: 'POST', body: {} }),
  changePassword: (currentPassword: string, password: string) => request(`${P}/auth/password`, envelope(z.null()), { body: { currentPassword, password } }),
  users: () => request(`${P}/users`, envelope(z.array(userSchema))).then((r) => r.data),
  createUser: (u: { username: string; password: string; role: Role; displayName?: string; email?: string }) => request(`${P}/users`, envelope(userSchema), { body: u }).then((r) => r.data),
  updateUser: (id: string, patch: { role?: Role; disabled?: boolean; displayName?: string; email?: string }) =>
    request(`${P}/users/${encodeURIComponent(id)}`, envelope(userSchema), { method: 'PATCH', body: patch }).then((r) => r.data),
  deleteUser: (id: string) => request(`${P}/users/${encodeURIComponent(id)}`, envelope(z.null()), { method: 'DELETE' }),
  setUserPassword: (id: string, password: string) => request(`${P}/users/${encodeURIComponent(id)}/password`, envelope(z.null()), { body: { password } }),
  tokens: () => request(`${P}/tokens`, envelope(z.array(tokenSchema))).then((r) => r.data),
  createToken: (t: { name: string; scopes: Scope[]; tenants: '*' | string[]; expiresInDays?: number }) => request(`${P}/tokens`, envelope(createdTokenSchema), { body: t }).then((r) => r.data),
  revokeToken: (id: string) => request(`${P}/tokens/${encodeURIComponent(id)}`, envelope(z.null()), { method: 'DELETE' }),
};
