/** Copy-paste configuration for the senders and Grafana, filled with this server's URL and a token. */
export interface SnippetInput {
  readonly baseUrl: string;
  readonly token: string;
}

const hostPort = (baseUrl: string): { host: string; port: string; tls: boolean } => {
  const u = new URL(baseUrl);
  const tls = u.protocol === 'https:';
  return { host: u.hostname, port: u.port || (tls ? '443' : '80'), tls };
};

export function prometheusRemoteWrite({ baseUrl, token }: SnippetInput): string {
  return `remote_write:
  - url: ${baseUrl}/api/v1/write
    authorization:
      credentials: ${token}
`;
}

export function otlpEnv({ baseUrl, token }: SnippetInput): string {
  // Header values in OTEL_EXPORTER_OTLP_HEADERS are URL-encoded (the space becomes %20).
  return `OTEL_EXPORTER_OTLP_ENDPOINT=${baseUrl}
OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf
OTEL_EXPORTER_OTLP_HEADERS=Authorization=Bearer%20${token}
`;
}

export function fluentBitLoki({ baseUrl, token }: SnippetInput): string {
  const { host, port, tls } = hostPort(baseUrl);
  return `[OUTPUT]
    name        loki
    match       *
    host        ${host}
    port        ${port}
    tls         ${tls ? 'on' : 'off'}
    http_user   fluent-bit
    http_passwd ${token}
    labels      job=fluent-bit
`;
}

export function grafanaDatasources({ baseUrl, token }: SnippetInput): string {
  const ds = (name: string, type: string, uid: string, jsonData = ''): string => `  - name: ${name}
    type: ${type}
    uid: ${uid}
    access: proxy
    url: ${baseUrl}
    basicAuth: true
    basicAuthUser: grafana
    secureJsonData:
      basicAuthPassword: ${token}
${jsonData}`;
  // Grafana's Alertmanager data source defaults to the Mimir implementation, whose paths
  // (/alertmanager/api/v2/…) Ichigen does not serve: it must say "prometheus".
  // Creating and expiring silences there needs a token with the write scope too.
  return `apiVersion: 1
datasources:
${ds('Ichigen Prometheus', 'prometheus', 'ichigen-prometheus')}${ds('Ichigen Loki', 'loki', 'ichigen-loki')}${ds('Ichigen Tempo', 'tempo', 'ichigen-tempo')}${ds(
    'Ichigen Alertmanager',
    'alertmanager',
    'ichigen-alertmanager',
    '    jsonData:\n      implementation: prometheus\n',
  )}`;
}
