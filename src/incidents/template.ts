import { IchigenError } from '../model/index.js';

/**
 * A small template language for grouping ids, titles and routes: `{{ labels.alertname }}`,
 * `{{ payload.service.name }}`; `|` gives a fallback (`{{ labels.team | "none" }}`).
 * Deliberately not a programming language: templates are written by users and evaluated
 * for every incoming alert, so they can neither loop nor call anything.
 */
const EXPR_RE = /\{\{\s*([^}]*?)\s*\}\}/g;

export type TemplateData = Readonly<Record<string, unknown>>;

function lookup(data: TemplateData, path: string): unknown {
  let cur: unknown = data;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function evalExpr(expr: string, data: TemplateData): string {
  for (const alt of expr.split('|').map((s) => s.trim())) {
    if (alt.startsWith('"') && alt.endsWith('"') && alt.length >= 2) return alt.slice(1, -1);
    const v = lookup(data, alt);
    if (v !== undefined && v !== null && v !== '') return typeof v === 'object' ? JSON.stringify(v) : String(v as string | number | boolean);
  }
  return '';
}

export function validateTemplate(template: string): void {
  const stripped = template.replace(EXPR_RE, '');
  if (stripped.includes('{{') || stripped.includes('}}')) throw new IchigenError('INVALID_PARAMETER', `template "${template}" has an unbalanced {{ }}`);
  for (const m of template.matchAll(EXPR_RE)) {
    for (const alt of m[1]!.split('|').map((s) => s.trim())) {
      if (!/^("[^"]*"|[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_-]+)*)$/.test(alt)) {
        throw new IchigenError('INVALID_PARAMETER', `template "${template}": "${alt}" is neither a dotted path nor a "quoted" fallback`);
      }
    }
  }
}

export function renderTemplate(template: string, data: TemplateData): string {
  return template.replace(EXPR_RE, (_m, expr: string) => evalExpr(expr, data));
}
