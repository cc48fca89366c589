import { formatExpr, parseExpr, type Dialect } from '../../../query/index.js';
import { success } from '../envelope.js';
import { invalidParam, param, params } from '../params.js';
import type { PrometheusEndpoint } from '../deps.js';

/** `GET|POST /api/v1/format_query`: the query in canonical form. */
export const formatQueryEndpoint: PrometheusEndpoint = (app, deps) => {
  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/format_query',
    config: { scope: 'read' },
    handler: async (request) => {
      const p = params(request);
      return success(formatExpr(parseQueryParam(param(p, 'query'), deps.engine?.options.compatibility)));
    },
  });
};

/** Parses the `query` parameter in the engine's dialect; a parse error names the parameter as Prometheus does. */
export function parseQueryParam(query: string, dialect?: Dialect): ReturnType<typeof parseExpr> {
  try {
    return parseExpr(query, dialect);
  } catch (e) {
    throw invalidParam('query', (e as Error).message);
  }
}
