import dgram from 'node:dgram';
import net from 'node:net';
import { IchigenError, labelsKey, type Labels } from '../../model/index.js';
import type { LogEntry, PushStream } from '../../receive/loki-push/index.js';
import { SyslogTcpFramer, parseSyslog, syslogToEntry } from '../../receive/syslog/index.js';
import type { Logger } from '../../self/index.js';
import type { LogStore } from '../../store/logs/index.js';

export interface SyslogListenerOptions {
  /** `host:port` for TCP (octet counting or LF framing); '' disables it. */
  readonly tcpListen: string;
  /** `host:port` for UDP (one message per datagram); '' disables it. */
  readonly udpListen: string;
  /** Syslog carries no credentials: every message goes to this tenant. */
  readonly tenant: string;
  readonly maxMessageBytes: number;
  readonly detectLevel: boolean;
  readonly store: () => LogStore;
  readonly log: Logger;
}

/** Messages written per store push, and the most a batch waits. */
const BATCH_MESSAGES = 2000;
const BATCH_WAIT_MS = 50;
/** Pending messages past which TCP senders are paused (backpressure) and UDP ones dropped. */
const MAX_PENDING = 50_000;

function hostPort(text: string, key: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new IchigenError('INVALID_PARAMETER', `${key}: expected HOST:PORT such as 0.0.0.0:1514, got "${text}"`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/**
 * Syslog in (RFC 5424 and RFC 3164, TCP and UDP) into the log store. Messages are batched
 * (up to 2,000 or 50 ms) into one durable push; while the store is behind, TCP connections are
 * paused rather than buffered without bound. Syslog has no acknowledgement and no way to
 * answer an error, so unreadable or refused messages are counted and logged (at most one
 * warning every 10 s).
 */
export class SyslogListener {
  private tcp: net.Server | undefined;
  private udp: dgram.Socket | undefined;
  private readonly sockets = new Set<net.Socket>();
  private pending: Array<{ labels: Labels; entry: LogEntry }> = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private lastWarnMs = 0;
  /** Messages stored, and messages that could not be read or were refused. */
  readonly counts = { received: 0, invalid: 0, refused: 0 };

  constructor(private readonly options: SyslogListenerOptions) {}

  get tcpPort(): number {
    return (this.tcp?.address() as net.AddressInfo | null)?.port ?? 0;
  }

  get udpPort(): number {
    return this.udp ? this.udp.address().port : 0;
  }

  async start(): Promise<void> {
    const o = this.options;
    if (o.tcpListen !== '') {
      const { host, port } = hostPort(o.tcpListen, 'logs.syslog_tcp_listen');
      const server = net.createServer((socket) => this.connection(socket));
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      this.tcp = server;
      o.log.info({ listen: `${host}:${this.tcpPort}` }, 'syslog/TCP is listening');
    }
    if (o.udpListen !== '') {
      const { host, port } = hostPort(o.udpListen, 'logs.syslog_udp_listen');
      const socket = dgram.createSocket({ type: net.isIPv6(host) ? 'udp6' : 'udp4' });
      socket.on('message', (msg) => {
        if (this.pending.length >= MAX_PENDING) return this.problem('refused', 'syslog/UDP message dropped: the log store is behind');
        this.accept([msg.toString('utf8')]);
      });
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject);
        socket.bind(port, host, () => resolve());
      });
      this.udp = socket;
      o.log.info({ listen: `${host}:${this.udpPort}` }, 'syslog/UDP is listening');
    }
  }

  private connection(socket: net.Socket): void {
    this.sockets.add(socket);
    const framer = new SyslogTcpFramer(this.options.maxMessageBytes);
    socket.on('data', (chunk: Buffer) => {
      const { messages, error } = framer.push(chunk);
      this.accept(messages);
      if (error !== undefined) {
        this.problem('invalid', `syslog/TCP from ${socket.remoteAddress ?? '?'}: ${error}; closing the connection`);
        socket.destroy();
      } else if (this.pending.length >= MAX_PENDING) {
        socket.pause();
        void this.flush().finally(() => socket.resume());
      }
    });
    socket.on('end', () => this.accept(framer.end()));
    socket.on('error', () => undefined);
    socket.on('close', () => this.sockets.delete(socket));
  }

  private accept(messages: readonly string[]): void {
    const nowMs = Date.now();
    for (const text of messages) {
      try {
        const { labels, entry } = syslogToEntry(parseSyslog(text, nowMs), BigInt(nowMs) * 1_000_000n, this.options.detectLevel);
        this.pending.push({ labels, entry });
      } catch (e) {
        this.problem('invalid', (e as Error).message);
      }
    }
    if (this.pending.length >= BATCH_MESSAGES) void this.flush();
    else if (this.pending.length > 0 && this.timer === undefined) this.timer = setTimeout(() => void this.flush(), BATCH_WAIT_MS);
  }

  private problem(kind: 'invalid' | 'refused', message: string, n = 1): void {
    this.counts[kind] += n;
    const now = Date.now();
    if (now - this.lastWarnMs < 10_000) return;
    this.lastWarnMs = now;
    this.options.log.warn({ invalid: this.counts.invalid, refused: this.counts.refused }, message);
  }

  /** Writes everything pending (one batch at a time). */
  flush(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.flushing ??= this.drain().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0, BATCH_MESSAGES);
      const streams = new Map<string, PushStream>();
      for (const { labels, entry } of batch) {
        const key = labelsKey(labels);
        let s = streams.get(key);
        if (!s) streams.set(key, (s = { labels, entries: [] }));
        s.entries.push(entry);
      }
      try {
        const out = await this.options.store().push(this.options.tenant, { streams: [...streams.values()] });
        this.counts.received += out.accepted;
        if (out.rejected.length > 0) this.problem('refused', `syslog: the log store refused messages: ${out.rejected[0]}`, batch.length - out.accepted);
      } catch (e) {
        this.problem('refused', `syslog: ${batch.length} messages not stored: ${(e as Error).message}`, batch.length);
      }
    }
  }

  async stop(): Promise<void> {
    const tcp = this.tcp;
    this.tcp = undefined;
    for (const s of this.sockets) s.destroy();
    if (tcp) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    const udp = this.udp;
    this.udp = undefined;
    if (udp) await new Promise<void>((resolve) => udp.close(() => resolve()));
    await this.flush();
  }
}
