import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import path from 'node:path';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(REPO_ROOT, 'dist/src/cli/main.js');

export interface Proc {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
  kill(signal?: NodeJS.Signals): void;
}

/** Runs the built CLI (`npm test` builds first) as a real child process. */
export function runCli(args: string[], env: Record<string, string> = {}, input?: string, nodeArgs: string[] = []): Proc {
  const child = spawn(process.execPath, [...nodeArgs, CLI, ...args], {
    // Random OTLP ports unless a test sets them: parallel servers must not collide on 4317/4318.
    env: { ICHIGEN_OTLP_HTTP_LISTEN: '127.0.0.1:0', ICHIGEN_OTLP_GRPC_LISTEN: '127.0.0.1:0', ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  if (input !== undefined) child.stdin!.end(input);
  else child.stdin!.end();
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, sig) => resolve(code ?? sig ?? -1)));
  return { child, stdout: () => out, stderr: () => err, exited, kill: (s = 'SIGTERM') => void child.kill(s) };
}

export async function waitFor<T>(fn: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < until) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${lastErr ? `: ${String(lastErr)}` : ''}`);
}

export async function waitReady(baseUrl: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(async () => ((await fetch(`${baseUrl}/-/ready`)).status === 200 ? true : undefined), `${baseUrl}/-/ready`, timeoutMs);
}

/**
 * POSTs a body and returns the answer even when the server answers early and closes the
 * connection while the body is still being written (413 on Content-Length): fetch would
 * surface that as EPIPE instead of the response.
 */
export function postRaw(url: string, headers: Record<string, string>, body: Buffer): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') reject(e);
    });
    req.end(body);
  });
}
