import { astToJson } from '../ast-json.js';
import { success } from '../envelope.js';
import { param, params } from '../params.js';
import type { PrometheusEndpoint } from '../deps.js';
import { parseQueryParam } from './format-query.js';

/** `GET|POST /api/v1/parse_query`: the query's syntax tree as JSON (Prometheus' UI tree view). */
export const parseQueryEndpoint: PrometheusEndpoint = (app, deps) => {
  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/parse_query',
    config: { scope: 'read' },
    handler: async (request) => success(astToJson(parseQueryParam(param(params(request), 'query'), deps.engine?.options.compatibility))),
  });
};
