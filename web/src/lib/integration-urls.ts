/** The inbound URLs of an integration (what a sender is pointed at), by its kind. */
export interface IntegrationUrl {
  /** What the URL is for: `alerts` (Alertmanager API), `webhook`, `heartbeat`. */
  readonly use: 'alerts' | 'webhook' | 'heartbeat';
  readonly url: string;
}

const BASE = '/api/ichigen/v1/integrations';

export function integrationUrls(origin: string, i: { id: string; kind: string }): IntegrationUrl[] {
  const base = `${origin}${BASE}/${encodeURIComponent(i.id)}`;
  switch (i.kind) {
    case 'alertmanager':
      return [
        { use: 'alerts', url: `${base}/api/v2/alerts` },
        { use: 'webhook', url: `${base}/webhook` },
      ];
    case 'heartbeat':
      return [{ use: 'heartbeat', url: `${base}/heartbeat` }];
    case 'grafana':
    case 'webhook':
    case 'zabbix':
    case 'sns':
      return [{ use: 'webhook', url: `${base}/webhook` }];
    default:
      return [];
  }
}

/** A copy-paste snippet that sends to the integration with its token. */
export function integrationSnippet(origin: string, i: { id: string; kind: string }, token: string): string {
  const base = `${origin}${BASE}/${encodeURIComponent(i.id)}`;
  const u = new URL(origin);
  switch (i.kind) {
    case 'alertmanager':
      return `# prometheus.yml
alerting:
  alertmanagers:
    - scheme: ${u.protocol.replace(':', '')}
      path_prefix: ${BASE}/${i.id}
      authorization:
        credentials: ${token}
      static_configs:
        - targets: ['${u.host}']`;
    case 'grafana':
      return `# Grafana → Alerting → Contact points → Webhook
URL: ${base}/webhook
Authorization header: Bearer ${token}`;
    case 'heartbeat':
      return `# cron, every minute
* * * * * curl -fsS -H 'Authorization: Bearer ${token}' ${base}/heartbeat`;
    case 'sns':
      return `# SNS HTTPS subscription endpoint
${base}/webhook?token=${token}`;
    default:
      return `curl -X POST ${base}/webhook \\
  -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' \\
  -d '{"labels":{"alertname":"Test","severity":"warning"},"title":"Test alert"}'`;
  }
}
