import type { FastifyInstance } from 'fastify';

export interface Readiness {
  ready: boolean;
  stopping: boolean;
}

/** `/-/healthy` and `/-/ready`, the only routes that need no credentials (as in Prometheus). */
export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  // Fastify answers HEAD for every GET route by itself.
  for (const method of ['GET'] as const) {
    app.route({ method, url: '/-/healthy', config: { public: true }, handler: async (_req, reply) => reply.type('text/plain').send('Ichigen is Healthy.\n') });
    app.route({
      method,
      url: '/-/ready',
      config: { public: true },
      handler: async (_req, reply) => {
        if (readiness.ready && !readiness.stopping) return reply.type('text/plain').send('Ichigen is Ready.\n');
        return reply.status(503).type('text/plain').send(readiness.stopping ? 'Ichigen is shutting down.\n' : 'Ichigen is starting: storage is not open yet.\n');
      },
    });
  }
}
