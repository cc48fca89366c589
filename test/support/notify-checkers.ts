import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/**
 * Local stand-ins for Slack, Teams, PagerDuty, Opsgenie and Twilio (which cannot run here).
 * Each checks the request exactly as the vendor documents it and answers as the vendor
 * does, including the documented error for a malformed request, so a wrong request fails.
 */
export interface Received {
  readonly service: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: unknown;
}

export interface Checkers {
  readonly url: string;
  readonly received: Received[];
  /** Requests refused because they did not match the documented format. */
  readonly rejected: { service: string; problem: string }[];
  /** Make the next N requests to a service fail with 503 (retry tests). */
  failNext(service: string, n: number): void;
  stop(): Promise<void>;
}

const E164 = /^\+[1-9]\d{6,14}$/;

function check(service: string, path: string, headers: IncomingMessage['headers'], raw: string): { status: number; body: unknown; problem?: string } {
  const ct = headers['content-type'] ?? '';
  const json = (): Record<string, unknown> => JSON.parse(raw) as Record<string, unknown>;
  switch (service) {
    case 'slack-webhook': {
      if (!ct.startsWith('application/json')) return { status: 400, body: 'invalid_payload', problem: 'content-type' };
      const b = json();
      if (typeof b.text !== 'string' && !Array.isArray(b.blocks)) return { status: 400, body: 'no_text', problem: 'text or blocks required' };
      if (Array.isArray(b.blocks) && !b.blocks.every((x) => typeof (x as { type?: unknown }).type === 'string')) return { status: 400, body: 'invalid_blocks', problem: 'block without type' };
      return { status: 200, body: 'ok' };
    }
    case 'slack-api': {
      if (path !== '/chat.postMessage') return { status: 404, body: { ok: false, error: 'unknown_method' } };
      if (!/^Bearer xox[bp]-/.test(headers.authorization ?? '')) return { status: 200, body: { ok: false, error: 'not_authed' }, problem: 'bearer token' };
      if (!ct.startsWith('application/json')) return { status: 200, body: { ok: false, error: 'invalid_form_data' }, problem: 'content-type' };
      const b = json();
      if (typeof b.channel !== 'string' || b.channel === '') return { status: 200, body: { ok: false, error: 'channel_not_found' }, problem: 'channel' };
      if (typeof b.text !== 'string') return { status: 200, body: { ok: false, error: 'no_text' }, problem: 'text' };
      return { status: 200, body: { ok: true, channel: b.channel, ts: '1700000000.000100' } };
    }
    case 'teams': {
      const b = json();
      const att = (b.attachments as { contentType?: string; content?: { type?: string; version?: string; body?: unknown[] } }[] | undefined)?.[0];
      if (b.type !== 'message' || att?.contentType !== 'application/vnd.microsoft.card.adaptive' || att.content?.type !== 'AdaptiveCard' || typeof att.content.version !== 'string' || !Array.isArray(att.content.body)) {
        return { status: 400, body: { error: { code: 'InvalidRequestContent' } }, problem: 'not a message with an Adaptive Card attachment' };
      }
      return { status: 202, body: '' };
    }
    case 'pagerduty': {
      if (path !== '/v2/enqueue') return { status: 404, body: '' };
      const b = json();
      const errors: string[] = [];
      if (typeof b.routing_key !== 'string' || b.routing_key.length !== 32) errors.push('routing_key must be 32 characters');
      if (!['trigger', 'acknowledge', 'resolve'].includes(String(b.event_action))) errors.push('event_action');
      if (b.event_action !== 'trigger' && typeof b.dedup_key !== 'string') errors.push('dedup_key required');
      if (b.event_action === 'trigger') {
        const p = b.payload as Record<string, unknown> | undefined;
        if (!p || typeof p.summary !== 'string' || typeof p.source !== 'string' || !['critical', 'error', 'warning', 'info'].includes(String(p.severity))) errors.push('payload.summary, source, severity');
      }
      if (errors.length > 0) return { status: 400, body: { status: 'invalid event', message: 'Event object is invalid', errors }, problem: errors.join('; ') };
      return { status: 202, body: { status: 'success', message: 'Event processed', dedup_key: b.dedup_key ?? 'generated' } };
    }
    case 'opsgenie': {
      if (!/^GenieKey .+/.test(headers.authorization ?? '')) return { status: 401, body: { message: 'Could not authenticate' }, problem: 'GenieKey' };
      if (path === '/v2/alerts') {
        const b = json();
        if (typeof b.message !== 'string' || b.message.length === 0 || b.message.length > 130) return { status: 422, body: { message: 'Request body is not processable' }, problem: 'message' };
      } else if (!/^\/v2\/alerts\/[^/]+\/(acknowledge|close)\?identifierType=alias$/.test(path)) return { status: 404, body: {}, problem: `path ${path}` };
      return { status: 202, body: { result: 'Request will be processed', took: 0.01, requestId: 'r1' } };
    }
    case 'twilio': {
      const m = /^\/2010-04-01\/Accounts\/(AC[0-9a-f]{32})\/(Messages|Calls)\.json$/.exec(path);
      if (!m) return { status: 404, body: { code: 20404, message: 'The requested resource was not found' } };
      const auth = Buffer.from((headers.authorization ?? '').replace(/^Basic /, ''), 'base64').toString();
      if (!auth.startsWith(`${m[1]}:`)) return { status: 401, body: { code: 20003, message: 'Authenticate' }, problem: 'basic auth' };
      if (!ct.startsWith('application/x-www-form-urlencoded')) return { status: 400, body: { code: 21000 }, problem: 'content-type' };
      const f = new URLSearchParams(raw);
      if (!E164.test(f.get('To') ?? '') || !E164.test(f.get('From') ?? '')) return { status: 400, body: { code: 21211, message: "The 'To' number is not a valid phone number." }, problem: 'To/From' };
      if (m[2] === 'Messages' && !f.get('Body')) return { status: 400, body: { code: 21602, message: 'Message body is required.' }, problem: 'Body' };
      if (m[2] === 'Calls' && !f.get('Twiml') && !f.get('Url')) return { status: 400, body: { code: 21205 }, problem: 'Twiml or Url' };
      return { status: 201, body: { sid: m[2] === 'Messages' ? 'SM0123456789abcdef0123456789abcdef' : 'CA0123456789abcdef0123456789abcdef', status: 'queued' } };
    }
    default:
      return { status: 200, body: { ok: true } };
  }
}

