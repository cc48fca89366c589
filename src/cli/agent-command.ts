import { runAgent } from '../automation/index.js';
import { createLogger } from '../self/index.js';
import { UsageError } from './args.js';
import { parseArgs } from 'node:util';
import { packageVersion } from '../self/index.js';

/**
 * `ichigen agent --server URL --token T [--label k=v]… [--name N] [--concurrency N] [--allow-runbook NAME]…`
 * The token may come from ICHIGEN_AGENT_TOKEN instead, so it does not show in `ps`.
 */
export async function agentCommand(argv: string[]): Promise<number> {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    values = parseArgs({
      args: argv,
      options: {
        server: { type: 'string' },
        token: { type: 'string' },
        label: { type: 'string', multiple: true },
        name: { type: 'string' },
        concurrency: { type: 'string' },
        'allow-runbook': { type: 'string', multiple: true },
        'log-level': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const server = values.server as string | undefined;
  const token = (values.token as string | undefined) ?? process.env.ICHIGEN_AGENT_TOKEN;
  if (server === undefined || !/^https?:\/\//.test(server)) throw new UsageError('--server http(s)://HOST:PORT is required');
  if (token === undefined || token === '') throw new UsageError('--token (or ICHIGEN_AGENT_TOKEN) is required');
  const labels: Record<string, string> = {};
  for (const l of (values.label as string[] | undefined) ?? []) {
    const i = l.indexOf('=');
    if (i <= 0) throw new UsageError(`--label must be key=value, got "${l}"`);
    labels[l.slice(0, i)] = l.slice(i + 1);
  }
  const concurrency = Number((values.concurrency as string | undefined) ?? '2');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 64) throw new UsageError('--concurrency must be an integer from 1 to 64');
  const log = createLogger({ level: (values['log-level'] as string | undefined) ?? 'info' });
  let stop!: () => void;
  const stopped = new Promise<void>((r) => (stop = r));
  process.on('SIGTERM', () => stop());
  process.on('SIGINT', () => stop());
  const allow = values['allow-runbook'] as string[] | undefined;
  return runAgent({
    server,
    token,
    labels,
    maxConcurrency: concurrency,
    ...(values.name !== undefined ? { name: values.name as string } : {}),
    ...(allow !== undefined ? { allowRunbooks: allow } : {}),
    version: packageVersion(),
    log: (level, msg, fields) => log[level](fields ?? {}, msg),
    stop: stopped,
  });
}
