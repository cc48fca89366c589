import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fluentBitLoki, grafanaDatasources, otlpEnv, prometheusRemoteWrite } from './snippets.js';

const input = { baseUrl: 'https://ichigen.example.com', token: 'igt_abc' };

describe('sender snippets', () => {
  it('Prometheus remote write is valid YAML with the write URL and bearer credentials', () => {
    expect(parse(prometheusRemoteWrite(input))).toEqual({ remote_write: [{ url: 'https://ichigen.example.com/api/v1/write', authorization: { credentials: 'igt_abc' } }] });
  });

  it('Grafana provisioning has four data sources on the same URL with the token as basic-auth password', () => {
    const doc = parse(grafanaDatasources(input)) as { datasources: Array<Record<string, unknown>> };
    expect(doc.datasources.map((d) => d.type)).toEqual(['prometheus', 'loki', 'tempo', 'alertmanager']);
    expect(doc.datasources[3]!.jsonData).toEqual({ implementation: 'prometheus' });
    for (const d of doc.datasources) expect(d).toMatchObject({ url: input.baseUrl, basicAuth: true, secureJsonData: { basicAuthPassword: 'igt_abc' } });
  });

  it('OTLP headers are URL-encoded and Fluent Bit gets host, port and TLS from the URL', () => {
    expect(otlpEnv(input)).toContain('Authorization=Bearer%20igt_abc');
    const fb = fluentBitLoki(input);
    expect(fb).toMatch(/host\s+ichigen.example.com/);
    expect(fb).toMatch(/port\s+443/);
    expect(fb).toMatch(/tls\s+on/);
    expect(fluentBitLoki({ baseUrl: 'http://127.0.0.1:8910', token: 't' })).toMatch(/port\s+8910\n\s+tls\s+off/);
  });
});
