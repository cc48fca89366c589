import { isRole, isScope, type Scope } from '../model/index.js';
import { createAuthService } from '../auth/index.js';
import { migrateToLatest, openStateDb, writeAudit } from '../state/index.js';
import { embeddedMetricOptions, loadConfig, startServer, type Config } from '../server/index.js';
import { EmbeddedMetricStore } from '../store/index.js';
import path from 'node:path';
import { UsageError, parse, requireString } from './args.js';
import { readSecret } from './read-secret.js';
import { describePortConflict } from './start-failure.js';
import { tuneGarbageCollection } from './gc-tuning.js';

const CONFIG_FLAGS = {
  config: { type: 'string' },
  'data-dir': { type: 'string' },
  listen: { type: 'string' },
} as const;

function configFrom(values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): Config {
  const file = (values.config as string | undefined) ?? (env.ICHIGEN_CONFIG !== undefined && env.ICHIGEN_CONFIG !== '' ? env.ICHIGEN_CONFIG : undefined);
  return loadConfig({
    ...(file === undefined ? {} : { file }),
    env,
    overrides: { 'storage.data_dir': values['data-dir'], 'server.listen': values.listen },
  });
}

export async function startCommand(argv: string[]): Promise<number> {
  tuneGarbageCollection();
  const { values } = parse(argv, CONFIG_FLAGS);
  const config = configFrom(values, process.env);
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer(config, {
      onGeneratedAdminPassword: (pw) => {
        // Printed once to the console, deliberately not through the logger (logs are kept).
        process.stderr.write(
          `\n  Ichigen created the first user.\n    username: admin\n    password: ${pw}\n  Sign in at http://localhost:${new URL(`http://${config.server.listen}`).port || '8910'}/ and change it.\n\n`,
        );
      },
    });
  } catch (err) {
    const conflict = describePortConflict(err, config);
    if (conflict === undefined) throw err;
    process.stderr.write(`ichigen: cannot start: ${conflict}\n`);
    return 1;
  }
  return new Promise<number>((resolve) => {
    let signalled = false;
    const onSignal = (sig: NodeJS.Signals): void => {
      if (signalled) return;
      signalled = true;
      server.ctx.log.info({ signal: sig }, 'received signal');
      const timer = setTimeout(() => {
        server.ctx.log.error('shutdown took longer than server.shutdown_timeout; exiting');
        resolve(1);
      }, config.server.shutdown_timeout);
      timer.unref();
      server.stop().then(
        () => resolve(0),
        (err: unknown) => {
          server.ctx.log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
    // A module that cannot start (a busy OTLP port, a store that cannot open) would leave the
    // process serving 503 on /-/ready forever: say why on the console, stop, exit 1.
    server.started.catch((err: unknown) => {
      if (signalled) return;
      signalled = true;
      const conflict = describePortConflict(err, config);
      process.stderr.write(`ichigen: cannot start: ${conflict ?? (err instanceof Error ? err.message : String(err))}\n`);
      // Exit 1 even when stopping a half-started server leaves nothing for the event loop to
      // wait on before stop() settles (Node then ends the process with process.exitCode).
      process.exitCode = 1;
      void server.stop().then(
        () => resolve(1),
        () => resolve(1),
      );
    });
  });
}

export function configCheckCommand(argv: string[]): number {
  const { positionals } = parse(argv, {});
  const file = positionals[0];
  if (file === undefined) throw new UsageError('usage: ichigen config check FILE');
  loadConfig({ file, env: process.env });
  process.stdout.write(`${file}: OK\n`);
  return 0;
}

async function withState<T>(values: Record<string, string | boolean | undefined>, fn: (s: ReturnType<typeof openStateDb>, config: Config) => Promise<T>): Promise<T> {
  const config = configFrom(values, process.env);
  const state = openStateDb({ url: config.state.url, dataDir: path.resolve(config.storage.data_dir), poolSize: 2 });
  try {
    await migrateToLatest(state.db);
    return await fn(state, config);
  } finally {
    await state.close();
  }
}

function authOf(state: ReturnType<typeof openStateDb>, config: Config) {
  return createAuthService(state.db, {
    sessionTtlMs: config.auth.session_ttl,
    loginMaxFailures: config.auth.login_max_failures,
    loginWindowMs: config.auth.login_window,
    cookieSecure: config.auth.cookie_secure,
  });
}

async function passwordFrom(values: Record<string, string | boolean | undefined>): Promise<string> {
  if (values['password-stdin'] === true || !process.stdin.isTTY) return (await readSecret('')).trimEnd();
  const a = await readSecret('Password: ');
  const b = await readSecret('Repeat password: ');
  if (a !== b) throw new UsageError('passwords do not match');
  return a;
}

export async function userCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parse(rest, { ...CONFIG_FLAGS, role: { type: 'string' }, 'password-stdin': { type: 'boolean' } });
  const username = positionals[0];
  if ((sub !== 'add' && sub !== 'passwd') || username === undefined) {
    throw new UsageError('usage: ichigen user add NAME --role admin|editor|viewer | ichigen user passwd NAME (password read from stdin or the terminal)');
  }
  return withState(values, async (state, config) => {
    const auth = authOf(state, config);
    if (sub === 'add') {
      const role = requireString(values, 'role');
      if (!isRole(role)) throw new UsageError('--role must be admin, editor or viewer');
      const password = await passwordFrom(values);
      const user = await auth.users.create({ username, password, role });
      await writeAudit(state.db, { tenant: 'default', actor: 'cli', action: 'user.create', target: user.id, details: { username, role } });
      process.stdout.write(`created user ${username} (${role})\n`);
    } else {
      const user = await auth.users.findByUsername(username);
      if (!user) throw new UsageError(`no user named ${username}`);
      await auth.users.setPassword(user.id, await passwordFrom(values));
      await auth.sessions.destroyAllForUser(user.id);
      await writeAudit(state.db, { tenant: 'default', actor: 'cli', action: 'user.password', target: user.id });
      process.stdout.write(`password changed for ${username}; their sessions were ended\n`);
    }
    return 0;
  });
}

export async function tokenCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  const { values } = parse(rest, {
    ...CONFIG_FLAGS,
    name: { type: 'string' },
    scopes: { type: 'string' },
    tenants: { type: 'string' },
    'expires-in-days': { type: 'string' },
  });
  if (sub !== 'create') throw new UsageError('usage: ichigen token create --name NAME --scopes ingest,read[,write,admin] [--tenants default|a,b|*] [--expires-in-days N]');
  const name = requireString(values, 'name');
  const scopes = requireString(values, 'scopes').split(',').map((s) => s.trim());
  const bad = scopes.filter((s) => !isScope(s));
  if (bad.length > 0) throw new UsageError(`unknown scope(s): ${bad.join(', ')} (use ingest, read, write, admin)`);
  const tenantsText = (values.tenants as string | undefined) ?? 'default';
  const tenants = tenantsText === '*' ? '*' : tenantsText.split(',').map((t) => t.trim()).filter((t) => t !== '');
  const days = values['expires-in-days'] === undefined ? undefined : Number(values['expires-in-days']);
  if (days !== undefined && (!Number.isInteger(days) || days <= 0)) throw new UsageError('--expires-in-days must be a positive integer');
  return withState(values, async (state, config) => {
    const auth = authOf(state, config);
    const { token, secret } = await auth.tokens.create({
      name,
      scopes: scopes as Scope[],
      tenants,
      createdBy: 'cli',
      ...(days === undefined ? {} : { expiresAt: Date.now() + days * 86_400_000 }),
    });
    await writeAudit(state.db, { tenant: 'default', actor: 'cli', action: 'token.create', target: token.id, details: { name, scopes, tenants } });
    // The secret goes to stdout alone, so `TOKEN=$(ichigen token create …)` works.
    process.stderr.write(`created token "${name}" (id ${token.id}, scopes ${scopes.join(',')}); it is shown only once:\n`);
    process.stdout.write(`${secret}\n`);
    return 0;
  });
}

