import { createHmac, timingSafeEqual } from 'node:crypto';

export type LinkAction = 'acknowledge' | 'resolve';

/**
 * Acknowledge/resolve links that work without logging in: the group, action and expiry
 * are signed with HMAC-SHA256, so the link is the credential and only for that action.
 */
export class LinkSigner {
  constructor(
    private readonly secret: string,
    private readonly ttlMs: number,
  ) {}

  sign(tenant: string, groupId: string, action: LinkAction, now: number): string {
    const payload = Buffer.from(JSON.stringify({ t: tenant, g: groupId, a: action, e: now + this.ttlMs })).toString('base64url');
    return `${payload}.${this.mac(payload)}`;
  }

  /** The link's claims, or a reason it is refused. */
  verify(token: string, now: number): { tenant: string; groupId: string; action: LinkAction } | { error: string } {
    const dot = token.indexOf('.');
    if (dot < 0) return { error: 'malformed link' };
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const want = Buffer.from(this.mac(payload), 'base64url');
    if (given.length !== want.length || !timingSafeEqual(given, want)) return { error: 'this link is not valid' };
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { t: string; g: string; a: LinkAction; e: number };
    if (claims.e <= now) return { error: 'this link has expired' };
    return { tenant: claims.t, groupId: claims.g, action: claims.a };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}
