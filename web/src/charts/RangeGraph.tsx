import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useT } from '../i18n/i18n.js';
import { formatValue, type Unit } from '../lib/units.js';
import { seriesColor, stackValues, type AlignedSeries } from './series-data.js';

export interface RangeGraphProps {
  readonly data: AlignedSeries;
  readonly unit: Unit;
  readonly stacked: boolean;
  readonly height?: number;
  /** Called with a dragged selection, in milliseconds. */
  readonly onZoom?: (startMs: number, endMs: number) => void;
  /** Hide the legend (small dashboard panels). */
  readonly compactLegend?: boolean;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/**
 * A time-series graph on uPlot (canvas; thousands of points per series stay fast).
 * The legend is ours: click a series to show only it, Ctrl/⌘-click to toggle it.
 */
export function RangeGraph({ data, unit, stacked, height = 320, onZoom, compactLegend = false }: RangeGraphProps): React.JSX.Element {
  const t = useT();
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const valueCells = useRef<Array<HTMLSpanElement | null>>([]);
  // Visibility belongs to one result: new data shows every series again (derived during
  // render, not in an effect, so a new result draws once, not twice).
  const [vis, setVis] = useState<{ data: AlignedSeries; visible: boolean[] }>(() => ({ data, visible: data.series.map(() => true) }));
  const visible = vis.data === data ? vis.visible : data.series.map(() => true);
  const setVisible = (v: boolean[]): void => setVis({ data, visible: v });
  const [themeTick, setThemeTick] = useState(0);
  const onZoomRef = useRef(onZoom);
  onZoomRef.current = onZoom;

  useEffect(() => {
    const h = (): void => setThemeTick((x) => x + 1);
    window.addEventListener('ichigen-theme', h);
    return () => window.removeEventListener('ichigen-theme', h);
  }, []);

  const visKey = visible.join(',');
  const plotted = useMemo(() => {
    const raw = data.series.map((s) => s.values);
    return stacked ? stackValues(raw, visKey.split(',').map((x) => x === 'true')) : raw;
  }, [data, stacked, visKey]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axisColor = cssVar('--muted');
    const gridColor = cssVar('--border');
    const axis = (): uPlot.Axis => ({ stroke: axisColor, grid: { stroke: gridColor, width: 1 }, ticks: { stroke: gridColor, width: 1 }, font: '11px system-ui, sans-serif' });
    // Chromium rasterises a canvas stroke at most one device pixel wide as a hairline, about
    // 10× faster than a wider stroke on a software canvas (100 series × 1,000 points: ~20 ms
    // instead of ~270 ms at 1.25 px). Busy graphs get that; a few series stay bolder.
    const dense = data.series.length * data.times.length > 20_000;
    const lineWidth = dense ? 1 / (window.devicePixelRatio || 1) : 1.5;
    const opts: uPlot.Options = {
      width: el.clientWidth || 800,
      height,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
      scales: { x: { time: true } },
      axes: [axis(), { ...axis(), size: 64, values: (_u, splits) => splits.map((v) => formatValue(v, unit, 2)) }],
      series: [
        {},
        ...data.series.map((s, i) => ({
          label: s.name,
          stroke: seriesColor(i),
          width: lineWidth,
          show: visible[i] !== false,
          spanGaps: false,
          points: { show: data.times.length < 60 },
          ...(stacked ? { fill: `${seriesColor(i)}40` } : {}),
        })),
      ],
      // Stacked: fill each band down to the series below it, not to zero.
      bands: stacked ? data.series.slice(1).map((_, i) => ({ series: [i + 2, i + 1] as [number, number] })) : [],
      hooks: {
        setSelect: [
          (u) => {
            if (u.select.width > 2 && onZoomRef.current) {
              const a = u.posToVal(u.select.left, 'x');
              const b = u.posToVal(u.select.left + u.select.width, 'x');
              onZoomRef.current(a * 1000, b * 1000);
            }
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          },
        ],
        setCursor: [
          (u) => {
            // Write the hovered values straight into the legend (no React render per mouse move).
            const idx = u.cursor.idx;
            data.series.forEach((s, i) => {
              const cell = valueCells.current[i];
              if (cell) cell.textContent = idx === null || idx === undefined ? '' : formatValue(s.values[idx], unit);
            });
          },
        ],
      },
    };
    const u = new uPlot(opts, [data.times as unknown as number[], ...plotted] as uPlot.AlignedData, el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: el.clientWidth, height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data, plotted, unit, stacked, height, themeTick, visKey]);

  const click = (i: number, e: React.MouseEvent): void => {
    const onlyThis = visible.every((v, k) => (k === i ? v : !v));
    let next: boolean[];
    if (e.ctrlKey || e.metaKey) next = visible.map((v, k) => (k === i ? !v : v));
    else next = onlyThis ? visible.map(() => true) : visible.map((_, k) => k === i);
    setVisible(next);
  };

  return (
    <div className="graph">
      <div ref={box} className="graph-canvas" />
      {!compactLegend && (
        <ul className="legend" aria-label={t('metrics.series')}>
          {data.series.map((s, i) => (
            <li key={i} className={visible[i] === false ? 'off' : ''}>
              <button type="button" onClick={(e) => click(i, e)} title={s.name}>
                <span className="swatch" style={{ background: seriesColor(i) }} />
                <span className="legend-name">{s.name}</span>
                <span
                  className="legend-value"
                  ref={(node) => {
                    valueCells.current[i] = node;
                  }}
                />
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
