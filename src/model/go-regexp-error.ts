/**
 * The syntax error Go's regexp package reports for a pattern (`missing closing ]: `[)$``),
 * or undefined when Go accepts it. Prometheus, Loki and Tempo put these messages in their
 * answers; scanning left to right as Go's parser does finds the same first error for the
 * mistakes people make (unclosed brackets and groups, stray repetition operators, unknown
 * escapes, bad ranges, unsupported Perl groups). `namedGroups`: Go 1.22 and later accept
 * `(?<name>…)`; older Go (Prometheus 2.42 was built with one) does not.
 */
const ESCAPES_OK = new Set(['a', 'f', 't', 'n', 'r', 'v', 'd', 'D', 's', 'S', 'w', 'W', 'b', 'B', 'A', 'z']);

/** Unicode classes Go knows by name: general categories, scripts, and Any. */
function unicodeClass(name: string): boolean {
  if (name === 'Any') return true;
  for (const form of [name, `Script=${name}`]) {
    try {
      new RegExp(`\\p{${form}}`, 'u');
      return !/^[a-z]/.test(name);
    } catch {
      // not this form
    }
  }
  return false;
}

interface Item {
  readonly kind: 'paren' | 'bar' | 'atom';
}

function escapeLength(p: string, i: number): { len: number; error?: string } {
  const c = p[i + 1];
  if (c === undefined) return { len: 1, error: 'trailing backslash at end of expression: ``' };
  if (c < '\x80' && !/[0-9A-Za-z]/.test(c)) return { len: 2 };
  if (ESCAPES_OK.has(c)) return { len: 2 };
  if (c >= '1' && c <= '7' && !/[0-7]/.test(p[i + 2] ?? '')) return { len: 2, error: `invalid escape sequence: \`\\${c}\`` };
  if (c >= '0' && c <= '7') {
    let n = 2;
    while (n < 4 && /[0-7]/.test(p[i + n] ?? '')) n++;
    return { len: n };
  }
  if (c === 'x') {
    if (p[i + 2] === '{') {
      const end = p.indexOf('}', i + 3);
      if (end < 0 || !/^[0-9A-Fa-f]+$/.test(p.slice(i + 3, end))) return { len: 2, error: `invalid escape sequence: \`${p.slice(i, end < 0 ? p.length : end + 1)}\`` };
      return { len: end + 1 - i };
    }
    if (!/^[0-9A-Fa-f]{2}$/.test(p.slice(i + 2, i + 4))) return { len: 2, error: `invalid escape sequence: \`${p.slice(i, i + 4)}\`` };
    return { len: 4 };
  }
  if (c === 'p' || c === 'P') {
    if (p[i + 2] === '{') {
      const end = p.indexOf('}', i + 3);
      if (end < 0) return { len: 2, error: `invalid character class range: \`${p.slice(i)}\`` };
      if (!unicodeClass(p.slice(i + 3, end).replace(/^\^/, ''))) return { len: 2, error: `invalid character class range: \`${p.slice(i, end + 1)}\`` };
      return { len: end + 1 - i };
    }
    if (!unicodeClass(p[i + 2] ?? '')) return { len: 2, error: `invalid character class range: \`${p.slice(i, i + 3)}\`` };
    return { len: 3 };
  }
  if (c === 'Q') {
    const end = p.indexOf('\\E', i + 2);
    return { len: end < 0 ? p.length - i : end + 2 - i };
  }
  return { len: 2, error: `invalid escape sequence: \`\\${c}\`` };
}

/** Scans a character class from its `[`; returns its end (after `]`) or an error. */
function scanClass(p: string, start: number): { end: number; error?: string } {
  let i = start + 1;
  if (p[i] === '^') i++;
  let first = true;
  let prev: string | undefined;
  while (i < p.length) {
    const c = p[i]!;
    if (c === ']' && !first) return { end: i + 1 };
    first = false;
    if (c === '[' && p[i + 1] === ':') {
      const close = p.indexOf(':]', i + 2);
      if (close >= 0) {
        i = close + 2;
        prev = undefined;
        continue;
      }
    }
    let lo = c;
    let len = 1;
    if (c === '\\') {
      const e = escapeLength(p, i);
      if (e.error !== undefined) return { end: i, error: e.error };
      len = e.len;
      lo = e.len === 2 ? p[i + 1]! : '';
    }
    if (p[i + len] === '-' && p[i + len + 1] !== undefined && p[i + len + 1] !== ']') {
      const hiStart = i + len + 1;
      const hi = p[hiStart]!;
      if (hi !== '\\' && lo !== '' && hi < lo) return { end: i, error: `invalid character class range: \`${p.slice(i, hiStart + 1)}\`` };
      i = hiStart + (hi === '\\' ? escapeLength(p, hiStart).len : 1);
      prev = undefined;
      continue;
    }
    prev = lo;
    i += len;
  }
  void prev;
  return { end: p.length, error: `missing closing ]: \`${p.slice(start)}\`` };
}