export async function startCheckers(): Promise<Checkers> {
  const received: Received[] = [];
  const rejected: { service: string; problem: string }[] = [];
  const failures = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d.toString()));
    req.on('end', () => {
      const url = req.url ?? '/';
      const slash = url.indexOf('/', 1);
      const service = url.slice(1, slash < 0 ? undefined : slash);
      const path = slash < 0 ? '/' : url.slice(slash);
      const left = failures.get(service) ?? 0;
      if (left > 0) {
        failures.set(service, left - 1);
        res.writeHead(503).end('try later');
        return;
      }
      let r: ReturnType<typeof check>;
      try {
        r = check(service, path, req.headers, raw);
      } catch {
        r = { status: 400, body: 'invalid json', problem: 'body is not JSON' };
      }
      if (r.problem !== undefined) rejected.push({ service, problem: r.problem });
      else {
        let body: unknown = raw;
        try {
          body = JSON.parse(raw);
        } catch {
          body = Object.fromEntries(new URLSearchParams(raw));
        }
        received.push({ service, path, headers: req.headers, body });
      }
      res.writeHead(r.status, { 'content-type': typeof r.body === 'string' ? 'text/plain' : 'application/json' }).end(typeof r.body === 'string' ? r.body : JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    rejected,
    failNext: (service, n) => void failures.set(service, n),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export interface Mail {
  readonly from: string;
  readonly to: string[];
  readonly raw: string;
}

/** A real SMTP server (the smtp-server package) on loopback that keeps what it receives. */
export async function startSmtp(): Promise<{ port: number; mails: Mail[]; stop(): Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString()));
      stream.on('end', () => {
        mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
