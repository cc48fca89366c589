import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { APP_API_PREFIX, acceptRawBodies } from '../../http/index.js';
import { IchigenError } from '../../model/index.js';
import type { IncidentsCore } from '../core.js';
import type { ChannelStore } from './channels.js';
import type { LinkSigner } from './links.js';

function page(title: string, body: string): string {
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:2em auto"><h1>${esc(title)}</h1>${body}</body></html>`;
}

/**
 * Signed links (no login): GET shows a confirmation form — so link scanners in mail
 * systems that prefetch URLs do not acknowledge anything — and POST performs the action.
 * Also Slack's interactivity endpoint, verified with the app's signing secret.
 */
export function registerLinkRoutes(app: FastifyInstance, core: IncidentsCore, links: LinkSigner, channels: ChannelStore): void {
  app.get<{ Params: { token: string } }>(`${APP_API_PREFIX}/links/:token`, { config: { public: true } }, async (request, reply) => {
    const v = links.verify(request.params.token, core.clock());
    if ('error' in v) return reply.status(403).type('text/html').send(page('Link refused', `<p>${v.error}</p>`));
    const g = await core.groups.get(v.tenant, v.groupId);
    return reply
      .type('text/html')
      .header('cache-control', 'no-store')
      .send(page(`${v.action === 'acknowledge' ? 'Acknowledge' : 'Resolve'} alert group`, `<p>${g.title.replace(/</g, '&lt;')} — now <b>${g.status}</b></p><form method="post"><button type="submit">${v.action === 'acknowledge' ? 'Acknowledge' : 'Resolve'}</button></form>`));
  });
  app.post<{ Params: { token: string } }>(`${APP_API_PREFIX}/links/:token`, { config: { public: true } }, async (request, reply) => {
    const v = links.verify(request.params.token, core.clock());
    if ('error' in v) return reply.status(403).type('text/html').send(page('Link refused', `<p>${v.error}</p>`));
    const g = v.action === 'acknowledge' ? await core.groups.acknowledge(v.tenant, v.groupId, 'link').catch((e: unknown) => e) : await core.groups.resolve(v.tenant, v.groupId, 'link');
    if (g instanceof Error) return reply.status(409).type('text/html').send(page('Not done', `<p>${g.message}</p>`));
    return reply.type('text/html').send(page('Done', `<p>The alert group is now <b>${(g as { status: string }).status}</b>.</p>`));
  });

  void app.register(async (scope) => {
    // The signature covers the raw body, so this route reads it unparsed.
    scope.removeContentTypeParser('application/x-www-form-urlencoded');
    acceptRawBodies(scope, ['application/x-www-form-urlencoded'], 1024 * 1024);
    scope.post(`${APP_API_PREFIX}/slack/interactions`, { config: { public: true } }, async (request, reply) => {
      const raw = (request.body as Buffer | undefined)?.toString('utf8') ?? '';
      const ts = String(request.headers['x-slack-request-timestamp'] ?? '');
      const sig = String(request.headers['x-slack-signature'] ?? '');
      if (!/^\d+$/.test(ts) || Math.abs(core.clock() / 1000 - Number(ts)) > 300) throw new IchigenError('UNAUTHENTICATED', 'missing or stale X-Slack-Request-Timestamp');
      const payload = JSON.parse(new URLSearchParams(raw).get('payload') ?? '{}') as { actions?: { action_id?: string; value?: string }[]; user?: { username?: string; name?: string; id?: string } };
      const action = payload.actions?.[0];
      if (!action?.value || (action.action_id !== 'acknowledge' && action.action_id !== 'resolve')) throw new IchigenError('BAD_REQUEST', 'no acknowledge/resolve action in the payload');
      // The group id names the tenant; its Slack channel's secret must have signed the request.
      const group = await core.state.db.selectFrom('incident_groups').select(['id', 'tenant']).where('id', '=', action.value).executeTakeFirst();
      if (!group) throw new IchigenError('NOT_FOUND', 'alert group not found');
      const slack = (await channels.list(group.tenant)).filter((c) => c.kind === 'slack' && typeof c.settings.signingSecret === 'string');
      const ok = slack.some((c) => {
        const want = Buffer.from(`v0=${createHmac('sha256', c.settings.signingSecret as string).update(`v0:${ts}:${raw}`).digest('hex')}`);
        const given = Buffer.from(sig);
        return want.length === given.length && timingSafeEqual(want, given);
      });
      if (!ok) throw new IchigenError('FORBIDDEN', 'Slack signature does not verify');
      const who = `slack:${payload.user?.username ?? payload.user?.name ?? payload.user?.id ?? 'unknown'}`;
      const g = action.action_id === 'acknowledge' ? await core.groups.acknowledge(group.tenant, group.id, who) : await core.groups.resolve(group.tenant, group.id, who);
      return reply.send({ response_type: 'in_channel', replace_original: false, text: `${g.title}: ${g.status} by ${who}` });
    });
  });
}
