import websocket from '@fastify/websocket';
import type { FastifyInstance } from 'fastify';
import { IchigenError } from '../../model/index.js';
import type { AgentHub } from './agent-hub.js';
import type { AgentTokenStore } from './agent-tokens.js';
import { AGENT_PATH } from './protocol.js';

/**
 * The WebSocket agents connect to. It is `public` for the API-token hook because agents use
 * their own tokens, checked here before the upgrade: a wrong or revoked token gets a 401.
 */
export async function registerAgentRoute(app: FastifyInstance, hub: AgentHub, tokens: AgentTokenStore, now: () => number): Promise<void> {
  // Another module (Loki tail) may have registered the plugin on this instance already.
  if (!app.hasDecorator('websocketServer')) await app.register(websocket, { options: { maxPayload: 4 * 1024 * 1024 } });
  app.get(
    AGENT_PATH,
    {
      websocket: true,
      config: { public: true },
      preValidation: async (req) => {
        const m = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
        const token = m === null ? undefined : await tokens.verify(m[1]!, now());
        if (token === undefined) throw new IchigenError('UNAUTHENTICATED', 'agent token unknown or revoked');
        (req as unknown as { agentToken: unknown }).agentToken = token;
      },
    },
    (socket, req) => {
      const token = (req as unknown as { agentToken: { id: string; tenant: string; key: string } }).agentToken;
      hub.attach(socket, token);
    },
  );
}
