/**
 * What to complete at a cursor in a LogQL query. Worked out from the text before the cursor
 * (a half-typed query rarely parses, so the syntax tree is no help here).
 */
export type LogqlContext =
  /** Inside a stream selector `{…}` or a `by (…)` list: a label name. */
  | { readonly kind: 'labelName'; readonly from: number; readonly prefix: string }
  /** After `name=` (or `!=`, `=~`, `!~`) in a selector; `quoted` when the `"` is already typed. */
  | { readonly kind: 'labelValue'; readonly from: number; readonly prefix: string; readonly label: string; readonly quoted: boolean }
  /** After a `|`: a parser or formatting stage, or a label to filter on. */
  | { readonly kind: 'pipeline'; readonly from: number; readonly prefix: string }
  /** Outside any selector: a function, an aggregation, or `{` to start one. */
  | { readonly kind: 'function'; readonly from: number; readonly prefix: string };

export const PIPELINE_STAGES = ['json', 'logfmt', 'pattern', 'regexp', 'unpack', 'line_format', 'label_format', 'unwrap', 'keep', 'drop', 'decolorize'] as const;
export const RANGE_FUNCTIONS = ['rate', 'count_over_time', 'bytes_over_time', 'bytes_rate', 'rate_counter', 'avg_over_time', 'sum_over_time', 'min_over_time', 'max_over_time', 'stddev_over_time', 'stdvar_over_time', 'quantile_over_time', 'first_over_time', 'last_over_time', 'absent_over_time'] as const;
export const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count', 'stddev', 'stdvar', 'topk', 'bottomk', 'sort', 'sort_desc', 'approx_topk'] as const;

interface Scan {
  /** Index of the `{` of the selector the cursor is in, or -1. */
  readonly selectorStart: number;
  /** Index of the `(` of a `by`/`without` list the cursor is in, or -1. */
  readonly groupingStart: number;
  /** The quote the cursor is inside, and where its string starts (after the quote). */
  readonly quote: string | undefined;
  readonly stringStart: number;
}

/** Walks the text once, tracking strings (", `), comments, selectors and grouping lists. */
function scan(text: string): Scan {
  let selectorStart = -1;
  let groupingStart = -1;
  let quote: string | undefined;
  let stringStart = -1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === '`') {
      quote = c;
      stringStart = i + 1;
    } else if (c === '#') {
      const nl = text.indexOf('\n', i);
      if (nl < 0) return { selectorStart: -1, groupingStart: -1, quote: undefined, stringStart: -1 };
      i = nl;
    } else if (c === '{') selectorStart = i;
    else if (c === '}') selectorStart = -1;
    else if (c === '(' && /\b(?:by|without)\s*$/.test(text.slice(Math.max(0, i - 12), i))) groupingStart = i;
    else if (c === ')') groupingStart = -1;
  }
  return { selectorStart, groupingStart, quote, stringStart };
}

/** The completion context at `pos`, or undefined where nothing sensible completes (inside a line filter's string, say). */
export function logqlContext(doc: string, pos: number): LogqlContext | undefined {
  const text = doc.slice(0, pos);
  const s = scan(text);
  if (s.selectorStart >= 0) {
    // The matcher being typed: everything since the selector's `{` or the last `,` outside a string.
    const inSelector = text.slice(s.selectorStart + 1);
    const segment = lastMatcher(inSelector);
    if (s.quote !== undefined) {
      const m = /^\s*([A-Za-z_][\w]*)\s*(?:=~|!~|!=|=)\s*["`]([^"`]*)$/.exec(segment);
      return m ? { kind: 'labelValue', from: s.stringStart, prefix: m[2]!, label: m[1]!, quoted: true } : undefined;
    }
    const op = /^\s*([A-Za-z_][\w]*)\s*(?:=~|!~|!=|=)\s*$/.exec(segment);
    if (op) return { kind: 'labelValue', from: pos, prefix: '', label: op[1]!, quoted: false };
    const name = /^\s*([A-Za-z_][\w]*)?$/.exec(segment);
    if (name) return { kind: 'labelName', from: pos - (name[1]?.length ?? 0), prefix: name[1] ?? '' };
    return undefined;
  }
  if (s.quote !== undefined) return undefined;
  if (s.groupingStart >= 0) {
    const m = /([A-Za-z_][\w]*)?$/.exec(text)!;
    return { kind: 'labelName', from: pos - (m[1]?.length ?? 0), prefix: m[1] ?? '' };
  }
  const stage = /\|\s*([A-Za-z_][\w]*)?$/.exec(text);
  if (stage && !/[|][=~]\s*$/.test(text)) return { kind: 'pipeline', from: pos - (stage[1]?.length ?? 0), prefix: stage[1] ?? '' };
  // A function starts an expression: at the start, after `(` or `,`, or after a binary operator.
  const word = /([A-Za-z_][\w]*)?$/.exec(text)!;
  const before = text.slice(0, text.length - (word[1]?.length ?? 0)).trimEnd();
  if (before === '' || /(?:[(,+*/%^<>-]|[^|!=~]=|\b(?:and|or|unless|bool))$/.test(before)) return { kind: 'function', from: pos - (word[1]?.length ?? 0), prefix: word[1] ?? '' };
  return undefined;
}

/** The text of the last matcher in a selector body (commas inside strings do not split). */
function lastMatcher(body: string): string {
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote !== undefined) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === '`') quote = c;
    else if (c === ',') start = i + 1;
  }
  return body.slice(start);
}

/** A label value as a LogQL string literal body (backslashes and quotes escaped). */
export function escapeLogqlString(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}
