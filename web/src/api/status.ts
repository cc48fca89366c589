import { z } from 'zod';
import { envelope } from './schemas.js';
import { request } from './client.js';

const signal = z.object({ backend: z.string(), bytes: z.number().nullable(), complete: z.boolean(), retentionMs: z.number(), retentionBytes: z.number() });
export const storageSchema = z.object({
  dataDir: z.string(),
  metrics: signal,
  logs: signal,
  traces: signal,
  events: z.object({ retentionMs: z.number() }),
  state: z.object({ backend: z.string(), bytes: z.number().nullable() }),
});
export type StorageStatus = z.infer<typeof storageSchema>;

/** Where a signal is stored: a directory (embedded), or a remote backend's URLs without credentials. */
const storeSchema = z.object({
  backend: z.string(),
  dir: z.string().optional(),
  writeUrl: z.string().optional(),
  queryUrl: z.string().optional(),
  bearerToken: z.boolean().optional(),
  tenantHeader: z.boolean().optional(),
  timeoutMs: z.number().optional(),
});
export const datasourcesSchema = z.object({
  metrics: storeSchema.extend({ selfScrapeIntervalMs: z.number(), scrapeJobs: z.number() }),
  logs: storeSchema,
  traces: storeSchema.extend({ spanMetrics: z.boolean(), spanMetricsIntervalMs: z.number() }),
  state: z.object({ backend: z.string(), url: z.string().optional(), path: z.string().optional(), poolSize: z.number().optional() }),
});
export type Datasources = z.infer<typeof datasourcesSchema>;

export const statusApi = {
  storage: async (signal?: AbortSignal): Promise<StorageStatus> => (await request('/api/ichigen/v1/status/storage', envelope(storageSchema), { signal })).data,
  datasources: async (signal?: AbortSignal): Promise<Datasources> => (await request('/api/ichigen/v1/status/datasources', envelope(datasourcesSchema), { signal })).data,
};
