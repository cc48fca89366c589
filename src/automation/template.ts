/**
 * `{{ path.to.value }}` placeholders in step inputs, resolved against the run's context
 * (`params`, `steps.<name>.output|exitCode|status`, `run.id`, `event`). Plain substitution,
 * no logic: a runbook's text is fixed by whoever wrote it, only values flow in.
 */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.$-]+)\s*\}\}/g;

export function lookup(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

function asText(v: unknown): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** Renders strings inside any JSON value; a string that is exactly one placeholder keeps the value's type. */
export function renderValue(value: unknown, ctx: Readonly<Record<string, unknown>>): unknown {
  if (typeof value === 'string') {
    const whole = /^\{\{\s*([A-Za-z0-9_.$-]+)\s*\}\}$/.exec(value);
    if (whole !== null) {
      const v = lookup(ctx, whole[1]!);
      return v === undefined ? '' : v;
    }
    return value.replace(PLACEHOLDER, (_m, path: string) => asText(lookup(ctx, path)));
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, ctx));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = renderValue(v, ctx);
    return out;
  }
  return value;
}

export function renderText(text: string, ctx: Readonly<Record<string, unknown>>): string {
  return text.replace(PLACEHOLDER, (_m, path: string) => asText(lookup(ctx, path)));
}
