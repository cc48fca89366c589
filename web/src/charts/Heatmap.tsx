import { useEffect, useRef, useState } from 'react';
import { useT } from '../i18n/i18n.js';
import { formatDateTime } from '../lib/format-time.js';
import { formatValue, type Unit } from '../lib/units.js';
import { heatColor, type HeatmapData } from './heatmap-data.js';

const LEFT = 64;
const BOTTOM = 20;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

const hhmm = (s: number): string => new Date(s * 1000).toTimeString().slice(0, 5);

/**
 * Histogram buckets over time on a canvas: a column per step, a row per bucket, darker for
 * more. `unit` is the unit of the bucket bounds (usually seconds). Hovering a cell names its
 * time, bucket and count.
 */
export function Heatmap({ data, unit, height }: { data: HeatmapData; unit: Unit; height: number }): React.JSX.Element {
  const t = useT();
  const box = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  const [hover, setHover] = useState<{ x: number; y: number; step: number; bucket: number }>();
  const [themeTick, setThemeTick] = useState(0);

  useEffect(() => {
    const el = box.current!;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    const h = (): void => setThemeTick((x) => x + 1);
    window.addEventListener('ichigen-theme', h);
    return () => {
      ro.disconnect();
      window.removeEventListener('ichigen-theme', h);
    };
  }, []);

  const plotW = Math.max(10, width - LEFT - 8);
  const plotH = Math.max(10, height - BOTTOM - 4);
  const cols = data.times.length;
  const rows = data.buckets.length;

  useEffect(() => {
    const c = canvas.current;
    if (!c || width === 0) return;
    const dpr = window.devicePixelRatio || 1;
    c.width = Math.round(width * dpr);
    c.height = Math.round(height * dpr);
    const g = c.getContext('2d')!;
    g.setTransform(dpr, 0, 0, dpr, 0, 0);
    g.clearRect(0, 0, width, height);
    const cw = plotW / Math.max(cols, 1);
    const rh = plotH / Math.max(rows, 1);
    for (let b = 0; b < rows; b++) {
      const row = data.counts[b]!;
      const y = 4 + plotH - (b + 1) * rh;
      for (let i = 0; i < cols; i++) {
        const colour = heatColor(row[i] ?? 0, data.max);
        if (!colour) continue;
        g.fillStyle = colour;
        // A hair of overlap so neighbouring cells do not show seams.
        g.fillRect(LEFT + i * cw, y, cw + 0.5, rh + 0.5);
      }
    }
    const muted = cssVar('--muted');
    g.fillStyle = muted;
    g.font = '11px system-ui, sans-serif';
    g.textAlign = 'right';
    g.textBaseline = 'middle';
    const every = Math.max(1, Math.ceil(rows / Math.max(1, Math.floor(plotH / 16))));
    for (let b = 0; b < rows; b += every) {
      const up = data.buckets[b]!.upper;
      g.fillText(up === Infinity ? '+Inf' : formatValue(up, unit, 2), LEFT - 6, 4 + plotH - (b + 0.5) * rh);
    }
    g.textAlign = 'center';
    g.textBaseline = 'top';
    const ticks = Math.max(2, Math.floor(plotW / 90));
    for (let k = 0; k < ticks; k++) {
      const i = Math.round((k / (ticks - 1)) * (cols - 1));
      const x = LEFT + (i + 0.5) * cw;
      if (data.times[i] !== undefined) g.fillText(hhmm(data.times[i]!), Math.min(Math.max(x, LEFT + 16), width - 20), 4 + plotH + 4);
    }
  }, [data, unit, width, height, plotW, plotH, cols, rows, themeTick]);

  const move = (e: React.MouseEvent<HTMLCanvasElement>): void => {
    const r = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    const step = Math.floor(((x - LEFT) / plotW) * cols);
    const bucket = Math.floor(((4 + plotH - y) / plotH) * rows);
    if (step < 0 || step >= cols || bucket < 0 || bucket >= rows) setHover(undefined);
    else setHover({ x, y, step, bucket });
  };
  const b = hover ? data.buckets[hover.bucket]! : undefined;
  const bound = (v: number): string => (v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : formatValue(v, unit, 3));
  return (
    <div ref={box} className="heatmap" style={{ height }}>
      <canvas
        ref={canvas}
        style={{ width: '100%', height }}
        role="img"
        aria-label={t('dash.heatmapLabel', { buckets: rows, steps: cols })}
        onMouseMove={move}
        onMouseLeave={() => setHover(undefined)}
      />
      {hover && b && (
        <div className="heatmap-tip" style={{ left: Math.min(hover.x + 12, Math.max(0, width - 200)), top: Math.max(0, hover.y - 40) }}>
          <div className="muted">{formatDateTime(data.times[hover.step]! * 1000)}</div>
          <div className="mono">
            ({bound(b.lower)}, {bound(b.upper)}]: {formatValue(data.counts[hover.bucket]![hover.step] ?? null, 'short', 3)}
          </div>
        </div>
      )}
    </div>
  );
}
