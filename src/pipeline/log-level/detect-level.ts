import { compareLabelNames, type Label, type Labels } from '../../model/index.js';

/** The structured metadata name Loki's level discovery writes (Grafana's Logs Drilldown reads it). */
export const DETECTED_LEVEL = 'detected_level';

/** Label and metadata names read as a level, in order of preference (Loki's `log_level_fields` default). */
export const LEVEL_FIELDS: readonly string[] = [
  'level',
  'LEVEL',
  'Level',
  'log.level',
  'severity',
  'SEVERITY',
  'Severity',
  'SeverityText',
  'lvl',
  'LVL',
  'Lvl',
  'severity_text',
  'Severity_Text',
  'SEVERITY_TEXT',
];
const LEVEL_FIELD_SET = new Set(LEVEL_FIELDS);
/** JSON lines are searched this deep for a level key (Loki's `log_level_from_json_max_depth`). */
const JSON_MAX_DEPTH = 2;

const CANONICAL: ReadonlyArray<readonly [string, readonly string[]]> = [
  ['trace', ['trace', 'trc']],
  ['debug', ['debug', 'dbg']],
  ['info', ['info', 'inf', 'information']],
  ['warn', ['warn', 'wrn', 'warning']],
  ['error', ['error', 'err']],
  ['critical', ['critical']],
  ['fatal', ['fatal']],
];

/** A known level spelling (any case) as its canonical name; undefined when unknown. */
function canonical(text: string): string | undefined {
  const l = text.toLowerCase();
  for (const [name, spellings] of CANONICAL) if (spellings.includes(l)) return name;
  return undefined;
}

/** OTLP SeverityNumber ranges (1–4 trace … 21–24 fatal). */
function levelOfSeverityNumber(text: string): string {
  const n = Number.parseInt(text, 10);
  if (!Number.isFinite(n) || String(n) !== text.trim()) return 'info';
  if (n <= 0) return 'unknown';
  const names = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
  return names[Math.floor((n - 1) / 4)] ?? 'unknown';
}

function findField(labels: Labels): string | undefined {
  for (const name of LEVEL_FIELDS) {
    const l = labels.find((x) => x.name === name);
    if (l !== undefined) return l.value;
  }
  return undefined;
}

/** Words in free text, checked in Loki's order (so "info" wins over a later "error"). */
function levelOfText(line: string): string {
  const has = (...words: string[]): boolean => words.some((w) => line.includes(w));
  if (has('info:', 'INFO:', '[info]', '[INFO]', 'info', 'INFO')) return 'info';
  if (has('err:', 'ERR:', '[err]', '[ERR]', '[error]', '[ERROR]')) return 'error';
  if (has('warn:', 'WARN:', '[warn]', '[WARN]', '[warning]', '[WARNING]', 'warning', 'WARNING')) return 'warn';
  if (has('critical:', 'CRITICAL:', '[critical]', '[CRITICAL]')) return 'critical';
  if (has('debug:', 'DEBUG:', '[debug]', '[DEBUG]', 'debug', 'DEBUG')) return 'debug';
  return 'unknown';
}

function looksLikeJson(line: string): boolean {
  const t = line.trim();
  return t.startsWith('{') && t.endsWith('}');
}

function jsonLevel(line: string): string | undefined {
  let root: unknown;
  try {
    root = JSON.parse(line);
  } catch {
    return undefined;
  }
  const walk = (o: unknown, depth: number): string | undefined => {
    if (depth >= JSON_MAX_DEPTH || typeof o !== 'object' || o === null || Array.isArray(o)) return undefined;
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'string' && LEVEL_FIELD_SET.has(k)) return v;
      if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
        const found = walk(v, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return walk(root, 0);
}

const LOGFMT_PAIR = /([^\s="]+)(?:=("(?:[^"\\]|\\.)*"|\S*))?/g;

/** The value of the most preferred level key in a logfmt line (keys compared ignoring case). */
function logfmtLevel(line: string): string | undefined {
  const hints = LEVEL_FIELDS.map((f) => f.toLowerCase());
  let best = hints.length;
  let value: string | undefined;
  for (const m of line.matchAll(LOGFMT_PAIR)) {
    const i = hints.indexOf(m[1]!.toLowerCase());
    if (i < 0 || i >= best) continue;
    const raw = m[2] ?? '';
    value = raw.startsWith('"') ? unquote(raw) : raw;
    best = i;
    if (i === 0) break;
  }
  return value;
}

function unquote(raw: string): string {
  try {
    return JSON.parse(raw) as string;
  } catch {
    return raw.slice(1, -1);
  }
}

function levelOfLine(line: string): string {
  const value = looksLikeJson(line) ? jsonLevel(line) : line.includes('=') ? logfmtLevel(line) : undefined;
  return (value !== undefined ? canonical(value) : undefined) ?? levelOfText(line);
}

/**
 * Loki's level discovery at ingest (`discover_log_levels`): the level an entry gets as
 * `detected_level` structured metadata. A level label or metadata field wins (known spellings
 * normalised, others kept as they are); then an OTLP `severity_number`; then a `level`-like
 * key in a JSON or logfmt line; then words in the text; `unknown` when nothing matches.
 */
export function detectLevel(stream: Labels, metadata: Labels, line: string): string {
  const field = findField(stream) ?? findField(metadata);
  if (field !== undefined) return canonical(field) ?? field;
  const severity = metadata.find((l) => l.name === 'severity_number');
  if (severity !== undefined) return levelOfSeverityNumber(severity.value);
  return levelOfLine(line);
}

/**
 * The entry's metadata with `detected_level` added (sorted), unless the stream or the entry
 * already has one (an existing metadata value is normalised, as Loki does).
 */
export function withDetectedLevel(stream: Labels, metadata: Labels, line: string): Labels {
  if (stream.some((l) => l.name === DETECTED_LEVEL)) return metadata;
  const existing = metadata.findIndex((l) => l.name === DETECTED_LEVEL);
  if (existing >= 0) {
    const norm = canonical(metadata[existing]!.value);
    if (norm === undefined || norm === metadata[existing]!.value) return metadata;
    return metadata.map((l, i) => (i === existing ? { name: DETECTED_LEVEL, value: norm } : l));
  }
  const added: Label[] = [...metadata, { name: DETECTED_LEVEL, value: detectLevel(stream, metadata, line) }];
  return added.sort(compareLabelNames);
}
