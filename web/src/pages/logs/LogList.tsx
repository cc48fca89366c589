import { useRef, useState } from 'react';
import type { LogLine } from '../../lib/log-lines.js';
import { formatDateTime } from '../../lib/format-time.js';

const ROW = 22;
const OVERSCAN = 20;

/**
 * A virtualised list: only the rows in view (plus a margin) are in the DOM, so 5,000 lines
 * scroll as smoothly as 50. Rows have one fixed height; details open in a side panel.
 */
export function LogList({ lines, selected, onSelect, height }: { lines: readonly LogLine[]; selected: number | undefined; onSelect: (i: number) => void; height: number }): React.JSX.Element {
  const [top, setTop] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const first = Math.max(0, Math.floor(top / ROW) - OVERSCAN);
  const last = Math.min(lines.length, Math.ceil((top + height) / ROW) + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i++) {
    const l = lines[i]!;
    rows.push(
      <div
        key={i}
        role="row"
        aria-selected={selected === i}
        tabIndex={-1}
        className={`log-row lvl-${l.level}${selected === i ? ' sel' : ''}`}
        style={{ top: i * ROW }}
        onClick={() => onSelect(i)}
      >
        <span className="log-ts">{formatDateTime(l.ms)}</span>
        <span className="log-line">{l.line}</span>
      </div>,
    );
  }
  return (
    <div
      ref={box}
      className="log-list"
      role="grid"
      aria-rowcount={lines.length}
      tabIndex={0}
      style={{ height }}
      onScroll={(e) => setTop(e.currentTarget.scrollTop)}
      onKeyDown={(e) => {
        if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
        e.preventDefault();
        const next = Math.min(lines.length - 1, Math.max(0, (selected ?? -1) + (e.key === 'ArrowDown' ? 1 : -1)));
        onSelect(next);
        const el = box.current;
        if (el && (next * ROW < el.scrollTop || (next + 1) * ROW > el.scrollTop + height)) el.scrollTop = next * ROW - height / 2;
      }}
    >
      <div style={{ height: lines.length * ROW, position: 'relative' }}>{rows}</div>
    </div>
  );
}
