import { IchigenError } from './errors.js';

/**
 * Prometheus, Loki and Tempo use Go's RE2 syntax. JavaScript's RegExp accepts most of it
 * unchanged; this translates the parts that differ (leading flag groups, named groups,
 * POSIX classes, \A \z \Q..\E) and rejects what RE2 forbids, so the same query text means
 * the same thing here.
 */
const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

export interface TranslatedRegex {
  readonly source: string;
  readonly flags: string;
}

export function translateRe2(pattern: string): TranslatedRegex {
  let flags = 'u';
  let i = 0;
  // Leading global flag groups such as (?i) or (?is).
  for (;;) {
    const m = /^\(\?([imsU]+)\)/.exec(pattern.slice(i));
    if (!m) break;
    for (const f of m[1]!) {
      if (f === 'U') throw new IchigenError('PARSE_ERROR', 'regex flag U (ungreedy) is not supported');
      if (!flags.includes(f)) flags += f;
    }
    i += m[0].length;
  }
  let out = '';
  let inClass = false;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) throw new IchigenError('PARSE_ERROR', 'error parsing regexp: trailing backslash at end of expression');
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const lit = end < 0 ? pattern.slice(i + 2) : pattern.slice(i + 2, end);
        out += lit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
        i = end < 0 ? pattern.length : end + 2;
        continue;
      }
      if (!inClass && n === 'A') { out += '^'; i += 2; continue; }
      if (!inClass && n === 'z') { out += '$(?![\\s\\S])'; i += 2; continue; }
      if (n === 'p' || n === 'P') {
        // \pL -> \p{L}; \p{Greek} is already JS syntax.
        const next = pattern[i + 2];
        if (next !== undefined && next !== '{') { out += `\\${n}{${next}}`; i += 3; continue; }
      }
      out += c + n;
      i += 2;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        const end = pattern.indexOf(':]', i + 2);
        if (end > 0) {
          let name = pattern.slice(i + 2, end);
          const negated = name.startsWith('^');
          if (negated) name = name.slice(1);
          const cls = POSIX_CLASSES[name];
          if (cls === undefined) throw new IchigenError('PARSE_ERROR', `error parsing regexp: invalid character class range: \`[:${name}:]\``);
          if (negated) throw new IchigenError('PARSE_ERROR', 'negated POSIX classes are not supported');
          out += cls;
          i = end + 2;
          continue;
        }
      }
      if (c === ']') inClass = false;
      // JS's u flag is strict about escapes of plain characters inside classes; keep others.
      out += c;
      i++;
      continue;
    }
    if (c === '[') {
      inClass = true;
      out += c;
      i++;
      if (pattern[i] === '^') { out += '^'; i++; }
      // A leading ] is a literal in RE2.
      if (pattern[i] === ']') { out += '\\]'; i++; }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      if (pattern[i + 2] === 'P' && pattern[i + 3] === '<') { out += '(?<'; i += 4; continue; }
      if (pattern[i + 2] === '<' || pattern[i + 2] === ':') { out += '(?' + pattern[i + 2]; i += 3; continue; }
      if (/^\(\?[imsU-]+[:)]/.test(pattern.slice(i))) {
        throw new IchigenError('PARSE_ERROR', 'regex flags are only supported at the start of the expression');
      }
      throw new IchigenError('PARSE_ERROR', `error parsing regexp: invalid or unsupported Perl syntax: \`${pattern.slice(i, i + 3)}\``);
    }
    out += c;
    i++;
  }
  return { source: out, flags };
}

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 4096;

/** A fully anchored matcher, as PromQL and LogQL label matchers use. */
export function compileAnchoredRe2(pattern: string): RegExp {
  const key = '^' + pattern;
  let re = cache.get(key);
  if (re !== undefined) return re;
  const t = translateRe2(pattern);
  try {
    re = new RegExp(`^(?:${t.source})$`, t.flags.replace('m', ''));
  } catch (e) {
    throw new IchigenError('PARSE_ERROR', `error parsing regexp: ${(e as Error).message}`);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, re);
  return re;
}

/** An unanchored matcher (line filters `|~`). */
export function compileRe2(pattern: string): RegExp {
  let re = cache.get(pattern);
  if (re !== undefined) return re;
  const t = translateRe2(pattern);
  try {
    re = new RegExp(t.source, t.flags);
  } catch (e) {
    throw new IchigenError('PARSE_ERROR', `error parsing regexp: ${(e as Error).message}`);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, re);
  return re;
}