export function goRegexpError(p: string, namedGroups: boolean): string | undefined {
  const stack: Item[] = [];
  let lastRepeat = -1;
  let i = 0;
  while (i < p.length) {
    const c = p[i]!;
    const repeatStart = lastRepeat;
    lastRepeat = -1;
    if (c === '(') {
      if (p[i + 1] === '?') {
        if (p[i + 2] === 'P' && p[i + 3] === '<') {
          const end = p.indexOf('>', i);
          if (end < 0) return `invalid named capture: \`${p.slice(i)}\``;
          if (!/^[A-Za-z0-9_]+$/.test(p.slice(i + 4, end))) return `invalid named capture: \`${p.slice(i, end + 1)}\``;
          i = end + 1;
          stack.push({ kind: 'paren' });
          continue;
        }
        if (namedGroups && p[i + 2] === '<' && p[i + 3] !== '=' && p[i + 3] !== '!') {
          const end = p.indexOf('>', i);
          if (end < 0 || !/^[A-Za-z0-9_]+$/.test(p.slice(i + 3, end))) return `invalid named capture: \`${p.slice(i, end < 0 ? p.length : end + 1)}\``;
          i = end + 1;
          stack.push({ kind: 'paren' });
          continue;
        }
        let j = i + 2;
        let sign = 1;
        let sawFlag = false;
        let closed = false;
        for (; j < p.length; j++) {
          const f = p[j]!;
          if ('imsU'.includes(f)) sawFlag = true;
          else if (f === '-' && sign > 0) {
            sign = -1;
            sawFlag = false;
          } else if ((f === ':' || f === ')') && (sign > 0 || sawFlag)) {
            if (f === ':') stack.push({ kind: 'paren' });
            closed = true;
            break;
          } else break;
        }
        if (!closed) return `invalid or unsupported Perl syntax: \`${p.slice(i, Math.min(j + 1, p.length))}\``;
        i = j + 1;
        continue;
      }
      stack.push({ kind: 'paren' });
      i++;
      continue;
    }
    if (c === ')') {
      let k = stack.length - 1;
      while (k >= 0 && stack[k]!.kind !== 'paren') k--;
      if (k < 0) return `unexpected ): \`${p}\``;
      stack.length = k;
      stack.push({ kind: 'atom' });
      i++;
      continue;
    }
    if (c === '|') {
      stack.push({ kind: 'bar' });
      i++;
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      let len = 1;
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
        if (m === null) {
          stack.push({ kind: 'atom' });
          i++;
          continue;
        }
        len = m[0].length;
        const min = Number(m[1]);
        const max = m[2] === undefined ? min : m[3] === '' ? -1 : Number(m[3]);
        const text = p.slice(i, i + len + (p[i + len] === '?' ? 1 : 0));
        if (min > 1000 || max > 1000 || (max >= 0 && min > max)) return `invalid repeat count: \`${text}\``;
      }
      if (p[i + len] === '?') len++;
      if (repeatStart >= 0) return `invalid nested repetition operator: \`${p.slice(repeatStart, i + len)}\``;
      const top = stack[stack.length - 1];
      if (top === undefined || top.kind !== 'atom') return `missing argument to repetition operator: \`${p.slice(i, i + len)}\``;
      lastRepeat = i;
      i += len;
      continue;
    }
    if (c === '[') {
      const cls = scanClass(p, i);
      if (cls.error !== undefined) return cls.error;
      stack.push({ kind: 'atom' });
      i = cls.end;
      continue;
    }
    if (c === '\\') {
      const e = escapeLength(p, i);
      if (e.error !== undefined) return e.error;
      stack.push({ kind: 'atom' });
      i += e.len;
      continue;
    }
    stack.push({ kind: 'atom' });
    i += c.length;
  }
  if (stack.some((s) => s.kind === 'paren')) return `missing closing ): \`${p}\``;
  return undefined;
}
