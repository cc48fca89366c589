import { otlpTypes } from '../../src/receive/otlp/index.js';

/**
 * Realistic OTLP export requests, made cheaply: a few template requests are encoded once
 * (protobuf, as an SDK or collector sends them: ~10 spans per trace over 5 services, ~10
 * attributes per span, resources with 8 attributes), then each request is a copy with fresh
 * trace ids, shifted timestamps and a unique `order.id` per span patched into the bytes, so
 * the sender spends almost nothing per span and every span and trace is distinct.
 */
export interface Template {
  readonly bytes: Buffer;
  readonly spans: number;
  readonly traces: number;
  /** Byte offsets of each trace's id occurrences, per trace. */
  readonly traceIdAt: number[][];
  /** Byte offsets of every fixed64 timestamp. */
  readonly timeAt: number[];
  /** Byte offsets of each span's 12-digit order id. */
  readonly orderIdAt: number[];
  readonly baseNs: bigint;
}

const SERVICES = ['frontend', 'checkout', 'payments', 'inventory', 'orders-db-proxy'];
const ROUTES = ['/api/orders/{id}', '/api/cart', '/api/checkout', '/api/products/{sku}', '/api/users/{id}/profile'];
const MS = 1_000_000n;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const str = (key: string, v: string): Record<string, unknown> => ({ key, value: { stringValue: v } });
const int = (key: string, v: number): Record<string, unknown> => ({ key, value: { intValue: v } });
const bool = (key: string, v: boolean): Record<string, unknown> => ({ key, value: { boolValue: v } });

function resource(service: string, pod: number): Record<string, unknown> {
  return {
    attributes: [
      str('service.name', service),
      str('service.namespace', 'shop'),
      str('service.version', '1.4.2'),
      str('service.instance.id', `${service}-7d9f8-${pod}`),
      str('deployment.environment', 'production'),
      str('k8s.pod.name', `${service}-7d9f8-${pod}`),
      str('k8s.namespace.name', 'shop'),
      str('telemetry.sdk.language', 'nodejs'),
    ],
  };
}

function marker(prefix: number, t: number, i: number, len: number): Buffer {
  const b = Buffer.alloc(len, 0x11);
  b[0] = prefix;
  b[1] = prefix;
  b.writeUInt16BE(t, 2);
  b.writeUInt16BE(i, 4);
  return b;
}

function positions(hay: Buffer, needle: Buffer): number[] {
  const out: number[] = [];
  for (let at = hay.indexOf(needle); at >= 0; at = hay.indexOf(needle, at + 1)) out.push(at);
  return out;
}

