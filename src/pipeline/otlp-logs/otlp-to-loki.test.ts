import { describe, expect, it } from 'vitest';
import { labelsToRecord } from '../../model/index.js';
import type { AnyValue, KeyValue, OtlpLogRecord, OtlpLogs } from '../../receive/otlp/index.js';
import { detectLevel } from '../log-level/index.js';
import { DEFAULT_OTLP_INDEX_LABELS, DEFAULT_SERVICE_NAME_LABELS, translateOtlpLogs, type OtlpLogsOptions } from './otlp-to-loki.js';
import { otlpValueString } from './value-string.js';

const s = (value: string): AnyValue => ({ type: 'string', value });
const kv = (key: string, value: AnyValue): KeyValue => ({ key, value });
const OPTIONS: OtlpLogsOptions = { indexLabels: DEFAULT_OTLP_INDEX_LABELS, serviceNameLabels: DEFAULT_SERVICE_NAME_LABELS, detectLevel: true, nowNs: () => 5n };

function record(over: Partial<OtlpLogRecord>): OtlpLogRecord {
  return { timeUnixNano: 0n, observedTimeUnixNano: 0n, severityNumber: 0, severityText: '', body: { type: 'empty' }, attributes: [], droppedAttributesCount: 0, flags: 0, traceId: '', spanId: '', eventName: '', ...over };
}

function request(resource: KeyValue[], records: OtlpLogRecord[], scope = { name: '', version: '', attributes: [] as KeyValue[], droppedAttributesCount: 0 }): OtlpLogs {
  return { resourceLogs: [{ resource: { attributes: resource, droppedAttributesCount: 0 }, schemaUrl: '', scopeLogs: [{ scope, schemaUrl: '', logRecords: records }] }] };
}

describe('OTLP values as text (pcommon AsString)', () => {
  it('writes maps and arrays as Go JSON: sorted keys, HTML-safe, bytes as base64', () => {
    const v: AnyValue = {
      type: 'kvlist',
      value: [kv('z', { type: 'int', value: 9007199254740993n }), kv('10', s('a<b>&c')), kv('a', { type: 'array', value: [{ type: 'bool', value: false }, { type: 'empty' }, { type: 'bytes', value: Buffer.from('hi') }] }), kv('z', { type: 'double', value: 1e21 })],
    };
    expect(otlpValueString(v)).toBe('{"10":"a\\u003cb\\u003e\\u0026c","a":[false,null,"aGk="],"z":1e+21}');
    expect(otlpValueString({ type: 'double', value: 0.1 })).toBe('0.1');
    expect(otlpValueString({ type: 'double', value: -0 })).toBe('-0');
    expect(otlpValueString({ type: 'double', value: 1e-7 })).toBe('1e-7');
    expect(otlpValueString({ type: 'double', value: NaN })).toBe('json: unsupported value: NaN');
    expect(otlpValueString({ type: 'array', value: [{ type: 'double', value: Infinity }] })).toBe('');
    expect(otlpValueString({ type: 'bytes', value: Buffer.from([1, 2]) })).toBe('AQI=');
  });
});

describe('OTLP logs to Loki streams', () => {
  it('keeps index resource attributes as labels and the rest as metadata, flattened and normalised', () => {
    const out = translateOtlpLogs(
      request(
        [kv('service.name', s('api')), kv('k8s.namespace.name', s('prod')), kv('host.name', s('h')), kv('cloud', { type: 'kvlist', value: [kv('region', s('x')), kv('zone-id', s('y'))] }), kv('9lives', s('cat')), kv('_private', s('p'))],
        [record({ timeUnixNano: 10n, observedTimeUnixNano: 11n, body: s('hi'), attributes: [kv('http.status_code', { type: 'int', value: 503n }), kv('empty', s(''))], droppedAttributesCount: 2 })],
        { name: 'lib', version: '', attributes: [kv('lib.mode', s('fast'))], droppedAttributesCount: 1 },
      ),
      OPTIONS,
    );
    expect(out.streams).toHaveLength(1);
    expect(labelsToRecord(out.streams[0]!.labels)).toEqual({ service_name: 'api', k8s_namespace_name: 'prod' });
    const e = out.streams[0]!.entries[0]!;
    expect(e.tsNs).toBe(10n);
    expect(e.line).toBe('hi');
    expect(labelsToRecord(e.metadata)).toEqual({
      host_name: 'h',
      cloud_region: 'x',
      cloud_zone_id: 'y',
      key_9lives: 'cat',
      key_private: 'p',
      http_status_code: '503',
      observed_timestamp: '11',
      dropped_attributes_count: '2',
      lib_mode: 'fast',
      scope_name: 'lib',
      scope_dropped_attributes_count: '1',
      detected_level: 'unknown',
    });
  });

  it('takes the observed time, then now, when a record has no time; severity gives detected_level', () => {
    const out = translateOtlpLogs(request([kv('service.name', s('a'))], [record({ observedTimeUnixNano: 7n, severityNumber: 21 }), record({ severityNumber: 2, severityText: 'WARNING' })]), OPTIONS);
    const [a, b] = out.streams[0]!.entries;
    expect(a!.tsNs).toBe(7n);
    expect(labelsToRecord(a!.metadata)).toEqual({ severity_number: '21', detected_level: 'fatal' });
    expect(b!.tsNs).toBe(5n);
    // A level-like field (severity_text) wins over the number.
    expect(labelsToRecord(b!.metadata).detected_level).toBe('warn');
  });

  it('finds service_name in another index label, or leaves it out when discovery is off', () => {
    const req = request([kv('k8s.deployment.name', s('web')), kv('k8s.container.name', s('nginx'))], [record({ timeUnixNano: 1n })]);
    expect(labelsToRecord(translateOtlpLogs(req, OPTIONS).streams[0]!.labels)).toEqual({ k8s_deployment_name: 'web', k8s_container_name: 'nginx', service_name: 'nginx' });
    const off = translateOtlpLogs(req, { ...OPTIONS, serviceNameLabels: [], detectLevel: false, indexLabels: ['k8s.deployment.name'] });
    expect(labelsToRecord(off.streams[0]!.labels)).toEqual({ k8s_deployment_name: 'web' });
    expect(labelsToRecord(off.streams[0]!.entries[0]!.metadata)).toEqual({ k8s_container_name: 'nginx' });
  });
});

describe('level detection (Loki discover_log_levels)', () => {
  const none: never[] = [];
  it('prefers labels, then metadata, then the OTLP severity number, then the line', () => {
    expect(detectLevel([{ name: 'level', value: 'WRN' }], [{ name: 'level', value: 'error' }], 'x')).toBe('warn');
    expect(detectLevel(none, [{ name: 'severity', value: 'Notice' }], 'x')).toBe('Notice');
    expect(detectLevel(none, [{ name: 'severity_number', value: '13' }], 'error')).toBe('warn');
    expect(detectLevel(none, none, '{"ts":1,"log":{"level":"DEBUG"}}')).toBe('debug');
    expect(detectLevel(none, none, '{"a":{"b":{"level":"error"}}}')).toBe('unknown');
    expect(detectLevel(none, none, 'ts=1 LVL=err msg="x"')).toBe('error');
    expect(detectLevel(none, none, 'ts=1 severity=crit level="fatal"')).toBe('fatal');
    expect(detectLevel(none, none, 'ts=1 level=loud msg="an error and WARNING"')).toBe('warn');
    expect(detectLevel(none, none, 'disk [ERROR] full, info follows')).toBe('info');
    expect(detectLevel(none, none, 'nothing to see')).toBe('unknown');
  });
});
