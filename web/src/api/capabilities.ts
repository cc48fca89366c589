/** Which backends this server has; a page appears in the navigation only when its API answers. */
export interface Capabilities {
  readonly metrics: boolean;
  readonly logs: boolean;
  readonly traces: boolean;
  readonly alerts: boolean;
  readonly schedules: boolean;
  readonly rules: boolean;
  readonly automation: boolean;
  readonly events: boolean;
}

export type Capability = keyof Capabilities;

// A cheap, read-only request per backend: 404 means "not in this build".
const PROBES: Record<Capability, string> = {
  metrics: '/api/v1/query?query=1',
  logs: '/loki/api/v1/labels',
  traces: '/api/search/tags',
  alerts: '/api/ichigen/v1/alert-groups?limit=1',
  schedules: '/api/ichigen/v1/schedules',
  rules: '/api/v1/rules?type=alert',
  automation: '/api/ichigen/v1/runs?limit=1',
  events: '/api/ichigen/v1/events?limit=1',
};

async function probe(path: string): Promise<boolean> {
  try {
    const res = await fetch(path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    return res.status !== 404;
  } catch {
    return false;
  }
}

export async function loadCapabilities(): Promise<Capabilities> {
  const entries = await Promise.all((Object.keys(PROBES) as Capability[]).map(async (k) => [k, await probe(PROBES[k])] as const));
  return Object.fromEntries(entries) as unknown as Capabilities;
}
