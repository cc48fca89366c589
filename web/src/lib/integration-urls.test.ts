import { describe, expect, it } from 'vitest';
import { integrationSnippet, integrationUrls } from './integration-urls.js';

describe('integration URLs and snippets', () => {
  it('names the inbound URLs each kind takes', () => {
    expect(integrationUrls('https://ops.example', { id: 'abc', kind: 'alertmanager' })).toEqual([
      { use: 'alerts', url: 'https://ops.example/api/ichigen/v1/integrations/abc/api/v2/alerts' },
      { use: 'webhook', url: 'https://ops.example/api/ichigen/v1/integrations/abc/webhook' },
    ]);
    expect(integrationUrls('http://h:8910', { id: 'x', kind: 'heartbeat' })).toEqual([{ use: 'heartbeat', url: 'http://h:8910/api/ichigen/v1/integrations/x/heartbeat' }]);
    expect(integrationUrls('http://h', { id: 'x', kind: 'manual' })).toEqual([]);
  });

  it('writes a Prometheus alerting block with the path prefix and token', () => {
    const s = integrationSnippet('https://ops.example:8443', { id: 'abc', kind: 'alertmanager' }, 'igi_secret');
    expect(s).toContain('scheme: https');
    expect(s).toContain('path_prefix: /api/ichigen/v1/integrations/abc');
    expect(s).toContain('credentials: igi_secret');
    expect(s).toContain("targets: ['ops.example:8443']");
    expect(integrationSnippet('http://h', { id: 'x', kind: 'webhook' }, 't')).toContain("-H 'Authorization: Bearer t'");
  });
});
