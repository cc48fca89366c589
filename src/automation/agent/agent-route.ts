import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocketServer } from 'ws';
import { IchigenError } from '../../model/index.js';
import type { AgentHub } from './agent-hub.js';
import type { AgentTokenStore } from './agent-tokens.js';
import { AGENT_PATH } from './protocol.js';

/**
 * The WebSocket agents connect to. Agents use their own tokens, checked here before the
 * upgrade: a wrong or revoked token gets a 401.
 * Why plain `ws` on the server's upgrade event (as the Loki tail does): a plugin that routes
 * every upgrade through Fastify would also take the tail's upgrades and close them, so each
 * WebSocket path answers only its own upgrades.
 */
export async function registerAgentRoute(app: FastifyInstance, hub: AgentHub, tokens: AgentTokenStore, now: () => number): Promise<void> {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4 * 1024 * 1024 });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== AGENT_PATH) return;
    const m = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const check = m === null ? Promise.resolve(undefined) : tokens.verify(m[1]!, now());
    void check.then(
      (token) => {
        if (token === undefined) {
          socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nagent token unknown or revoked\n');
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => hub.attach(ws, token));
      },
      () => socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\n\r\n'),
    );
  });
  app.addHook('onClose', async () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
  });
  // A plain GET (no upgrade) says what this endpoint is for.
  app.get(AGENT_PATH, { config: { public: true } }, async () => {
    throw new IchigenError('BAD_REQUEST', 'agents connect here with a WebSocket upgrade');
  });
}
