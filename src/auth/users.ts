import type { Kysely } from 'kysely';
import { IchigenError, isRole, type Role } from '../model/index.js';
import { newId, type StateSchema } from '../state/index.js';
import { MIN_PASSWORD_LENGTH, hashPassword, verifyPassword } from './password.js';

export interface User {
  readonly id: string;
  readonly username: string;
  readonly displayName: string;
  readonly email: string;
  readonly role: Role;
  readonly authSource: string;
  readonly disabled: boolean;
  readonly createdAt: number;
}

export interface NewUser {
  readonly username: string;
  readonly password?: string;
  readonly role: Role;
  readonly displayName?: string;
  readonly email?: string;
  readonly authSource?: string;
}

type Row = StateSchema['users'];

function toUser(r: Row): User {
  return {
    id: r.id,
    username: r.username,
    displayName: r.display_name,
    email: r.email,
    role: isRole(r.role) ? r.role : 'viewer',
    authSource: r.auth_source,
    disabled: r.disabled !== 0,
    createdAt: Number(r.created_at),
  };
}

const USERNAME_RE = /^[a-zA-Z0-9._@-]{1,64}$/;

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new IchigenError('INVALID_PARAMETER', `password must be at least ${MIN_PASSWORD_LENGTH} characters`);
  }
}

/** Users in the state database. Every method is tenant-independent: users span tenants. */
export class UserStore {
  constructor(private readonly db: Kysely<StateSchema>) {}

  async count(): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async create(input: NewUser): Promise<User> {
    if (!USERNAME_RE.test(input.username)) {
      throw new IchigenError('INVALID_PARAMETER', 'username must be 1-64 characters of letters, digits and . _ @ -');
    }
    if (input.password !== undefined) checkPassword(input.password);
    if (await this.findByUsername(input.username)) throw new IchigenError('CONFLICT', `user "${input.username}" already exists`);
    const now = Date.now();
    const row: Row = {
      id: newId(now),
      username: input.username,
      display_name: input.displayName ?? input.username,
      email: input.email ?? '',
      role: input.role,
      password_hash: input.password === undefined ? null : await hashPassword(input.password),
      auth_source: input.authSource ?? 'local',
      disabled: 0,
      created_at: now,
      updated_at: now,
    };
    await this.db.insertInto('users').values(row).execute();
    return toUser(row);
  }

  async findById(id: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
    return r ? toUser(r) : undefined;
  }

  async findByUsername(username: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    return r ? toUser(r) : undefined;
  }

  async list(): Promise<User[]> {
    const rows = await this.db.selectFrom('users').selectAll().orderBy('username').execute();
    return rows.map(toUser);
  }

  /** Returns the user when the password is right and the account is usable, else undefined. */
  async verify(username: string, password: string): Promise<User | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
    if (!r || r.password_hash === null || r.disabled !== 0) {
      // Spend the same time as a real check, so timing does not reveal which usernames exist.
      await hashPassword(password);
      return undefined;
    }
    return (await verifyPassword(password, r.password_hash)) ? toUser(r) : undefined;
  }

  async setPassword(id: string, password: string): Promise<void> {
    checkPassword(password);
    const hash = await hashPassword(password);
    const res = await this.db.updateTable('users').set({ password_hash: hash, updated_at: Date.now() }).where('id', '=', id).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) throw new IchigenError('NOT_FOUND', 'user not found');
  }

  async update(id: string, patch: { role?: Role; displayName?: string; email?: string; disabled?: boolean }): Promise<User> {
    const set: Partial<Row> = { updated_at: Date.now() };
    if (patch.role !== undefined) set.role = patch.role;
    if (patch.displayName !== undefined) set.display_name = patch.displayName;
    if (patch.email !== undefined) set.email = patch.email;
    if (patch.disabled !== undefined) set.disabled = patch.disabled ? 1 : 0;
    await this.db.updateTable('users').set(set).where('id', '=', id).execute();
    const u = await this.findById(id);
    if (!u) throw new IchigenError('NOT_FOUND', 'user not found');
    return u;
  }

  async remove(id: string): Promise<void> {
    const res = await this.db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new IchigenError('NOT_FOUND', 'user not found');
  }

  async countAdmins(): Promise<number> {
    const r = await this.db
      .selectFrom('users')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'admin')
      .where('disabled', '=', 0)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }
}
