import { IchigenError, METRIC_NAME, type Label, type MetricMetadata, type MetricType } from '../../model/index.js';

/** One sample line of an exposition, labels unsorted (as written) with `__name__` first. */
export interface ScrapedSample {
  readonly labels: Label[];
  readonly value: number;
  /** Milliseconds, when the line carries a timestamp. */
  readonly timestamp: number | undefined;
}

export interface ParsedExposition {
  readonly samples: ScrapedSample[];
  /** Per metric family name, from HELP/TYPE/UNIT comments. */
  readonly metadata: MetricMetadata[];
}

const TYPES = new Set<MetricType>(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown']);
const SUFFIXES = ['_total', '_bucket', '_count', '_sum', '_created', '_gcount', '_gsum', '_info'];

/**
 * Parses the Prometheus text format (0.0.4) and OpenMetrics 1.0 text. Differences that
 * matter: OpenMetrics timestamps are float seconds (text format: integer ms), it ends with
 * `# EOF`, may carry `# UNIT` and exemplars (` # {…} v [t]`, skipped here) and counters are
 * declared by family name with samples named `<family>_total`.
 * Errors name the line: a scrape that fails to parse counts as a failed scrape (up = 0).
 */
export function parseExposition(text: string, openMetrics: boolean): ParsedExposition {
  const samples: ScrapedSample[] = [];
  const meta = new Map<string, { type: MetricType; help: string; unit: string }>();
  const family = (name: string): { type: MetricType; help: string; unit: string } => {
    let m = meta.get(name);
    if (!m) meta.set(name, (m = { type: 'unknown', help: '', unit: '' }));
    return m;
  };
  const lines = text.split('\n');
  let sawEof = false;
  for (let ln = 0; ln < lines.length; ln++) {
    let line = lines[ln]!;
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (sawEof) {
      if (line.trim() !== '') throw lineError(ln, 'data after # EOF');
      continue;
    }
    if (line.trim() === '') {
      if (openMetrics && ln < lines.length - 1) throw lineError(ln, 'empty line');
      continue;
    }
    if (line.startsWith('#')) {
      const m = /^#\s*(HELP|TYPE|UNIT|EOF)(?:\s+(\S+)(?:\s(.*))?)?$/.exec(line);
      if (!m) continue; // other comments
      const [, kind, name, rest = ''] = m;
      if (kind === 'EOF') {
        sawEof = true;
        continue;
      }
      if (name === undefined) throw lineError(ln, `# ${kind} without a metric name`);
      if (kind === 'HELP') family(name).help = unescapeHelp(rest, openMetrics);
      else if (kind === 'TYPE') {
        const t = rest.trim() as MetricType;
        if (!TYPES.has(t)) throw lineError(ln, `invalid metric type "${rest.trim()}"`);
        family(name).type = t;
      } else {
        const unit = rest.trim();
        // OpenMetrics: a family with a unit must carry it as its name's suffix.
        if (unit !== '' && !name.endsWith(`_${unit}`)) throw lineError(ln, `unit "${unit}" is not a suffix of the metric family name "${name}"`);
        family(name).unit = unit;
      }
      continue;
    }
    samples.push(parseSampleLine(line, ln, openMetrics));
  }
  if (openMetrics && !sawEof) throw new IchigenError('INVALID_BODY', 'OpenMetrics exposition does not end with # EOF');
  const metadata: MetricMetadata[] = [...meta].map(([metric, m]) => ({ metric, type: m.type, help: m.help, unit: m.unit }));
  return { samples, metadata };
}

/** The metric family a sample name belongs to, given the declared families. */
export function familyOf(name: string, families: ReadonlySet<string>): string {
  if (families.has(name)) return name;
  for (const s of SUFFIXES) if (name.endsWith(s) && families.has(name.slice(0, -s.length))) return name.slice(0, -s.length);
  return name;
}

function parseSampleLine(line: string, ln: number, om: boolean): ScrapedSample {
  let i = 0;
  const n = line.length;
  while (i < n && line[i] !== '{' && line[i] !== ' ' && line[i] !== '\t') i++;
  const name = line.slice(0, i);
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw lineError(ln, `invalid metric name "${name}"`);
  const labels: Label[] = [{ name: METRIC_NAME, value: name }];
  if (line[i] === '{') {
    i++;
    for (;;) {
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === '}') {
        i++;
        break;
      }
      const start = i;
      while (i < n && /[a-zA-Z0-9_]/.test(line[i]!)) i++;
      const lname = line.slice(start, i);
      if (lname === '' || !/^[a-zA-Z_]/.test(lname)) throw lineError(ln, 'invalid label name');
      while (line[i] === ' ') i++;
      if (line[i] !== '=') throw lineError(ln, `expected "=" after label name "${lname}"`);
      i++;
      while (line[i] === ' ') i++;
      if (line[i] !== '"') throw lineError(ln, `expected a quoted value for label "${lname}"`);
      i++;
      let value = '';
      for (;;) {
        if (i >= n) throw lineError(ln, `unterminated value of label "${lname}"`);
        const c = line[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\') {
          const e = line[i + 1];
          if (e === 'n') value += '\n';
          else if (e === '\\') value += '\\';
          else if (e === '"') value += '"';
          else if (om) throw lineError(ln, `invalid escape "\\${e ?? ''}" in label value`);
          else value += '\\' + (e ?? '');
          i += 2;
          continue;
        }
        value += c;
        i++;
      }
      if (labels.some((l) => l.name === lname)) throw lineError(ln, `label "${lname}" is repeated`);
      if (value !== '') labels.push({ name: lname, value });
      while (line[i] === ' ' || line[i] === '\t') i++;
      if (line[i] === ',') {
        i++;
        continue;
      }
      if (line[i] === '}') {
        i++;
        break;
      }
      throw lineError(ln, 'expected "," or "}" in the label set');
    }
  }
  // Value, optional timestamp, optional OpenMetrics exemplar.
  let rest = line.slice(i);
  const hash = om ? rest.indexOf(' # ') : -1;
  if (hash >= 0) rest = rest.slice(0, hash);
  const parts = rest.trim().split(/[ \t]+/);
  if (parts.length < 1 || parts[0] === '') throw lineError(ln, `sample "${name}" has no value`);
  if (parts.length > 2) throw lineError(ln, `unexpected text after the sample of "${name}"`);
  const value = parseValue(parts[0]!);
  if (value === undefined) throw lineError(ln, `invalid value "${parts[0]}"`);
  let timestamp: number | undefined;
  if (parts.length === 2) {
    const t = Number(parts[1]);
    if (!Number.isFinite(t)) throw lineError(ln, `invalid timestamp "${parts[1]}"`);
    timestamp = om ? Math.round(t * 1000) : Math.trunc(t);
  }
  return { labels, value, timestamp };
}

function parseValue(s: string): number | undefined {
  const l = s.toLowerCase();
  if (l === 'nan') return NaN;
  if (l === '+inf' || l === 'inf') return Infinity;
  if (l === '-inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s) && !/^[+-]?0[xX][0-9a-fA-F]+$/.test(s)) return undefined;
  return Number(s);
}

function unescapeHelp(s: string, om: boolean): string {
  return s.replace(/\\(.)/g, (m, c: string) => (c === 'n' ? '\n' : c === '\\' ? '\\' : om && c === '"' ? '"' : m));
}

function lineError(ln: number, message: string): IchigenError {
  return new IchigenError('INVALID_BODY', `exposition line ${ln + 1}: ${message}`);
}
