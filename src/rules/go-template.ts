import { formatGoFloat } from '../query/index.js';

/**
 * The part of Go's text/template that alerting rule labels and annotations use in practice:
 * `{{ $labels.x }}`, `{{ $value }}`, `{{ .Labels.x }}`, `{{ .Value }}`, `{{ $externalLabels.x }}`,
 * pipelines through humanize, humanize1024, humanizePercentage, humanizeDuration, toUpper,
 * toLower, title, and `printf "%.2f" $value`. Trim markers `{{-`/`-}}` work. Anything else is
 * an error reported like Prometheus does (`<error expanding template: …>`).
 */
export interface TemplateData {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly externalLabels: Readonly<Record<string, string>>;
}

const SI_BIG = ['', 'k', 'M', 'G', 'T', 'P', 'E', 'Z', 'Y'];
const SI_SMALL = ['', 'm', 'u', 'n', 'p', 'f', 'a', 'z', 'y'];

/** Go's %.4g: 4 significant digits, trailing zeros removed. */
function g4(v: number): string {
  if (!Number.isFinite(v)) return formatGoFloat(v);
  const exp = v === 0 ? 0 : Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 4) {
    const [m, e] = v.toExponential(3).split('e');
    const mant = m!.includes('.') ? m!.replace(/0+$/, '').replace(/\.$/, '') : m!;
    const en = Number(e);
    return `${mant}e${en < 0 ? '-' : '+'}${String(Math.abs(en)).padStart(2, '0')}`;
  }
  const s = v.toPrecision(4);
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s;
}

export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return g4(v);
  if (Math.abs(v) >= 1) {
    let i = 0;
    while (Math.abs(v) >= 1000 && i < SI_BIG.length - 1) {
      v /= 1000;
      i++;
    }
    return g4(v) + SI_BIG[i];
  }
  let i = 0;
  while (Math.abs(v) < 1 && i < SI_SMALL.length - 1) {
    v *= 1000;
    i++;
  }
  return g4(v) + SI_SMALL[i];
}

function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) return g4(v);
  const units = ['', 'ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei', 'Zi', 'Yi'];
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return g4(v) + units[i];
}

function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) return g4(v);
  if (v === 0) return '0s';
  const neg = v < 0;
  let s = Math.abs(v);
  if (s < 1) return `${neg ? '-' : ''}${humanize(s)}s`;
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const secs = Math.floor(s);
  const ms = Math.round((s - secs) * 1000);
  let out = '';
  if (d > 0) out += `${d}d `;
  if (d > 0 || h > 0) out += `${h}h `;
  if (d > 0 || h > 0 || m > 0) out += `${m}m `;
  out += ms > 0 ? `${secs}.${String(ms).padStart(3, '0').replace(/0+$/, '')}s` : `${secs}s`;
  return (neg ? '-' : '') + out;
}

function printf(format: string, args: unknown[]): string {
  let i = 0;
  return format.replace(/%(\.(\d+))?([fdsvge%])/g, (_m, _p, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const a = args[i++];
    const n = typeof a === 'number' ? a : Number(a);
    switch (verb) {
      case 'f':
        return n.toFixed(prec === undefined ? 6 : Number(prec));
      case 'd':
        return String(Math.trunc(n));
      case 'e':
        return n.toExponential(prec === undefined ? 6 : Number(prec)).replace(/e([+-])(\d)$/, 'e$10$2');
      case 'g':
        return prec === undefined ? formatGoFloat(n) : String(Number(n.toPrecision(Number(prec))));
      default:
        return typeof a === 'number' ? formatGoFloat(a) : String(a);
    }
  });
}

type Val = string | number;

function operand(tok: string, d: TemplateData): Val {
  if (tok === '$value' || tok === '.Value') return d.value;
  if (tok.startsWith('"') && tok.endsWith('"')) return JSON.parse(tok) as string;
  if (/^-?\d+(\.\d+)?$/.test(tok)) return Number(tok);
  for (const [prefix, map] of [['$labels.', d.labels], ['.Labels.', d.labels], ['$externalLabels.', d.externalLabels], ['.ExternalLabels.', d.externalLabels]] as const) {
    if (tok.startsWith(prefix)) return map[tok.slice(prefix.length)] ?? '';
  }
  throw new Error(`undefined variable or field "${tok}"`);
}

const toNum = (v: Val): number => (typeof v === 'number' ? v : Number(v));

function applyFn(name: string, args: Val[], input: Val | undefined): Val {
  const all = input === undefined ? args : [...args, input];
  const x = all[0];
  switch (name) {
    case 'humanize':
      return humanize(toNum(x!));
    case 'humanize1024':
      return humanize1024(toNum(x!));
    case 'humanizePercentage':
      return `${g4(toNum(x!) * 100)}%`;
    case 'humanizeDuration':
      return humanizeDuration(toNum(x!));
    case 'toUpper':
      return String(x).toUpperCase();
    case 'toLower':
      return String(x).toLowerCase();
    case 'title':
      return String(x).replace(/\b\w/g, (c) => c.toUpperCase());
    case 'printf':
      return printf(String(all[0]), all.slice(1));
    default:
      throw new Error(`function "${name}" not defined`);
  }
}

function tokenize(s: string): string[] {
  return s.match(/"(?:[^"\\]|\\.)*"|\S+/g) ?? [];
}

function evalAction(action: string, d: TemplateData): string {
  let cur: Val | undefined;
  for (const stage of action.split('|').map((p) => p.trim())) {
    const toks = tokenize(stage);
    if (toks.length === 0) throw new Error('empty command');
    const head = toks[0]!;
    if (/^[A-Za-z][A-Za-z0-9]*$/.test(head)) cur = applyFn(head, toks.slice(1).map((t) => operand(t, d)), cur);
    else if (toks.length === 1 && cur === undefined) cur = operand(head, d);
    else throw new Error(`can't give argument to non-function ${head}`);
  }
  return typeof cur === 'number' ? formatGoFloat(cur) : String(cur ?? '');
}

/** Expands one template; on error returns Prometheus' error text (the rule keeps working). */
export function expandTemplate(name: string, text: string, d: TemplateData): string {
  if (!text.includes('{{')) return text;
  try {
    let out = '';
    let i = 0;
    while (i < text.length) {
      const open = text.indexOf('{{', i);
      if (open < 0) {
        out += text.slice(i);
        break;
      }
      const close = text.indexOf('}}', open + 2);
      if (close < 0) throw new Error('unclosed action');
      let lit = text.slice(i, open);
      let inner = text.slice(open + 2, close);
      let next = close + 2;
      if (inner.startsWith('-')) {
        lit = lit.replace(/\s+$/, '');
        inner = inner.slice(1);
      }
      if (inner.endsWith('-')) {
        inner = inner.slice(0, -1);
        while (next < text.length && /\s/.test(text[next]!)) next++;
      }
      out += lit + evalAction(inner.trim(), d);
      i = next;
    }
    return out;
  } catch (err) {
    return `<error expanding template: ${name}: ${(err as Error).message}>`;
  }
}
