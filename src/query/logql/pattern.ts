import { IchigenError } from '../../model/index.js';

/** A compiled `pattern` expression: literal parts and named (or `_`) captures, alternating. */
export interface Pattern {
  readonly parts: Array<{ readonly literal: string } | { readonly capture: string }>;
  readonly names: string[];
}

/** Parses `<name> literal <_> …` as Loki's pattern parser does. */
export function compilePattern(text: string): Pattern {
  const parts: Pattern['parts'] = [];
  const re = /<(_|[a-zA-Z_][a-zA-Z0-9_]*)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m.index > last) parts.push({ literal: text.slice(last, m.index) });
    parts.push({ capture: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) parts.push({ literal: text.slice(last) });
  const names: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    if ('capture' in p) {
      const prev = parts[i - 1];
      if (prev && 'capture' in prev) throw new IchigenError('PARSE_ERROR', `parse error : found consecutive capture '<${p.capture}>' in pattern ${JSON.stringify(text)}: separate captures with literal text`);
      if (p.capture !== '_') {
        if (names.includes(p.capture)) throw new IchigenError('PARSE_ERROR', `parse error : duplicate capture <${p.capture}> in pattern`);
        names.push(p.capture);
      }
    }
  }
  if (!parts.some((p) => 'capture' in p)) throw new IchigenError('PARSE_ERROR', `parse error : at least one capture is required in pattern ${JSON.stringify(text)}`);
  return { parts, names };
}

/** Matches a line; returns captures, or undefined when the line does not fit the pattern. */
export function matchPattern(p: Pattern, line: string): Array<[string, string]> | undefined {
  const out: Array<[string, string]> = [];
  let pos = 0;
  const parts = p.parts;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if ('literal' in part) {
      if (i === 0) {
        if (!line.startsWith(part.literal)) return undefined;
        pos = part.literal.length;
      } else continue;
      continue;
    }
    const next = parts[i + 1];
    let end: number;
    if (!next) end = line.length;
    else {
      const lit = (next as { literal: string }).literal;
      const at = line.indexOf(lit, pos);
      if (at < 0) return undefined;
      end = at;
    }
    if (part.capture !== '_') out.push([part.capture, line.slice(pos, end)]);
    pos = end + (next ? (next as { literal: string }).literal.length : 0);
  }
  return out;
}
