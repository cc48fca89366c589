import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseBytes, tryParseDuration } from '../../model/index.js';
import { compileRelabelConfig, relabelConfigSchema, type RelabelRule } from '../relabel/index.js';

const durationString = z.string().refine((s) => tryParseDuration(s) !== undefined, { message: 'expected a duration such as 15s or 1m' });

const tlsSchema = z
  .object({
    ca_file: z.string().optional(),
    cert_file: z.string().optional(),
    key_file: z.string().optional(),
    server_name: z.string().optional(),
    insecure_skip_verify: z.boolean().optional(),
  })
  .strict();

const targetGroupSchema = z.object({ targets: z.array(z.string()).default([]), labels: z.record(z.string()).default({}) }).strict();

/** One `scrape_configs` entry in Prometheus' own syntax (the subset documented in the README). */
export const scrapeConfigSchema = z
  .object({
    job_name: z.string().min(1),
    scrape_interval: durationString.optional(),
    scrape_timeout: durationString.optional(),
    metrics_path: z.string().default('/metrics'),
    scheme: z.enum(['http', 'https']).default('http'),
    params: z.record(z.array(z.string())).default({}),
    honor_labels: z.boolean().default(false),
    honor_timestamps: z.boolean().default(true),
    basic_auth: z.object({ username: z.string().default(''), password: z.string().optional(), password_file: z.string().optional() }).strict().optional(),
    authorization: z.object({ type: z.string().default('Bearer'), credentials: z.string().optional(), credentials_file: z.string().optional() }).strict().optional(),
    tls_config: tlsSchema.optional(),
    static_configs: z.array(targetGroupSchema).default([]),
    file_sd_configs: z.array(z.object({ files: z.array(z.string()).min(1), refresh_interval: durationString.default('5m') }).strict()).default([]),
    relabel_configs: z.array(relabelConfigSchema).default([]),
    metric_relabel_configs: z.array(relabelConfigSchema).default([]),
    sample_limit: z.number().int().nonnegative().default(0),
    body_size_limit: z.union([z.string(), z.number()]).default(0),
  })
  .strict();

export type ScrapeConfigInput = z.input<typeof scrapeConfigSchema>;
export type TargetGroupInput = z.infer<typeof targetGroupSchema>;
export { targetGroupSchema };

/** A job ready to run: durations in ms, rules compiled, secrets read. */
export interface ScrapeJob {
  readonly jobName: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly metricsPath: string;
  readonly scheme: 'http' | 'https';
  readonly params: Readonly<Record<string, readonly string[]>>;
  readonly honorLabels: boolean;
  readonly honorTimestamps: boolean;
  readonly authorization: string | undefined;
  readonly tls: { ca?: string; cert?: string; key?: string; serverName?: string; insecureSkipVerify?: boolean } | undefined;
  readonly staticConfigs: readonly TargetGroupInput[];
  readonly fileSd: ReadonlyArray<{ files: readonly string[]; refreshMs: number }>;
  readonly relabel: readonly RelabelRule[];
  readonly metricRelabel: readonly RelabelRule[];
  readonly sampleLimit: number;
  readonly bodySizeLimit: number;
}

export interface ScrapeDefaults {
  readonly intervalMs: number;
  readonly timeoutMs: number;
}

/** Validates and compiles scrape configs; errors name the job and the field. */
export function compileScrapeConfigs(raw: unknown, defaults: ScrapeDefaults): ScrapeJob[] {
  const list = z.array(scrapeConfigSchema).safeParse(raw ?? []);
  if (!list.success) {
    const issue = list.error.issues[0]!;
    throw new Error(`scrape_configs.${issue.path.join('.')}: ${issue.message}`);
  }
  const seen = new Set<string>();
  return list.data.map((c) => {
    if (seen.has(c.job_name)) throw new Error(`found multiple scrape configs with job name "${c.job_name}"`);
    seen.add(c.job_name);
    const where = (e: unknown): Error => new Error(`scrape config "${c.job_name}": ${(e as Error).message}`);
    const intervalMs = c.scrape_interval ? tryParseDuration(c.scrape_interval)! : defaults.intervalMs;
    const timeoutMs = c.scrape_timeout ? tryParseDuration(c.scrape_timeout)! : Math.min(defaults.timeoutMs, intervalMs);
    if (timeoutMs > intervalMs) throw where(new Error(`scrape timeout greater than scrape interval`));
    let authorization: string | undefined;
    try {
      if (c.basic_auth && c.authorization) throw new Error('at most one of basic_auth and authorization must be configured');
      if (c.basic_auth) {
        const pw = c.basic_auth.password_file ? readFileSync(c.basic_auth.password_file, 'utf8').trim() : (c.basic_auth.password ?? '');
        authorization = `Basic ${Buffer.from(`${c.basic_auth.username}:${pw}`).toString('base64')}`;
      } else if (c.authorization) {
        const cred = c.authorization.credentials_file ? readFileSync(c.authorization.credentials_file, 'utf8').trim() : (c.authorization.credentials ?? '');
        authorization = `${c.authorization.type} ${cred}`;
      }
      const t = c.tls_config;
      const tls = t
        ? {
            ...(t.ca_file ? { ca: readFileSync(t.ca_file, 'utf8') } : {}),
            ...(t.cert_file ? { cert: readFileSync(t.cert_file, 'utf8') } : {}),
            ...(t.key_file ? { key: readFileSync(t.key_file, 'utf8') } : {}),
            ...(t.server_name ? { serverName: t.server_name } : {}),
            ...(t.insecure_skip_verify !== undefined ? { insecureSkipVerify: t.insecure_skip_verify } : {}),
          }
        : undefined;
      return {
        jobName: c.job_name,
        intervalMs,
        timeoutMs,
        metricsPath: c.metrics_path,
        scheme: c.scheme,
        params: c.params,
        honorLabels: c.honor_labels,
        honorTimestamps: c.honor_timestamps,
        authorization,
        tls,
        staticConfigs: c.static_configs,
        fileSd: c.file_sd_configs.map((f) => ({ files: f.files, refreshMs: tryParseDuration(f.refresh_interval)! })),
        relabel: c.relabel_configs.map(compileRelabelConfig),
        metricRelabel: c.metric_relabel_configs.map(compileRelabelConfig),
        sampleLimit: c.sample_limit,
        bodySizeLimit: typeof c.body_size_limit === 'number' ? c.body_size_limit : parseBytes(c.body_size_limit),
      };
    } catch (e) {
      throw where(e);
    }
  });
}
