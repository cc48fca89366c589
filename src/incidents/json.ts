/** Reads a JSON text column written by this module (never user-provided raw text). */
export function readJson<T>(text: string | null | undefined, fallback: T): T {
  if (text === null || text === undefined || text === '') return fallback;
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

export type LabelRecord = Record<string, string>;

/** Keeps only string values and drops empty ones (an empty label value means "no label"). */
export function cleanLabels(input: unknown): LabelRecord {
  const out: LabelRecord = {};
  if (input === null || typeof input !== 'object') return out;
  for (const [k, v] of Object.entries(input as Record<string, unknown>)) {
    if (typeof v === 'string' && v !== '') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
  }
  return out;
}
