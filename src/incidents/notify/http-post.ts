import http from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  readonly status: number;
  /** The start of the body (at most 64 KiB), for the delivery log. */
  readonly text: string;
}

/** One POST with a deadline; rejects on network errors and timeouts, resolves with any status. */
export type HttpPost = (url: string, init: { readonly headers: Readonly<Record<string, string>>; readonly body: string; readonly timeoutMs: number }) => Promise<HttpResponse>;

const MAX_BODY = 64 * 1024;
const MAX_SOCKETS = 128;

/**
 * Notifications go out over node:http with kept-alive connections: a webhook per alert group at
 * a thousand groups a second, and fetch's request/response objects and web streams cost more
 * CPU than the rest of a delivery. At most 128 connections per host: a receiver answering in
 * 50 ms still takes 2,500 a second (with 32 it was 640, and a backlog built at 1,000 alerts/s
 * in bench/alerting), while a slow one is not flooded (it answers 429 and jobs back off).
 * Redirects are not followed (the status is returned, and a 3xx is not a success).
 */
export function createHttpPost(): HttpPost & { close(): void } {
  const agents = { 'http:': new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }), 'https:': new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }) };
  const post: HttpPost = (url, init) =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      if (u.protocol !== 'http:' && u.protocol !== 'https:') return reject(new Error(`unsupported URL scheme "${u.protocol}"`));
      const body = Buffer.from(init.body);
      const request = u.protocol === 'https:' ? https.request : http.request;
      const req = request(u, { method: 'POST', agent: agents[u.protocol], headers: { ...init.headers, 'content-length': String(body.length) } }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          if (size < MAX_BODY) chunks.push(d);
          size += d.length;
        });
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).subarray(0, MAX_BODY).toString('utf8') });
        });
        res.on('error', fail);
      });
      const timer = setTimeout(() => req.destroy(new Error(`no answer within ${init.timeoutMs} ms`)), init.timeoutMs);
      function fail(err: Error): void {
        clearTimeout(timer);
        reject(err);
      }
      req.on('error', fail);
      req.end(body);
    });
  return Object.assign(post, {
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  });
}
