import type { Variable } from '../../../src/api/dashboards/spec.js';

/** Escapes a value for use inside a PromQL regex matcher (`=~"…"`). */
function regexEscape(v: string): string {
  return v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/"/g, '\\"');
}

/** The text a variable stands for in a query: one value, or `a|b` alternatives for `=~`. */
export function variableValue(v: Variable): string {
  if (v.current.length === 0) return v.includeAll ? '.*' : '';
  if (v.current.length === 1 && !v.multi) return v.current[0]!;
  return v.current.map(regexEscape).join('|');
}

/** Replaces `$name` and `${name}` (longest names first so `$job` does not eat `$jobs`). */
export function interpolate(expr: string, variables: readonly Variable[]): string {
  const sorted = [...variables].sort((a, b) => b.name.length - a.name.length);
  let out = expr;
  for (const v of sorted) {
    const value = variableValue(v);
    out = out.replaceAll(`\${${v.name}}`, value).replace(new RegExp(`\\$${v.name}(?![a-zA-Z0-9_])`, 'g'), () => value);
  }
  return out;
}

/** Grafana's legend template: `{{label}}` becomes the series' label value. */
export function legendFor(template: string, labels: Readonly<Record<string, string>>, fallback: string): string {
  if (template.trim() === '') return fallback;
  return template.replace(/\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}/g, (_m, k: string) => labels[k] ?? '');
}
