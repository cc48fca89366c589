import { formatExpr, parseExpr } from '../../../query/index.js';
import { success } from '../envelope.js';
import { invalidParam, param, params } from '../params.js';
import type { PrometheusEndpoint } from '../deps.js';

/** `GET|POST /api/v1/format_query`: the query in canonical form. */
export const formatQueryEndpoint: PrometheusEndpoint = (app) => {
  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/format_query',
    config: { scope: 'read' },
    handler: async (request) => {
      const p = params(request);
      return success(formatExpr(parseQueryParam(param(p, 'query'))));
    },
  });
};

/** Parses the `query` parameter; a parse error names the parameter as Prometheus does. */
export function parseQueryParam(query: string): ReturnType<typeof parseExpr> {
  try {
    return parseExpr(query);
  } catch (e) {
    throw invalidParam('query', (e as Error).message);
  }
}
