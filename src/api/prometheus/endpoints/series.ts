import { IchigenError, labelsToRecord } from '../../../model/index.js';
import type { PrometheusEndpoint } from '../deps.js';
import { success } from '../envelope.js';
import { params, paramList } from '../params.js';
import { matchersParam, rangeParams, seriesLimitParam, truncate } from './series-params.js';
import { requireStore } from './require-store.js';

/** `GET|POST /api/v1/series`: label sets of the series matching `match[]` in [start, end]. */
export const seriesEndpoint: PrometheusEndpoint = (app, deps) => {
  app.route({
    method: ['GET', 'POST'],
    url: '/api/v1/series',
    config: { scope: 'read' },
    handler: async (request) => {
      const p = params(request);
      if (paramList(p, 'match[]').length === 0) throw new IchigenError('BAD_REQUEST', 'no match[] parameter provided');
      const selectors = matchersParam(p);
      const { start, end } = rangeParams(p);
      const limit = seriesLimitParam(p);
      const store = requireStore(deps);
      const found = await store.querier(request.tenant).series({ selectors, start, end, limit: limit > 0 ? limit + 1 : 0 });
      const { items, warnings } = truncate(found, limit);
      return success(items.map(labelsToRecord), warnings);
    },
  });
};
