import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './postgres.js';
import { waitFor } from './process.js';

/** A real peer binary (Prometheus, Alertmanager) in a temp dir on a free loopback port. */
export interface Peer {
  readonly url: string;
  readonly dir: string;
  output(): string;
  stop(): Promise<void>;
}

async function startPeer(bin: string, args: (dir: string, port: number) => string[], files: Record<string, string>, readyPath: string): Promise<Peer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-peer-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  const port = await freePort();
  const child: ChildProcess = spawn(bin, args(dir, port), { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => ((await fetch(url + readyPath)).ok ? true : undefined), `${bin} ready`, 30_000);
  } catch (err) {
    await stop();
    throw new Error(`${String(err)}\n${out}`);
  }
  return { url, dir, output: () => out, stop };
}

/** Prometheus 2.42 with the given config and rule files (evaluation every second). */
export function startPrometheus(config: string, files: Record<string, string> = {}): Promise<Peer> {
  return startPeer(
    '/usr/bin/prometheus',
    (dir, port) => [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--rules.alert.resend-delay=1s'],
    { 'prometheus.yml': config, ...files },
    '/-/ready',
  );
}

/** Alertmanager 0.25, clustering off, with the given config. */
export function startAlertmanager(config: string): Promise<Peer> {
  return startPeer(
    '/usr/bin/prometheus-alertmanager',
    (dir, port) => [`--config.file=${path.join(dir, 'am.yml')}`, `--storage.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    { 'am.yml': config },
    '/-/ready',
  );
}
