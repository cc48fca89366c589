import { IchigenError } from '../../model/index.js';
import type { AnyValue, KeyValue, OtlpResourceSpans, OtlpScopeSpans, OtlpSpan, OtlpSpanEvent, OtlpSpanLink, OtlpTraces } from '../otlp/index.js';

/**
 * Zipkin v2 JSON (`POST /api/v2/spans`, a JSON array of spans) into the OTLP model, mapped as
 * the OpenTelemetry Collector's zipkin receiver maps it (the receiver Tempo embeds), so a
 * Zipkin-instrumented service looks the same in Ichigen as in Tempo:
 * - spans grouped by `localEndpoint.serviceName` into resources (`service.name`); the first
 *   span of a service also moves resource-convention tags (`host.name`, `k8s.pod.name`, …)
 *   onto the resource, and those tags never become span attributes;
 * - `otel.library.name`/`version` tags become the instrumentation scope;
 * - kind CLIENT/SERVER/PRODUCER/CONSUMER; absent is unspecified (internal with `span.kind=internal`);
 * - status from `otel.status_code` (+ `otel.status_description`); an `error` tag makes it an error;
 * - tags are string attributes; endpoints add `net.host.ip`/`port`, `peer.service`, `net.peer.ip`/`port`;
 * - annotations become events (`name|{json attributes}|dropped` is decoded too);
 *   `otlp.link.N` tags become links, `w3c.tracestate` the trace state;
 * - microsecond `timestamp`/`duration` become nanoseconds; an absent timestamp starts at 0
 *   with `otel.zipkin.absentField.startTime=true`.
 */
const RESOURCE_TAGS = new Set([
  'cloud.provider', 'cloud.account.id', 'cloud.region', 'cloud.availability_zone', 'cloud.platform',
  'aws.ecs.container.arn', 'aws.ecs.cluster.arn', 'aws.ecs.launchtype', 'aws.ecs.task.arn', 'aws.ecs.task.family', 'aws.ecs.task.revision',
  'aws.eks.cluster.arn', 'aws.log.group.names', 'aws.log.group.arns', 'aws.log.stream.names', 'aws.log.stream.arns',
  'container.name', 'container.id', 'container.runtime', 'container.image.name', 'container.image.tag', 'deployment.environment',
  'device.id', 'device.model.identifier', 'device.model.name', 'device.manufacturer',
  'faas.name', 'faas.id', 'faas.version', 'faas.instance', 'faas.max_memory',
  'host.id', 'host.name', 'host.type', 'host.arch', 'host.image.name', 'host.image.id', 'host.image.version',
  'k8s.cluster.name', 'k8s.node.name', 'k8s.node.uid', 'k8s.namespace.name', 'k8s.pod.uid', 'k8s.pod.name', 'k8s.container.name',
  'k8s.container.restart_count', 'k8s.replicaset.uid', 'k8s.replicaset.name', 'k8s.deployment.uid', 'k8s.deployment.name',
  'k8s.statefulset.uid', 'k8s.statefulset.name', 'k8s.daemonset.uid', 'k8s.daemonset.name', 'k8s.job.uid', 'k8s.job.name',
  'k8s.cronjob.uid', 'k8s.cronjob.name', 'os.type', 'os.description', 'os.name', 'os.version',
  'process.pid', 'process.executable.name', 'process.executable.path', 'process.command', 'process.command_line', 'process.command_args',
  'process.owner', 'process.runtime.name', 'process.runtime.version', 'process.runtime.description',
  'service.name', 'service.namespace', 'service.instance.id', 'service.version',
  'telemetry.sdk.name', 'telemetry.sdk.language', 'telemetry.sdk.version', 'telemetry.auto.version',
  'webengine.name', 'webengine.version', 'webengine.description',
]);
const SERVICE_NAME_SOURCE = 'otlp.service.name.source';
const LIB_NAME = 'otel.library.name';
const LIB_VERSION = 'otel.library.version';
/** Tags that never become span attributes. */
const NON_SPAN = new Set([...RESOURCE_TAGS, SERVICE_NAME_SOURCE, LIB_NAME, LIB_VERSION, 'opencensus.starttime', 'opencensus.exporterversion', 'opencensus.resourcetype']);
const NO_SERVICE = 'OTLPResourceNoServiceName';
const STATUS_CODES: Record<string, number> = { STATUS_CODE_UNSET: 0, STATUS_CODE_OK: 1, STATUS_CODE_ERROR: 2, Unset: 0, Ok: 1, Error: 2 };
const KINDS: Record<string, number> = { CLIENT: 3, SERVER: 2, PRODUCER: 4, CONSUMER: 5 };

