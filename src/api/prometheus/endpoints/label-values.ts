import { IchigenError, isValidLabelName } from '../../../model/index.js';
import type { PrometheusEndpoint } from '../deps.js';
import { success } from '../envelope.js';
import { params } from '../params.js';
import { matchersParam, rangeParams, seriesLimitParam, truncate } from './series-params.js';
import { requireStore } from './require-store.js';

/** `GET /api/v1/label/<name>/values`: values of one label on the matching series. */
export const labelValuesEndpoint: PrometheusEndpoint = (app, deps) => {
  app.route({
    method: ['GET'],
    url: '/api/v1/label/:name/values',
    config: { scope: 'read' },
    handler: async (request) => {
      let name = (request.params as { name: string }).name;
      // Prometheus 3 accepts U__-escaped names (UTF-8 label names); plain names pass as they are.
      if (name.startsWith('U__')) name = unescapeName(name);
      if (!isValidLabelName(name) && name !== '__name__') throw new IchigenError('BAD_REQUEST', `invalid label name: ${JSON.stringify(name)}`);
      const p = params(request);
      const selectors = matchersParam(p);
      const { start, end } = rangeParams(p);
      const limit = seriesLimitParam(p);
      const values = await requireStore(deps)
        .querier(request.tenant)
        .labelValues(name, { selectors, start, end, limit: limit > 0 ? limit + 1 : 0 });
      const { items, warnings } = truncate(values, limit);
      return success(items, warnings);
    },
  });
};

/** Reverses Prometheus' U__ escaping: `_xx_` hex code points, `__` for `_`. */
function unescapeName(s: string): string {
  const body = s.slice(3);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '_') {
      out += c;
      continue;
    }
    if (body[i + 1] === '_') {
      out += '_';
      i++;
      continue;
    }
    const end = body.indexOf('_', i + 1);
    if (end < 0) return s;
    const code = Number.parseInt(body.slice(i + 1, end), 16);
    if (!Number.isFinite(code)) return s;
    out += String.fromCodePoint(code);
    i = end;
  }
  return out;
}
