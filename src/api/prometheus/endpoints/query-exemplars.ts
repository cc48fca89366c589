import type { Expr, VectorSelector } from '../../../query/index.js';
import { labelsToRecord } from '../../../model/index.js';
import { formatSampleValue } from '../../../query/index.js';
import { success } from '../envelope.js';
import { param, params, timeParam } from '../params.js';
import type { PrometheusEndpoint } from '../deps.js';
import { parseQueryParam } from './format-query.js';
import { formOf } from './query.js';

function selectors(e: Expr, out: VectorSelector[]): VectorSelector[] {
  switch (e.type) {
    case 'vectorSelector':
      out.push(e);
      break;
    case 'matrixSelector':
      out.push(e.vector);
      break;
    case 'subquery':
    case 'paren':
    case 'unary':
      selectors(e.expr, out);
      break;
    case 'call':
      for (const a of e.args) selectors(a, out);
      break;
    case 'aggregate':
      selectors(e.expr, out);
      if (e.param) selectors(e.param, out);
      break;
    case 'binary':
      selectors(e.lhs, out);
      selectors(e.rhs, out);
      break;
    default:
      break;
  }
  return out;
}

/** `GET|POST /api/v1/query_exemplars`: exemplars of every selector in the query. */
export const queryExemplarsEndpoint: PrometheusEndpoint = (app, deps) => {
  const { store } = deps;
  if (store === undefined) return;
  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/query_exemplars',
    config: { scope: 'read' },
    handler: async (request, reply) => {
      const p = params(request);
      if (deps.forward) {
        const a = await deps.forward(request.tenant, '/api/v1/query_exemplars', formOf(p));
        return reply.status(a.status).type(a.contentType).send(a.body);
      }
      const start = timeParam(p, 'start', -9223372036854);
      const end = timeParam(p, 'end', 9223372036854);
      const expr = parseQueryParam(param(p, 'query'), deps.engine?.options.compatibility);
      const querier = store.querier(request.tenant);
      const seen = new Set<string>();
      const data: Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Readonly<Record<string, string>>; value: string; timestamp: number }> }> = [];
      for (const vs of selectors(expr, [])) {
        for (const s of await querier.exemplars(vs.matchers, start, end)) {
          const key = JSON.stringify(s.labels);
          if (seen.has(key)) continue;
          seen.add(key);
          data.push({
            seriesLabels: labelsToRecord(s.labels),
            exemplars: s.exemplars.map((e) => ({ labels: e.labels, value: formatSampleValue(e.value), timestamp: e.timestamp / 1000 })),
          });
        }
      }
      return success(data);
    },
  });
};
