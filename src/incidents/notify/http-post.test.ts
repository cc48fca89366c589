import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpPost } from './http-post.js';

describe('notification HTTP client', () => {
  let server: Server;
  let base: string;
  const post = createHttpPost();
  const seen: { url: string; body: string; headers: Record<string, unknown> }[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        seen.push({ url: req.url ?? '', body, headers: req.headers });
        if (req.url === '/slow') return; // never answers
        if (req.url === '/moved') return res.writeHead(302, { location: '/elsewhere' }).end();
        res.writeHead(req.url === '/fail' ? 503 : 200).end(`got ${Buffer.byteLength(body)} bytes`);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    post.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  it('posts the body with its headers and returns status and text, over one kept-alive connection', async () => {
    const a = await post(`${base}/ok`, { headers: { 'content-type': 'application/json' }, body: '{"é":1}', timeoutMs: 5000 });
    const b = await post(`${base}/fail`, { headers: {}, body: 'x', timeoutMs: 5000 });
    expect(a).toEqual({ status: 200, text: 'got 8 bytes' });
    expect(b.status).toBe(503);
    expect(seen[0]).toMatchObject({ url: '/ok', body: '{"é":1}', headers: { 'content-type': 'application/json', 'content-length': '8', connection: 'keep-alive' } });
  });

  it('does not follow redirects, and gives up at the deadline', async () => {
    expect((await post(`${base}/moved`, { headers: {}, body: '', timeoutMs: 5000 })).status).toBe(302);
    expect(seen.some((s) => s.url === '/elsewhere')).toBe(false);
    const t0 = Date.now();
    await expect(post(`${base}/slow`, { headers: {}, body: '', timeoutMs: 300 })).rejects.toThrow(/no answer within 300 ms/);
    expect(Date.now() - t0).toBeLessThan(3000);
    await expect(post('ftp://example.com/x', { headers: {}, body: '', timeoutMs: 300 })).rejects.toThrow(/unsupported URL scheme/);
  });
});
