import { durationParam, limitParam, param, params, timeParam } from '../params.js';
import { envelopeJson, queryDataJson } from '../result-json.js';
import type { PrometheusEndpoint } from '../deps.js';
import { formOf, optionalTimeout, runQuery } from './query.js';

/** `GET|POST /api/v1/query_range`: a range query (start, end, step). */
export const queryRangeEndpoint: PrometheusEndpoint = (app, deps) => {
  const { store, engine } = deps;
  if (store === undefined || engine === undefined) return;
  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/query_range',
    config: { scope: 'read' },
    handler: async (request, reply) => {
      const p = params(request);
      if (deps.forward) {
        const a = await deps.forward(request.tenant, '/api/v1/query_range', formOf(p));
        return reply.status(a.status).type(a.contentType).send(a.body);
      }
      const start = timeParam(p, 'start');
      const end = timeParam(p, 'end');
      const step = durationParam(p, 'step');
      const timeout = optionalTimeout(p);
      const limit = limitParam(p);
      const r = await runQuery(
        () => engine.rangeQuery({ querier: store.querier(request.tenant), query: param(p, 'query'), timeout, limit }, start, end, step),
        engine.options.compatibility === 'prometheus3',
      );
      return reply.type('application/json').send(envelopeJson(queryDataJson(r.value), r.warnings, r.infos));
    },
  });
};