interface Endpoint {
  readonly serviceName: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly port: number;
}

interface ZipkinSpan {
  readonly traceId: string;
  readonly id: string;
  readonly parentId: string;
  readonly name: string;
  readonly kind: string;
  readonly timestampUs: bigint;
  readonly durationUs: bigint;
  readonly local: Endpoint | undefined;
  readonly remote: Endpoint | undefined;
  readonly annotations: ReadonlyArray<{ timestampUs: bigint; value: string }>;
  readonly tags: ReadonlyMap<string, string>;
}

function bad(path: string, problem: string): IchigenError {
  return new IchigenError('INVALID_BODY', `invalid Zipkin v2 span at ${path}: ${problem}`);
}

function str(v: unknown, path: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') throw bad(path, 'expected a string');
  return v;
}

function micros(v: unknown, path: string): bigint {
  if (v === undefined || v === null) return 0n;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw bad(path, 'expected a non-negative integer (microseconds)');
  return BigInt(v);
}

/** A Zipkin id: up to `digits` hex digits (shorter ones are left-padded), not all zero when required. */
function hexId(v: unknown, digits: number, path: string, required: boolean): string {
  const s = str(v, path);
  if (s === '') {
    if (required) throw bad(path, 'missing');
    return '';
  }
  if (s.length > digits || !/^[0-9a-fA-F]+$/.test(s)) throw bad(path, `expected up to ${digits} hex digits, got "${s.slice(0, 40)}"`);
  const hex = s.toLowerCase().padStart(digits, '0');
  if (required && /^0+$/.test(hex)) throw bad(path, 'must not be zero');
  return hex;
}

function endpoint(v: unknown, path: string): Endpoint | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw bad(path, 'expected an object');
  const o = v as Record<string, unknown>;
  const port = o.port === undefined || o.port === null ? 0 : o.port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw bad(`${path}.port`, 'expected a port number');
  const e = { serviceName: str(o.serviceName, `${path}.serviceName`), ipv4: str(o.ipv4, `${path}.ipv4`), ipv6: str(o.ipv6, `${path}.ipv6`), port };
  return e.serviceName === '' && e.ipv4 === '' && e.ipv6 === '' && e.port === 0 ? undefined : e;
}

function readSpan(v: unknown, path: string): ZipkinSpan {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(path, 'expected an object');
  const o = v as Record<string, unknown>;
  const tags = new Map<string, string>();
  if (o.tags !== undefined && o.tags !== null) {
    if (typeof o.tags !== 'object' || Array.isArray(o.tags)) throw bad(`${path}.tags`, 'expected an object of strings');
    for (const [k, x] of Object.entries(o.tags as Record<string, unknown>)) tags.set(k, str(x, `${path}.tags.${k}`));
  }
  const annotations = o.annotations === undefined || o.annotations === null ? [] : o.annotations;
  if (!Array.isArray(annotations)) throw bad(`${path}.annotations`, 'expected an array');
  return {
    traceId: hexId(o.traceId, 32, `${path}.traceId`, true),
    id: hexId(o.id, 16, `${path}.id`, true),
    parentId: hexId(o.parentId, 16, `${path}.parentId`, false),
    name: str(o.name, `${path}.name`),
    kind: str(o.kind, `${path}.kind`),
    timestampUs: micros(o.timestamp, `${path}.timestamp`),
    durationUs: micros(o.duration, `${path}.duration`),
    local: endpoint(o.localEndpoint, `${path}.localEndpoint`),
    remote: endpoint(o.remoteEndpoint, `${path}.remoteEndpoint`),
    annotations: annotations.map((a: unknown, i) => {
      const p = `${path}.annotations[${i}]`;
      if (typeof a !== 'object' || a === null) throw bad(p, 'expected an object');
      const ao = a as Record<string, unknown>;
      return { timestampUs: micros(ao.timestamp, `${p}.timestamp`), value: str(ao.value, `${p}.value`) };
    }),
    tags,
  };
}

