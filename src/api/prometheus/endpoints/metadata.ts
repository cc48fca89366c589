import { IchigenError } from '../../../model/index.js';
import type { PrometheusEndpoint } from '../deps.js';
import { success } from '../envelope.js';
import { param, params } from '../params.js';
import { requireStore } from './require-store.js';

/** `GET /api/v1/metadata`: `{metric: [{type, help, unit}]}` with optional `metric` and `limit`. */
export const metadataEndpoint: PrometheusEndpoint = (app, deps) => {
  app.route({
    method: ['GET'],
    url: '/api/v1/metadata',
    config: { scope: 'read' },
    handler: async (request) => {
      const p = params(request);
      let limit = -1;
      const l = param(p, 'limit');
      if (l !== '') {
        limit = Number(l);
        if (!/^[+-]?\d+$/.test(l)) throw new IchigenError('BAD_REQUEST', 'limit must be a number');
      }
      const metric = param(p, 'metric');
      const found = await requireStore(deps).metadata(request.tenant, metric === '' ? undefined : metric, limit > 0 ? limit : undefined);
      const out: Record<string, Array<{ type: string; help: string; unit: string }>> = {};
      for (const [name, list] of Object.entries(found)) {
        if (limit === 0) break;
        out[name] = list.map((m) => ({ type: m.type, help: m.help, unit: m.unit }));
      }
      return success(out);
    },
  });
};
