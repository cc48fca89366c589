import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './postgres.js';
import { waitFor } from './process.js';

/** A real peer process (Prometheus, node_exporter, vmagent, VictoriaMetrics) on loopback. */
export interface Peer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM, then SIGKILL after 5s; removes the temp dir. */
  stop(): Promise<void>;
}

async function startPeer(bin: string, args: (port: number, dir: string) => string[], readyPath: string, files: Record<string, string> = {}): Promise<Peer> {
  const dir = mkdtempSync(path.join(tmpdir(), `ichigen-${path.basename(bin)}-`));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content.replaceAll('$DIR', dir));
  const port = await freePort();
  const child = spawn(bin, args(port, dir), { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20000)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => {
      if (child.exitCode !== null) throw new Error(`${bin} exited: ${out}`);
      return (await fetch(url + readyPath)).status === 200 ? true : undefined;
    }, `${bin} ready`, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, port, dir, child, output: () => out, stop };
}

/** Prometheus 2.42 from Debian, with the remote-write receiver on. `config` is prometheus.yml ($DIR = its temp dir). */
export function startPrometheus(config: string, files: Record<string, string> = {}): Promise<Peer> {
  return startPeer(
    '/usr/bin/prometheus',
    (port, dir) => [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--web.enable-remote-write-receiver',
      '--log.level=warn',
    ],
    '/-/ready',
    { 'prometheus.yml': config, ...files },
  );
}

export function startNodeExporter(): Promise<Peer> {
  return startPeer(
    '/usr/bin/prometheus-node-exporter',
    (port) => [`--web.listen-address=127.0.0.1:${port}`, '--collector.disable-defaults', '--collector.cpu', '--collector.meminfo', '--collector.loadavg', '--collector.filesystem', '--collector.netdev', '--collector.stat', '--collector.time', '--collector.uname'],
    '/metrics',
  );
}

export function startVmagent(remoteWriteUrl: string, scrapeConfig: string, extra: string[] = []): Promise<Peer> {
  return startPeer(
    '/usr/bin/vmagent',
    (port, dir) => [
      `-httpListenAddr=127.0.0.1:${port}`,
      `-promscrape.config=${path.join(dir, 'scrape.yml')}`,
      `-remoteWrite.url=${remoteWriteUrl}`,
      `-remoteWrite.tmpDataPath=${path.join(dir, 'buffer')}`,
      '-loggerLevel=WARN',
      ...extra,
    ],
    '/health',
    { 'scrape.yml': scrapeConfig },
  );
}

export function startVictoriaMetrics(): Promise<Peer> {
  return startPeer(
    '/usr/bin/victoria-metrics',
    (port, dir) => [`-httpListenAddr=127.0.0.1:${port}`, `-storageDataPath=${path.join(dir, 'data')}`, '-loggerLevel=WARN', '-search.latencyOffset=0s', '-search.disableCache'],
    '/health',
  );
}
