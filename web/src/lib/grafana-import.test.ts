import { describe, expect, it } from 'vitest';
import { dashboardSpecSchema } from '../../../src/api/dashboards/spec.js';
import { importGrafanaDashboard, parseLabelValues } from './grafana-import.js';

// A dashboard shaped like Grafana 10's export (written for this test).
const grafana = {
  title: 'Node overview',
  time: { from: 'now-6h', to: 'now' },
  refresh: '30s',
  annotations: { list: [{ builtIn: 1, name: 'Annotations & Alerts' }] },
  templating: {
    list: [
      { name: 'job', type: 'query', query: { query: 'label_values(up, job)', refId: 'x' }, current: { value: 'node' } },
      { name: 'instance', type: 'query', query: 'label_values(up{job="$job"}, instance)', multi: true, includeAll: true, current: { value: ['$__all'] } },
      { name: 'interval', type: 'interval', query: '1m,5m' },
    ],
  },
  panels: [
    { type: 'timeseries', title: 'CPU', gridPos: { x: 0, y: 0, w: 12, h: 8 }, fieldConfig: { defaults: { unit: 'percentunit', custom: { stacking: { mode: 'normal' } } } }, targets: [{ expr: 'sum by (mode) (rate(node_cpu_seconds_total{instance=~"$instance"}[5m]))', legendFormat: '{{mode}}' }] },
    { type: 'stat', title: 'Memory', gridPos: { x: 12, y: 0, w: 6, h: 4 }, fieldConfig: { defaults: { unit: 'bytes' } }, targets: [{ expr: 'node_memory_MemAvailable_bytes' }, { expr: 'node_memory_MemTotal_bytes' }] },
    { type: 'row', title: 'More', collapsed: true, panels: [{ type: 'gauge', title: 'Disk', gridPos: { x: 0, y: 9, w: 30, h: 1 }, fieldConfig: { defaults: { unit: 'decgbytes' } }, targets: [{ expr: 'disk_used' }] }] },
    { type: 'text', title: 'Notes', gridPos: { x: 0, y: 20, w: 24, h: 3 } },
    { type: 'logs', title: 'Logs', datasource: { type: 'loki', uid: 'l' }, gridPos: { x: 0, y: 30, w: 24, h: 10 }, targets: [{ expr: '{job="x"} |= "error"' }] },
    { type: 'heatmap', title: 'Latency', gridPos: { x: 0, y: 40, w: 24, h: 8 }, fieldConfig: { defaults: { unit: 's' } }, targets: [{ expr: 'sum by (le) (rate(http_request_duration_seconds_bucket[5m]))', format: 'heatmap', legendFormat: '{{le}}' }] },
    { type: 'heatmap', title: 'Raw heat', targets: [{ expr: 'rate(x[1m])' }] },
    { type: 'timeseries', title: 'Log rate', datasource: { type: 'loki', uid: 'l' }, targets: [{ expr: 'rate({job="x"}[1m])' }] },
    { type: 'graph', title: 'Old graph', stack: true, yaxes: [{ format: 's' }], targets: [{ expr: 'rate(x[1m])', legendFormat: '__auto' }] },
  ],
};

describe('Grafana dashboard import', () => {
  it('maps panels, units, stacking, legends, layout and label-value variables', () => {
    const { spec } = importGrafanaDashboard({ dashboard: grafana });
    expect(() => dashboardSpecSchema.parse(spec)).not.toThrow();
    expect(spec).toMatchObject({ title: 'Node overview', time: { from: 'now-6h', to: 'now' }, refresh: '30s' });
    expect(spec.panels.map((p) => [p.title, p.type, p.unit, p.stacked])).toEqual([
      ['CPU', 'timeseries', 'percentunit', true],
      ['Memory', 'stat', 'bytes', false],
      ['Disk', 'bargauge', 'short', false],
      ['Logs', 'logs', 'short', false],
      ['Latency', 'heatmap', 'seconds', false],
      ['Raw heat', 'heatmap', 'short', false],
      ['Log rate', 'timeseries', 'short', false],
      ['Old graph', 'timeseries', 'seconds', true],
    ]);
    expect(spec.panels[3]).toMatchObject({ expr: '{job="x"} |= "error"', gridPos: { x: 0, y: 30, w: 24, h: 10 } });
    expect(spec.panels[4]).toMatchObject({ expr: 'sum by (le) (rate(http_request_duration_seconds_bucket[5m]))' });
    expect(spec.panels[0]).toMatchObject({ legend: '{{mode}}', gridPos: { x: 0, y: 0, w: 12, h: 8 } });
    expect(spec.panels[2]!.gridPos).toEqual({ x: 0, y: 9, w: 24, h: 2 }); // clamped to the grid
    expect(spec.panels[6]).toMatchObject({ source: 'loki', expr: 'rate({job="x"}[1m])' });
    expect(spec.panels[0]!.source).toBe('prometheus');
    expect(spec.panels[7]!.legend).toBe('');
    expect(spec.variables).toEqual([
      { name: 'job', label: 'job', match: 'up', multi: false, includeAll: false, current: ['node'] },
      { name: 'instance', label: 'instance', match: 'up{job="$job"}', multi: true, includeAll: true, current: [] },
    ]);
  });

  it('tells what it skipped and why', () => {
    const { skipped } = importGrafanaDashboard(grafana);
    expect(skipped).toEqual(
      expect.arrayContaining([
        'panel "Memory": kept the first of 2 queries',
        'panel "Disk": unit "decgbytes" shown as a plain number',
        'panel "Disk": gauge shown as a bar gauge',
        'panel "Notes": type "text" is not supported',
        'panel "Raw heat": heatmap query has no histogram buckets (le); it shows only if the answer has them',
        'variable $interval: type "interval" is not supported (only label-value queries)',
      ]),
    );
    expect(skipped).toHaveLength(6);
  });

  it('refuses what is not a dashboard and parses label_values forms', () => {
    expect(() => importGrafanaDashboard({ hello: 1 })).toThrow(/not a Grafana dashboard/);
    expect(parseLabelValues('label_values(job)')).toEqual({ label: 'job', match: '' });
    expect(parseLabelValues('label_values(node_uname_info{a="b, c"}, nodename)')).toEqual({ label: 'nodename', match: 'node_uname_info{a="b, c"}' });
    expect(parseLabelValues('query_result(up)')).toBeUndefined();
  });
});
