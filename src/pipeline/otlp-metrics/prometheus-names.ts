/**
 * Prometheus-compatible names for OTLP metrics and attributes, following the rules of
 * Prometheus' own OTLP receiver (the default "underscore escaping with suffixes"):
 * name split into letter/digit words, the unit appended as words (`By/s` → `bytes_per_second`,
 * units in braces dropped), `_total` for monotonic sums, `_ratio` for gauges with unit `1`.
 */
const UNITS: Record<string, string> = {
  d: 'days',
  h: 'hours',
  min: 'minutes',
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  KiBy: 'kibibytes',
  MiBy: 'mebibytes',
  GiBy: 'gibibytes',
  TiBy: 'tibibytes',
  KBy: 'kilobytes',
  MBy: 'megabytes',
  GBy: 'gigabytes',
  TBy: 'terabytes',
  m: 'meters',
  V: 'volts',
  A: 'amperes',
  J: 'joules',
  W: 'watts',
  g: 'grams',
  Cel: 'celsius',
  Hz: 'hertz',
  '1': '',
  '%': 'percent',
};
const PER_UNITS: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day', w: 'week', mo: 'month', y: 'year' };

function words(s: string): string[] {
  return s.split(/[^\p{L}\p{N}]+/u).filter((w) => w !== '');
}

function cleanUp(s: string): string {
  return words(s).join('_');
}

export type OtlpKind = 'gauge' | 'counter' | 'nonMonotonicSum' | 'histogram' | 'summary';

/** The unit part of the name (also the metadata unit): `seconds`, `bytes_per_second`, or ''. */
export function unitSuffix(unit: string): string {
  const [main = '', per] = unit.split('/', 2).map((x) => x.trim());
  const parts: string[] = [];
  if (main !== '' && !/[{}]/.test(main)) {
    const m = cleanUp(UNITS[main] ?? main);
    if (m !== '') parts.push(m);
  }
  if (per !== undefined && per !== '' && !/[{}]/.test(per)) {
    const p = cleanUp(PER_UNITS[per] ?? per);
    if (p !== '') parts.push('per', p);
  }
  return parts.join('_');
}

export function prometheusMetricName(name: string, unit: string, kind: OtlpKind): string {
  const tokens = words(name);
  const [main = '', per] = unit.split('/', 2).map((x) => x.trim());
  if (main !== '' && !/[{}]/.test(main)) {
    const m = cleanUp(UNITS[main] ?? main);
    if (m !== '' && !tokens.includes(m)) tokens.push(m);
  }
  if (per !== undefined && per !== '' && !/[{}]/.test(per)) {
    const p = cleanUp(PER_UNITS[per] ?? per);
    if (p !== '' && !tokens.includes(p)) tokens.push('per', p);
  }
  let out = tokens;
  if (kind === 'counter') out = [...out.filter((t) => t !== 'total'), 'total'];
  if (unit === '1' && kind === 'gauge') out = [...out.filter((t) => t !== 'ratio'), 'ratio'];
  let joined = out.join('_');
  if (/^\d/.test(joined)) joined = `_${joined}`;
  return joined;
}

/**
 * An attribute key as a label name: invalid characters to `_` (one per character, as Go's
 * regexp replaces runes, so `é` or an emoji gives one `_`), `key_` before a digit, `key`
 * before a single `_`.
 */
export function prometheusLabelName(key: string): string {
  if (key === '') return key;
  let l = key.replace(/[^a-zA-Z0-9_]/gu, '_');
  if (/^\d/.test(l)) l = `key_${l}`;
  else if (l.startsWith('_') && !l.startsWith('__')) l = `key${l}`;
  return l;
}

/** Go's strconv.FormatFloat(v, 'f', -1, 64): shortest digits, never an exponent (for `le`, `quantile`). */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  if (!s.includes('e')) return s;
  const [mant, expText] = v.toExponential().split('e') as [string, string];
  const neg = mant.startsWith('-');
  const digits = mant.replace('-', '').replace('.', '');
  const exp = Number(expText);
  let out: string;
  if (exp >= 0) out = digits.length - 1 <= exp ? digits + '0'.repeat(exp - digits.length + 1) : `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  else out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  return (neg ? '-' : '') + out;
}