const s = (value: string): AnyValue => ({ type: 'string', value });

/** A JSON object of attributes as the collector reads it: strings, whole numbers as ints, other numbers as doubles, bools. */
function jsonAttributes(text: string, path: string): KeyValue[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw bad(path, 'attributes are not valid JSON');
  }
  const out: KeyValue[] = [];
  if (typeof parsed !== 'object' || parsed === null) return out;
  for (const [key, v] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof v === 'string') out.push({ key, value: s(v) });
    else if (typeof v === 'number') out.push({ key, value: Number.isInteger(v) ? { type: 'int', value: BigInt(v) } : { type: 'double', value: v } });
    else if (typeof v === 'boolean') out.push({ key, value: { type: 'bool', value: v } });
  }
  return out;
}

function dropped(text: string, path: string): number {
  if (!/^\d+$/.test(text)) throw bad(path, `invalid dropped count "${text.slice(0, 20)}"`);
  return Number(text);
}

/** `name|{json}|dropped` (the collector's encoding of event attributes), or a plain name. */
function event(a: { timestampUs: bigint; value: string }, path: string): OtlpSpanEvent {
  const parts = a.value.split('|');
  const base = { timeUnixNano: a.timestampUs * 1000n, name: parts[0]! };
  if (parts.length < 3) return { ...base, attributes: [], droppedAttributesCount: 0 };
  return { ...base, attributes: jsonAttributes(parts.slice(1, -1).join('|'), path), droppedAttributesCount: dropped(parts.at(-1)!, path) };
}

/** `otlp.link.0`, `otlp.link.1`, …: `traceId|spanId|traceState|{json}|dropped`. */
function links(tags: Map<string, string>, path: string): OtlpSpanLink[] {
  const out: OtlpSpanLink[] = [];
  for (let i = 0; i < 128; i++) {
    const key = `otlp.link.${i}`;
    const v = tags.get(key);
    if (v === undefined) break;
    tags.delete(key);
    const parts = v.split('|');
    if (parts.length < 5) continue;
    const p = `${path}.tags.${key}`;
    out.push({
      traceId: parts[0] === '' ? '' : hexId(parts[0], 32, p, false),
      spanId: parts[1] === '' ? '' : hexId(parts[1], 16, p, false),
      traceState: parts[2]!,
      attributes: jsonAttributes(parts.slice(3, -1).join('|'), p),
      droppedAttributesCount: dropped(parts.at(-1)!, p),
      flags: 0,
    });
  }
  return out;
}

function toOtlpSpan(z: ZipkinSpan, tags: Map<string, string>, path: string): OtlpSpan {
  const traceState = tags.get('w3c.tracestate') ?? '';
  tags.delete('w3c.tracestate');
  let kind = KINDS[z.kind];
  if (kind === undefined) {
    kind = 0;
    const k = tags.get('span.kind');
    if (k !== undefined) {
      tags.delete('span.kind');
      if (k === 'internal') kind = 1;
    }
  }
  const status = { code: 0, message: '' };
  const code = tags.get('otel.status_code');
  if (code !== undefined) {
    status.code = STATUS_CODES[code] ?? 0;
    tags.delete('otel.status_code');
    const desc = tags.get('otel.status_description');
    if (desc !== undefined) {
      status.message = desc;
      tags.delete('otel.status_description');
    }
  }
  const err = tags.get('error');
  if (err !== undefined) {
    status.code = 2;
    if (err === 'true') tags.delete('error');
  }
  const spanLinks = links(tags, path);
  const attributes: KeyValue[] = [];
  const put = (key: string, value: AnyValue): void => {
    const i = attributes.findIndex((a) => a.key === key);
    if (i >= 0) attributes[i] = { key, value };
    else attributes.push({ key, value });
  };
  for (const [k, v] of tags) if (!NON_SPAN.has(k)) put(k, s(v));
  if (z.local) {
    if (z.local.ipv4 !== '') put('net.host.ip', s(z.local.ipv4));
    if (z.local.ipv6 !== '') put('net.host.ip', s(z.local.ipv6));
    if (z.local.port > 0) put('net.host.port', { type: 'int', value: BigInt(z.local.port) });
  }
  if (z.remote) {
    if (z.remote.serviceName !== '') put('peer.service', s(z.remote.serviceName));
    if (z.remote.ipv4 !== '') put('net.peer.ip', s(z.remote.ipv4));
    if (z.remote.ipv6 !== '') put('net.peer.ip', s(z.remote.ipv6));
    if (z.remote.port > 0) put('net.peer.port', { type: 'int', value: BigInt(z.remote.port) });
  }
  const startNs = z.timestampUs * 1000n;
  if (z.timestampUs === 0n) put('otel.zipkin.absentField.startTime', { type: 'bool', value: true });
  return {
    traceId: z.traceId,
    spanId: z.id,
    parentSpanId: z.parentId === z.id ? '' : z.parentId,
    traceState,
    flags: 0,
    name: z.name,
    kind,
    startTimeUnixNano: startNs,
    endTimeUnixNano: startNs + z.durationUs * 1000n,
    attributes,
    droppedAttributesCount: 0,
    events: z.annotations.map((a, i) => event(a, `${path}.annotations[${i}]`)),
    droppedEventsCount: 0,
    links: spanLinks,
    droppedLinksCount: 0,
    status,
  };
}

