import { z } from 'zod';
import { request } from './client.js';

const labels = z.record(z.string());
export const activeTargetSchema = z.object({
  discoveredLabels: labels,
  labels,
  scrapePool: z.string(),
  scrapeUrl: z.string(),
  lastError: z.string(),
  lastScrape: z.string(),
  lastScrapeDuration: z.number(),
  health: z.enum(['up', 'down', 'unknown']),
  scrapeInterval: z.string(),
  scrapeTimeout: z.string(),
});
export type ActiveTarget = z.infer<typeof activeTargetSchema>;
const targetsAnswer = z.object({ status: z.literal('success'), data: z.object({ activeTargets: z.array(activeTargetSchema), droppedTargets: z.array(z.object({ discoveredLabels: labels })) }) });
export type TargetsData = z.infer<typeof targetsAnswer>['data'];

/** Prometheus' `/api/v1/targets`: what the scrape configuration scrapes and what relabelling dropped. */
export async function fetchTargets(signal?: AbortSignal): Promise<TargetsData> {
  return (await request('/api/v1/targets', targetsAnswer, { signal })).data;
}
