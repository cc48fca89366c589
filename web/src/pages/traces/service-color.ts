import { seriesColor } from '../../charts/series-data.js';

/** A stable colour per service name (the same service looks the same everywhere). */
export function serviceColor(name: string): string {
  let h = 0;
  for (let i = 0; i < name.length; i++) h = (h * 31 + name.charCodeAt(i)) >>> 0;
  return seriesColor(h % 16);
}