/** Template `t`: `traces` traces of 8–12 spans each. */
export function makeTemplate(t: number, traces: number): Template {
  const r = rng(1000 + t);
  const baseNs = 1_700_000_000_000_000_000n + BigInt(t) * 1_000_000_000_000n;
  const byService = new Map<string, Array<Record<string, unknown>>>();
  const times = new Set<bigint>();
  let spanCount = 0;
  const orderMarkers: Buffer[] = [];
  for (let i = 0; i < traces; i++) {
    const traceId = marker(0xa5, t, i, 16);
    const start = baseNs + BigInt(i) * 20n * MS;
    const n = 8 + Math.floor(r() * 5);
    let parent: Buffer | undefined;
    const error = r() < 0.05;
    for (let j = 0; j < n; j++) {
      const service = SERVICES[Math.min(SERVICES.length - 1, Math.floor((j * SERVICES.length) / n))]!;
      const spanId = marker(0x5a, i, j, 8);
      const sStart = start + BigInt(j) * 2n * MS;
      const dur = BigInt(Math.floor(1 + r() * (j === 0 ? 400 : 60))) * MS + BigInt(j) * 1000n;
      times.add(sStart);
      times.add(sStart + dur);
      const order = `ord-${'0'.repeat(4)}${spanCount.toString(16).padStart(4, '0')}${t.toString(16).padStart(4, '0')}`;
      orderMarkers.push(Buffer.from(order.slice(4)));
      const route = ROUTES[Math.floor(r() * ROUTES.length)]!;
      const isDb = service === 'orders-db-proxy';
      const kind = j === 0 ? 2 : isDb ? 3 : j % 2 === 0 ? 2 : 3;
      const attributes = isDb
        ? [str('db.system', 'postgresql'), str('db.name', 'orders'), str('db.operation', 'SELECT'), str('db.sql.table', 'orders'), str('net.peer.name', 'pg-primary.shop.svc'), int('net.peer.port', 5432), str('order.id', order), int('db.rows_affected', Math.floor(r() * 50)), str('thread.name', `worker-${j}`), bool('db.cached', r() < 0.3)]
        : [str('http.request.method', r() < 0.7 ? 'GET' : 'POST'), str('http.route', route), int('http.response.status_code', error && j === n - 1 ? 500 : 200), str('url.scheme', 'https'), str('server.address', 'shop.example.com'), str('user_agent.original', 'Mozilla/5.0 (X11; Linux x86_64)'), str('order.id', order), str('user.id', `u-${Math.floor(r() * 100000)}`), int('http.request.body.size', Math.floor(r() * 4096)), str('client.address', `10.0.${j}.${i % 250}`)];
      const span = {
        traceId,
        spanId,
        ...(parent ? { parentSpanId: parent } : {}),
        name: isDb ? 'SELECT orders' : `${kind === 2 ? 'GET' : 'POST'} ${route}`,
        kind,
        startTimeUnixNano: String(sStart),
        endTimeUnixNano: String(sStart + dur),
        attributes,
        status: { code: error && j === n - 1 ? 2 : 0, ...(error && j === n - 1 ? { message: 'upstream failed' } : {}) },
        ...(j === 1 && r() < 0.2 ? { events: [{ timeUnixNano: String(sStart + MS), name: 'retry', attributes: [int('retry.attempt', 1)] }] } : {}),
      };
      times.add(sStart + MS);
      let list = byService.get(service);
      if (!list) byService.set(service, (list = []));
      list.push(span);
      parent = spanId;
      spanCount++;
    }
  }
  const req = otlpTypes.traceRequest.fromObject({
    resourceSpans: [...byService].map(([service, spans], k) => ({ resource: resource(service, k), scopeSpans: [{ scope: { name: '@opentelemetry/instrumentation-http', version: '0.57.0' }, spans }] })),
  });
  const bytes = Buffer.from(otlpTypes.traceRequest.encode(req).finish());
  const timeAt: number[] = [];
  for (const v of times) {
    const b = Buffer.alloc(8);
    b.writeBigUInt64LE(v);
    timeAt.push(...positions(bytes, b));
  }
  return {
    bytes,
    spans: spanCount,
    traces,
    traceIdAt: Array.from({ length: traces }, (_, i) => positions(bytes, marker(0xa5, t, i, 16))),
    timeAt,
    orderIdAt: orderMarkers.map((m) => positions(bytes, m)[0]!),
    baseNs,
  };
}

/** A copy of the template for request number `n`: trace ids `runId:n:i`, times moved to `startNs`, unique order ids. */
export function instantiate(tpl: Template, runId: number, n: number, startNs: bigint): { body: Buffer; traceIds: string[] } {
  const b = Buffer.from(tpl.bytes);
  const traceIds: string[] = [];
  for (let i = 0; i < tpl.traces; i++) {
    const id = Buffer.alloc(16);
    id.writeUInt32BE(runId, 0);
    id.writeUInt32BE(n, 4);
    id.writeUInt32BE(i, 8);
    id.writeUInt32BE(0x0a0b0c0d, 12);
    for (const at of tpl.traceIdAt[i]!) id.copy(b, at);
    traceIds.push(id.toString('hex'));
  }
  const shift = startNs - tpl.baseNs;
  for (const at of tpl.timeAt) b.writeBigUInt64LE(b.readBigUInt64LE(at) + shift, at);
  const digits = (n % 0x10000).toString(16).padStart(4, '0');
  for (const at of tpl.orderIdAt) b.write(digits, at, 'latin1');
  return { body: b, traceIds };
}

/** The order id a span gets in request `n` (see instantiate): search needles. */
export function orderIdOf(n: number, spanIndex: number, t: number): string {
  return `ord-${(n % 0x10000).toString(16).padStart(4, '0')}${spanIndex.toString(16).padStart(4, '0')}${t.toString(16).padStart(4, '0')}`;
}
