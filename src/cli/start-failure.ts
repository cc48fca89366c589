import type { Config } from '../server/index.js';

interface Listener {
  readonly key: string;
  readonly env: string;
  readonly address: string;
  /** An empty address turns this listener off. */
  readonly optional: boolean;
}

function listeners(config: Config): Listener[] {
  return [
    { key: 'server.listen', env: 'ICHIGEN_LISTEN or --listen', address: config.server.listen, optional: false },
    { key: 'otlp.http_listen', env: 'ICHIGEN_OTLP_HTTP_LISTEN', address: config.otlp.http_listen, optional: true },
    { key: 'otlp.grpc_listen', env: 'ICHIGEN_OTLP_GRPC_LISTEN', address: config.otlp.grpc_listen, optional: true },
    { key: 'logs.syslog_tcp_listen', env: 'ICHIGEN_LOGS_SYSLOG_TCP_LISTEN', address: config.logs.syslog_tcp_listen, optional: true },
    { key: 'logs.syslog_udp_listen', env: 'ICHIGEN_LOGS_SYSLOG_UDP_LISTEN', address: config.logs.syslog_udp_listen, optional: true },
  ];
}

/**
 * A start-up failure because a port is taken, in words a person can act on: which setting
 * holds the busy address and how to move it (a local OpenTelemetry Collector commonly holds
 * 4317/4318 already). Undefined for any other failure. Node's and grpc-js's messages both
 * carry "EADDRINUSE … HOST:PORT".
 */
export function describePortConflict(err: unknown, config: Config): string | undefined {
  const message = err instanceof Error ? err.message : String(err);
  const m = /EADDRINUSE\D*?(\S*):(\d+)/.exec(message);
  if (!m) return undefined;
  const port = m[2]!;
  const busy = `${m[1]}:${port}`;
  const owner = listeners(config).find((l) => l.address !== '' && l.address.endsWith(`:${port}`));
  if (!owner) return `address ${busy} is already in use by another program`;
  const off = owner.optional ? `, or "" to turn that listener off` : '';
  return `address ${busy} (${owner.key}) is already in use by another program: stop it, or set ${owner.key} (${owner.env}) to another address${off}`;
}
