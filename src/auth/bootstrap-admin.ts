import type { UserStore } from './users.js';
import { randomPassword } from './password.js';

export interface BootstrapResult {
  readonly created: boolean;
  /** The generated password, present only when one was generated (print it once, never log it). */
  readonly generatedPassword?: string;
}

/** On first start (no users at all) creates `admin`, with the given or a random password. */
export async function bootstrapAdmin(users: UserStore, password: string | undefined): Promise<BootstrapResult> {
  if ((await users.count()) > 0) return { created: false };
  const given = password !== undefined && password !== '';
  const pw = given ? password : randomPassword();
  await users.create({ username: 'admin', password: pw, role: 'admin', displayName: 'Administrator' });
  return given ? { created: true } : { created: true, generatedPassword: pw };
}