/**
 * `ichigen metrics compact`: with the server stopped, flushes what the log holds, merges
 * every window's small chunks (the current one too) and rewrites the DuckDB file without
 * free blocks. For a compact copy before a backup, or to give disk space back after a
 * large retention cut; the running server compacts closed windows by itself.
 */
export async function metricsCommand(argv: string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'compact') throw new UsageError('usage: ichigen metrics compact [--config FILE] [--data-dir DIR]');
  const { values } = parse(rest, CONFIG_FLAGS);
  const config = configFrom(values, process.env);
  if (config.metrics.backend !== 'embedded') throw new UsageError('metrics.backend is remote: there is no embedded metric store to compact');
  const options = embeddedMetricOptions(config, path.resolve(config.storage.data_dir));
  const store = new EmbeddedMetricStore(options);
  try {
    await store.open();
  } catch (e) {
    throw new UsageError(`cannot open the metric store in ${options.dir} (is the server still running?): ${(e as Error).message}`);
  }
  let stats;
  try {
    stats = await store.compact(true);
  } finally {
    await store.close();
  }
  const sizes = await EmbeddedMetricStore.vacuum(options.dir);
  const mib = (n: number): string => `${(n / 1048576).toFixed(1)} MiB`;
  process.stdout.write(
    `compacted ${stats.series} series in ${stats.windows} windows: ${stats.chunksBefore} chunks into ${stats.chunksAfter}; ${options.dir}/metrics.duckdb ${mib(sizes.before)} -> ${mib(sizes.after)}\n`,
  );
  return 0;
}