const serviceOf = (z: ZipkinSpan): string => (z.local === undefined || z.local.serviceName === '' ? NO_SERVICE : z.local.serviceName);
const libraryOf = (z: ZipkinSpan): string => z.tags.get(LIB_NAME) ?? '';

/** Decodes a Zipkin v2 JSON body (an array of spans); a bad span fails the whole request with a 400 naming it. */
export function decodeZipkinV2Json(body: Buffer): OtlpTraces {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw new IchigenError('INVALID_BODY', `invalid Zipkin v2 JSON: ${(e as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new IchigenError('INVALID_BODY', 'invalid Zipkin v2 JSON: expected an array of spans');
  const spans = parsed.map((v, i) => ({ z: readSpan(v, `[${i}]`), path: `[${i}]` }));
  // Sorted by service, then instrumentation library; consecutive runs share a resource / scope.
  spans.sort((a, b) => cmp(serviceOf(a.z), serviceOf(b.z)) || cmp(libraryOf(a.z), libraryOf(b.z)));
  const resourceSpans: OtlpResourceSpans[] = [];
  let prevService: string | undefined;
  let prevLib: string | undefined;
  let scopes: OtlpScopeSpans[] = [];
  let current: OtlpSpan[] = [];
  for (const { z, path } of spans) {
    const tags = new Map(z.tags);
    const service = serviceOf(z);
    if (service !== prevService) {
      prevService = service;
      prevLib = undefined;
      scopes = [];
      resourceSpans.push({ resource: { attributes: resourceAttributes(tags, service), droppedAttributesCount: 0 }, scopeSpans: scopes, schemaUrl: '' });
    }
    const lib = libraryOf(z);
    if (lib !== prevLib) {
      prevLib = lib;
      current = [];
      const name = lib === '' ? '' : (tags.get(LIB_NAME) ?? '');
      const version = lib === '' ? '' : (tags.get(LIB_VERSION) ?? '');
      if (lib !== '') {
        tags.delete(LIB_NAME);
        tags.delete(LIB_VERSION);
      }
      scopes.push({ scope: { name, version, attributes: [], droppedAttributesCount: 0 }, spans: current, schemaUrl: '' });
    }
    current.push(toOtlpSpan(z, tags, path));
  }
  return { resourceSpans };
}

/** The resource of a service's first span: service.name (or the name its source tag gives) and resource-convention tags. */
function resourceAttributes(tags: Map<string, string>, service: string): KeyValue[] {
  if (service === NO_SERVICE) return [];
  const out: KeyValue[] = [];
  const source = tags.get(SERVICE_NAME_SOURCE);
  out.push({ key: source === undefined || source === '' ? 'service.name' : source, value: s(service) });
  tags.delete(SERVICE_NAME_SOURCE);
  for (const [k, v] of [...tags]) {
    if (!RESOURCE_TAGS.has(k)) continue;
    const i = out.findIndex((a) => a.key === k);
    if (i >= 0) out[i] = { key: k, value: s(v) };
    else out.push({ key: k, value: s(v) });
    tags.delete(k);
  }
  return out;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
