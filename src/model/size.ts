import { IchigenError } from './errors.js';

const SIZE_RE = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)?$/i;
const FACTORS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** Parses `512MiB`, `10GB` or a plain byte count; undefined when not a size. */
export function tryParseBytes(text: string): number | undefined {
  const m = SIZE_RE.exec(text.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * FACTORS[(m[2] ?? 'b').toLowerCase()]!);
}

export function parseBytes(text: string): number {
  const n = tryParseBytes(text);
  if (n === undefined) throw new IchigenError('INVALID_PARAMETER', `not a valid size: "${text}" (e.g. 512MiB, 10GB, 1048576)`);
  return n;
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${Number.isInteger(v) ? v : v.toFixed(1)}${units[i]}`;
}
