/**
 * A logfmt scanner with Loki's behaviour: lenient by default (bad tokens are skipped),
 * strict mode stops at the first error. Standalone keys have an empty value.
 */
export interface LogfmtPair {
  readonly key: string;
  readonly value: string;
}

export function scanLogfmt(line: string, strict: boolean): { pairs: LogfmtPair[]; error?: string } {
  const pairs: LogfmtPair[] = [];
  let i = 0;
  const n = line.length;
  const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';
  while (i < n) {
    while (i < n && isSpace(line[i]!)) i++;
    if (i >= n) break;
    const keyStart = i;
    while (i < n && !isSpace(line[i]!) && line[i] !== '=' && line[i] !== '"') i++;
    const key = line.slice(keyStart, i);
    if (key === '') {
      // "=value" or a stray quote: an unexpected token.
      if (strict) return { pairs, error: `logfmt syntax error at pos ${i + 1} : unexpected '${line[i]}'` };
      // Lenient: skip the whole token.
      while (i < n && !isSpace(line[i]!)) {
        if (line[i] === '"') i = skipQuoted(line, i);
        else i++;
      }
      continue;
    }
    if (i >= n || isSpace(line[i]!)) {
      pairs.push({ key, value: '' });
      continue;
    }
    if (line[i] === '"') {
      if (strict) return { pairs, error: `logfmt syntax error at pos ${i + 1} : unexpected '"'` };
      i = skipQuoted(line, i);
      continue;
    }
    i++; // '='
    if (i >= n || isSpace(line[i]!)) {
      pairs.push({ key, value: '' });
      continue;
    }
    if (line[i] === '"') {
      const end = skipQuoted(line, i);
      const raw = line.slice(i, end);
      if (!raw.endsWith('"') || raw.length < 2) {
        if (strict) return { pairs, error: `logfmt syntax error at pos ${end + 1} : unterminated quoted value` };
        i = end;
        continue;
      }
      let value: string;
      try {
        value = JSON.parse(raw) as string;
      } catch {
        value = raw.slice(1, -1);
      }
      pairs.push({ key, value });
      i = end;
      continue;
    }
    const vStart = i;
    while (i < n && !isSpace(line[i]!)) {
      if (line[i] === '=' || line[i] === '"') {
        if (strict) return { pairs, error: `logfmt syntax error at pos ${i + 1} : unexpected '${line[i]}'` };
      }
      i++;
    }
    pairs.push({ key, value: line.slice(vStart, i) });
  }
  return { pairs };
}

function skipQuoted(line: string, i: number): number {
  let j = i + 1;
  while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
  return Math.min(line.length, j + 1);
}
