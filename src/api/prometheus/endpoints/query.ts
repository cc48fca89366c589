import { IchigenError } from '../../../model/index.js';
import type { QueryResult } from '../../../query/index.js';
import { envelopeJson, queryDataJson } from '../result-json.js';
import { durationParam, invalidParam, limitParam, param, params, parseTimeValue } from '../params.js';
import type { PrometheusEndpoint } from '../deps.js';

/**
 * Runs an engine call, naming the `query` parameter in parse errors as Prometheus does.
 * (Prometheus 2's query_range did not: its errors there are plain `bad_data`.)
 */
export async function runQuery(f: () => Promise<QueryResult>, nameParam = true): Promise<QueryResult> {
  try {
    return await f();
  } catch (e) {
    if (nameParam && e instanceof IchigenError && e.code === 'PARSE_ERROR') throw invalidParam('query', e.message);
    throw e;
  }
}

export function optionalTimeout(p: Record<string, string | string[]>): number | undefined {
  return param(p, 'timeout') === '' ? undefined : durationParam(p, 'timeout');
}

/** All parameters of a request as a form, for forwarding. */
export function formOf(p: Record<string, string | string[]>): URLSearchParams {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) for (const x of Array.isArray(v) ? v : [v]) form.append(k, x);
  return form;
}

/** `GET|POST /api/v1/query`: an instant query. */
export const queryEndpoint: PrometheusEndpoint = (app, deps) => {
  const { store, engine } = deps;
  if (store === undefined || engine === undefined) return;
  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/query',
    config: { scope: 'read' },
    handler: async (request, reply) => {
      const p = params(request);
      if (deps.forward) {
        const a = await deps.forward(request.tenant, '/api/v1/query', formOf(p));
        return reply.status(a.status).type(a.contentType).send(a.body);
      }
      let time = Date.now();
      const t = param(p, 'time');
      if (t !== '') {
        try {
          time = parseTimeValue(t);
        } catch (e) {
          throw invalidParam('time', `Invalid time value for 'time': ${(e as Error).message}`);
        }
      }
      const timeout = optionalTimeout(p);
      const limit = limitParam(p);
      const r = await runQuery(() => engine.instantQuery({ querier: store.querier(request.tenant), query: param(p, 'query'), timeout, limit }, time));
      return reply.type('application/json').send(envelopeJson(queryDataJson(r.value), r.warnings, r.infos));
    },
  });
};
