import type { FastifyReply, FastifyRequest } from 'fastify';
import { IchigenError } from '../model/index.js';
import type { IncidentsCore } from './core.js';
import type { Integration } from './integrations.js';

/**
 * An integration's own URL is public and authenticated by the integration's token, sent as
 * `Authorization: Bearer`, as the Basic password (senders that only do Basic, SNS URLs),
 * or as `?token=` (senders that can set neither).
 */
export function integrationToken(request: FastifyRequest): string {
  const auth = request.headers.authorization ?? '';
  const space = auth.indexOf(' ');
  const scheme = space < 0 ? '' : auth.slice(0, space).toLowerCase();
  const value = space < 0 ? '' : auth.slice(space + 1).trim();
  if (scheme === 'bearer') return value;
  if (scheme === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? decoded : decoded.slice(colon + 1) || decoded.slice(0, colon);
  }
  const q = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' ? q : '';
}

export async function integrationFromRequest(core: IncidentsCore, request: FastifyRequest, id: string, reply?: FastifyReply): Promise<Integration> {
  // The challenge lets senders that keep credentials in the URL (SNS) retry with Basic.
  const refuse = (message: string): never => {
    void reply?.header('www-authenticate', 'Basic realm="ichigen"');
    throw new IchigenError('UNAUTHENTICATED', message);
  };
  const token = integrationToken(request);
  if (token === '') refuse('this integration URL needs its token (Bearer, Basic password or ?token=)');
  const integration = await core.integrations.verifyToken(id, token);
  if (!integration) return refuse('unknown integration or wrong integration token');
  request.tenant = integration.tenant;
  return integration;
}

/** Who did it, for timelines and the audit trail. */
export function actorOf(request: FastifyRequest): string {
  return request.principal?.name ?? 'anonymous';
}
