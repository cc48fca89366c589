import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLogger } from '../../src/self/index.js';
import { loadConfig, startServer, type RunningServer } from '../../src/server/index.js';

export const TEST_ADMIN_PASSWORD = 'test-admin-password';

export interface TestServer {
  readonly server: RunningServer;
  readonly url: string;
  readonly dataDir: string;
  /** An API token with every scope, for the default tenant and all others. */
  readonly adminToken: string;
  /** fetch against the server with the admin token (unless headers.authorization is given). */
  fetch(pathAndQuery: string, init?: RequestInit): Promise<Response>;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  /** Raw config (as in the YAML file) merged over the test defaults. */
  readonly config?: Record<string, unknown>;
  /** Reuse a data directory (restart tests); otherwise a fresh temp dir. */
  readonly dataDir?: string;
  readonly keepDataDir?: boolean;
}

/** Starts a real server in this process on a random loopback port, with a temp data dir. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'ichigen-test-'));
  const raw = options.config ?? {};
  const overrides: Record<string, unknown> = {
    'server.listen': '127.0.0.1:0',
    'storage.data_dir': dataDir,
    'auth.admin_password': TEST_ADMIN_PASSWORD,
    // Tests that count series must not see Ichigen's own metrics appear; enable per test.
    'metrics.self_scrape_interval': '0',
    // Parallel test files must not collide on the OTLP ports: random ones (tests ask the server which).
    'otlp.http_listen': '127.0.0.1:0',
    'otlp.grpc_listen': '127.0.0.1:0',
  };
  const flat = (obj: Record<string, unknown>, prefix = ''): void => {
    for (const [k, v] of Object.entries(obj)) {
      const key = prefix === '' ? k : `${prefix}.${k}`;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) flat(v as Record<string, unknown>, key);
      else overrides[key] = v;
    }
  };
  flat(raw);
  const config = loadConfig({ overrides });
  const server = await startServer(config, { logger: createLogger({ level: process.env.ICHIGEN_TEST_LOG_LEVEL ?? 'silent' }) });
  await server.started;
  const { secret } = await server.ctx.auth.tokens.create({ name: 'test-admin', scopes: ['admin'], tenants: '*' });
  const url = server.url;
  return {
    server,
    url,
    dataDir,
    adminToken: secret,
    fetch: (p, init = {}) => {
      const headers = new Headers(init.headers);
      if (!headers.has('authorization')) headers.set('authorization', `Bearer ${secret}`);
      return fetch(url + p, { ...init, headers });
    },
    stop: async () => {
      await server.stop();
      if (options.keepDataDir !== true && options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
