import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import type { ServerContext, ServerModule } from './module.js';

/**
 * The paths the single-page app owns; each answers index.html so a reload or a shared link
 * lands on the right page. Only these (not every unknown path) fall back to the app, so an
 * unknown API path still gets the API's own 401/404 JSON.
 */
export const UI_ROUTES = ['/', '/login', '/overview', '/explore/*', '/dashboards', '/dashboards/*', '/alerts', '/alerts/*', '/automation', '/automation/*', '/settings', '/settings/*'] as const;

/** Finds web/dist from src/server (tsx) or dist/src/server (built). */
export function findWebDist(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const candidate = path.join(dir, 'web', 'dist');
    if (existsSync(path.join(candidate, 'index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  return undefined;
}

/**
 * Serves the web UI's static files on the main port. The files are public (the login page
 * must load before anyone signs in); every API call they make is authenticated as usual.
 * Hashed assets are cached for a year; index.html is always revalidated so a new build shows.
 */
export function createWebUiModule(ctx: ServerContext, root: string | undefined = findWebDist()): ServerModule {
  return {
    name: 'web-ui',
    async routes(app: FastifyInstance): Promise<void> {
      if (root === undefined) {
        ctx.log.warn('web UI not built (web/dist missing): run `npm run build`; the APIs work without it');
        return;
      }
      await app.register(async (ui) => {
        // Routes registered inside this plugin only: mark them public for the auth hook.
        ui.addHook('onRoute', (route) => {
          route.config = { ...(route.config ?? {}), public: true };
        });
        await ui.register(fastifyStatic, {
          root,
          prefix: '/',
          wildcard: false,
          index: false,
          preCompressed: true,
          cacheControl: false,
          setHeaders: (res, file) => {
            const immutable = file.includes(`${path.sep}assets${path.sep}`);
            void res.header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
            void res.header('x-content-type-options', 'nosniff');
          },
        });
        for (const route of UI_ROUTES) {
          ui.get(route, async (_req, reply) => {
            void reply.header('cache-control', 'no-cache');
            void reply.header('x-frame-options', 'DENY');
            return reply.sendFile('index.html');
          });
        }
      });
    },
  };
}
