import type { Labels } from '../../model/index.js';

export const ERROR_LABEL = '__error__';
export const ERROR_DETAILS_LABEL = '__error_details__';

/**
 * The labels of one entry while it flows through the pipeline: stream labels, structured
 * metadata and parsed labels (in that order of precedence, lowest first), plus the error.
 */
export class LabelsBuilder {
  readonly base: Map<string, string>;
  private readonly meta: Map<string, string>;
  readonly parsed = new Map<string, string>();
  private readonly deleted = new Set<string>();
  err = '';
  errDetails = '';

  constructor(stream: Labels, metadata: Labels) {
    // A builder per entry: the stream's map is shared (never written: deletes go to
    // `deleted`, sets to `parsed`), built once per stream label array.
    this.base = streamMap(stream);
    this.meta = metadata.length === 0 ? EMPTY : new Map(metadata.map((l) => [l.name, l.value]));
  }

  /** A stream label name (parsers add `_extracted` to keys that repeat one). */
  baseHas(name: string): boolean {
    return this.base.has(name) && !this.deleted.has(name);
  }

  get(name: string): string | undefined {
    if (name === ERROR_LABEL) return this.err === '' ? undefined : this.err;
    if (name === ERROR_DETAILS_LABEL) return this.errDetails === '' ? undefined : this.errDetails;
    if (this.deleted.has(name)) return undefined;
    return this.parsed.get(name) ?? this.meta.get(name) ?? this.base.get(name);
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  set(name: string, value: string): void {
    if (name === ERROR_LABEL) {
      this.err = value;
      return;
    }
    if (name === ERROR_DETAILS_LABEL) {
      this.errDetails = value;
      return;
    }
    this.deleted.delete(name);
    this.parsed.set(name, value);
  }

  del(name: string): void {
    if (name === ERROR_LABEL) {
      this.err = '';
      this.errDetails = '';
      return;
    }
    if (name === ERROR_DETAILS_LABEL) {
      this.errDetails = '';
      return;
    }
    this.parsed.delete(name);
    this.deleted.add(name);
  }

  setError(err: string, details: string): void {
    if (this.err !== '') return;
    this.err = err;
    this.errDetails = details;
  }

  /** Every label (name → value), errors included, as the entry leaves the pipeline. */
  all(): Map<string, string> {
    const out = new Map<string, string>();
    for (const [k, v] of this.base) if (!this.deleted.has(k)) out.set(k, v);
    for (const [k, v] of this.meta) if (!this.deleted.has(k)) out.set(k, v);
    for (const [k, v] of this.parsed) out.set(k, v);
    if (this.err !== '') out.set(ERROR_LABEL, this.err);
    if (this.errDetails !== '') out.set(ERROR_DETAILS_LABEL, this.errDetails);
    return out;
  }
}

const maps = new WeakMap<Labels, Map<string, string>>();
const EMPTY = new Map<string, string>();

function streamMap(labels: Labels): Map<string, string> {
  if (labels.length === 0) return EMPTY;
  let m = maps.get(labels);
  if (!m) maps.set(labels, (m = new Map(labels.map((l) => [l.name, l.value]))));
  return m;
}

/** Sorted label pairs from a map (values may be empty: parsed labels can be). */
export function sortedLabels(m: ReadonlyMap<string, string>): Labels {
  return [...m].map(([name, value]) => ({ name, value })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
