import { flushSync } from 'react-dom';
import { createRoot } from 'react-dom/client';
import { RangeGraph } from '../../../web/src/charts/RangeGraph.js';
import type { AlignedSeries } from '../../../web/src/charts/series-data.js';
import { I18nProvider } from '../../../web/src/i18n/i18n.js';
import '../../../web/src/styles.css';

// Draws the real RangeGraph component with synthetic data and reports how long it took.
function data(series: number, points: number): AlignedSeries {
  const times = new Float64Array(points);
  for (let i = 0; i < points; i++) times[i] = 1_764_000_000 + i * 15;
  return {
    times,
    series: Array.from({ length: series }, (_, s) => ({
      name: `http_requests_total{instance="host-${s}:9100", job="api"}`,
      labels: { instance: `host-${s}:9100` },
      values: Array.from({ length: points }, (_, i) => 100 + s * 3 + 20 * Math.sin((i + s * 7) / 40) + ((i * 7919 + s) % 13)),
    })),
  };
}

const root = createRoot(document.getElementById('root')!);
const frame = (): Promise<void> => new Promise((r) => requestAnimationFrame(() => r()));

/** Milliseconds from handing React the data: `script` when the next frame begins (React and uPlot done, the canvas flushed), `total` when that frame has been painted. */
export interface Timing {
  readonly script: number;
  readonly total: number;
}

(window as unknown as { renderBench: (s: number, p: number, stacked: boolean) => Promise<Timing> }).renderBench = async (s, p, stacked) => {
  flushSync(() => root.render(<I18nProvider><div /></I18nProvider>));
  await frame();
  // The data exists before the clock starts: the figure is drawing, not generating or fetching.
  const d = data(s, p);
  await frame();
  const t0 = performance.now();
  flushSync(() => root.render(<I18nProvider><RangeGraph data={d} unit="reqps" stacked={stacked} height={400} /></I18nProvider>));
  // uPlot draws on its commit (a microtask); Chromium rasterises the canvas when it paints the
  // next frame, so the graph is on screen when the frame after that begins.
  await frame();
  const script = performance.now() - t0;
  await frame();
  if (!document.querySelector('.graph-canvas canvas')) throw new Error('no canvas drawn');
  return { script, total: performance.now() - t0 };
};

// The same drawing with uPlot alone (no React, no legend): separates our overhead from the library's.
import uPlot from 'uplot';
(window as unknown as { renderRaw: (s: number, p: number, width: number) => Promise<Timing> }).renderRaw = async (s, p, width) => {
  const d = data(s, p);
  const host = document.createElement('div');
  document.body.appendChild(host);
  await frame();
  const t0 = performance.now();
  const u = new uPlot({ width: 1200, height: 400, legend: { show: false }, series: [{}, ...d.series.map(() => ({ stroke: '#3b82f6', width }))] }, [d.times as unknown as number[], ...d.series.map((x) => x.values as (number | null)[])], host);
  await frame();
  const script = performance.now() - t0;
  await frame();
  const total = performance.now() - t0;
  u.destroy();
  host.remove();
  return { script, total };
};
