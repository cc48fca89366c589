import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/process.js';

/**
 * `npm start` on a machine where a port is taken (a local OpenTelemetry Collector holds
 * 4317/4318, another service 8910): the process must say which setting to change and exit,
 * not keep running half-started with /-/ready at 503.
 */
let busy: Server;
let busyAddress: string;
const dirs: string[] = [];

beforeAll(async () => {
  busy = createServer();
  await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
  const a = busy.address() as { port: number };
  busyAddress = `127.0.0.1:${a.port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => busy.close(() => resolve()));
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function startWith(env: Record<string, string>): Promise<{ code: number | string; stderr: string }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-cli-start-'));
  dirs.push(dir);
  const proc = runCli(['start'], { ICHIGEN_DATA_DIR: dir, ICHIGEN_ADMIN_PASSWORD: 'cli-start-password', ICHIGEN_LISTEN: '127.0.0.1:0', ICHIGEN_LOG_LEVEL: 'warn', ...env });
  const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000);
  const code = await proc.exited;
  clearTimeout(timer);
  return { code, stderr: proc.stderr() };
}

describe('ichigen start with a port already in use', () => {
  it('names the OTLP/HTTP setting and exits 1', async () => {
    const { code, stderr } = await startWith({ ICHIGEN_OTLP_HTTP_LISTEN: busyAddress });
    expect(code).toBe(1);
    expect(stderr).toContain(`ichigen: cannot start: address ${busyAddress} (otlp.http_listen) is already in use by another program`);
    expect(stderr).toContain('ICHIGEN_OTLP_HTTP_LISTEN');
  }, 90_000);

  it('names the OTLP/gRPC setting and exits 1', async () => {
    const { code, stderr } = await startWith({ ICHIGEN_OTLP_GRPC_LISTEN: busyAddress });
    expect(code).toBe(1);
    expect(stderr).toContain('(otlp.grpc_listen) is already in use');
  }, 90_000);

  it('names the main port setting and exits 1', async () => {
    const { code, stderr } = await startWith({ ICHIGEN_LISTEN: busyAddress });
    expect(code).toBe(1);
    expect(stderr).toContain(`address ${busyAddress} (server.listen) is already in use by another program: stop it, or set server.listen (ICHIGEN_LISTEN or --listen) to another address\n`);
  }, 90_000);
});
