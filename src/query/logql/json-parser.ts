/**
 * A small JSON reader for the `json` stage. Why our own: Loki keeps numbers as their literal
 * text (`2.5e2`, `-0`, 20-digit ids), and when a line is truncated it keeps the labels of the
 * complete top-level fields before the break — JSON.parse can do neither.
 */
export type JsonValue =
  | { t: 'str'; v: string }
  | { t: 'num'; v: string }
  | { t: 'bool'; v: string }
  | { t: 'null' }
  | { t: 'obj'; v: Array<[string, JsonValue]>; raw: string }
  | { t: 'arr'; v: JsonValue[]; raw: string };

export class JsonSyntaxError extends Error {}

export class JsonReader {
  pos = 0;
  /** The first backslash at or after `bsFrom` (-1: none); `bsFrom` past the end: not looked up yet. */
  private bs = -1;
  private bsFrom = Number.MAX_SAFE_INTEGER;
  constructor(readonly s: string) {}

  ws(): void {
    while (this.pos < this.s.length) {
      const c = this.s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) this.pos++;
      else break;
    }
  }

  value(): JsonValue {
    this.ws();
    const c = this.s[this.pos];
    const start = this.pos;
    if (c === '{') {
      const v = this.objectEntries();
      return { t: 'obj', v, raw: this.s.slice(start, this.pos) };
    }
    if (c === '[') {
      this.pos++;
      const out: JsonValue[] = [];
      this.ws();
      if (this.s[this.pos] === ']') {
        this.pos++;
        return { t: 'arr', v: out, raw: this.s.slice(start, this.pos) };
      }
      for (;;) {
        out.push(this.value());
        this.ws();
        const d = this.s[this.pos++];
        if (d === ']') break;
        if (d !== ',') throw new JsonSyntaxError("Value is array, but can't find closing ']' symbol");
      }
      return { t: 'arr', v: out, raw: this.s.slice(start, this.pos) };
    }
    if (c === '"') return { t: 'str', v: this.string() };
    if (c === 't' && this.s.startsWith('true', this.pos)) {
      this.pos += 4;
      return { t: 'bool', v: 'true' };
    }
    if (c === 'f' && this.s.startsWith('false', this.pos)) {
      this.pos += 5;
      return { t: 'bool', v: 'false' };
    }
    if (c === 'n' && this.s.startsWith('null', this.pos)) {
      this.pos += 4;
      return { t: 'null' };
    }
    const end = numberEnd(this.s, this.pos);
    if (end > this.pos) {
      const v = this.s.slice(this.pos, end);
      this.pos = end;
      return { t: 'num', v };
    }
    throw new JsonSyntaxError(c === undefined ? 'Unexpected end of input' : 'Unknown value type');
  }

  objectEntries(onField?: (key: string, v: JsonValue) => void): Array<[string, JsonValue]> {
    const out: Array<[string, JsonValue]> = [];
    if (this.s[this.pos] !== '{') throw new JsonSyntaxError('Value looks like object, but can\'t find closing \'}\' symbol');
    this.pos++;
    this.ws();
    if (this.s[this.pos] === '}') {
      this.pos++;
      return out;
    }
    for (;;) {
      this.ws();
      if (this.s[this.pos] !== '"') throw new JsonSyntaxError("Value looks like object, but can't find closing '}' symbol");
      const key = this.string();
      this.ws();
      if (this.s[this.pos++] !== ':') throw new JsonSyntaxError("Value looks like object, but can't find closing '}' symbol");
      let v: JsonValue;
      try {
        v = this.value();
      } catch {
        throw new JsonSyntaxError("Value looks like object, but can't find closing '}' symbol");
      }
      if (onField) onField(key, v);
      else out.push([key, v]);
      this.ws();
      const d = this.s[this.pos++];
      if (d === '}') break;
      if (d !== ',') throw new JsonSyntaxError("Value looks like object, but can't find closing '}' symbol");
    }
    return out;
  }

  string(): string {
    const start = this.pos;
    // Fast path: no backslash before the closing quote (the usual case) is a plain slice.
    const close = this.s.indexOf('"', start + 1);
    if (close >= 0) {
      // The next backslash is looked up once per stretch of the line, not once per string.
      if (this.bsFrom > start + 1 || (this.bs >= 0 && this.bs <= start)) {
        this.bsFrom = start + 1;
        this.bs = this.s.indexOf('\\', start + 1);
      }
      if (this.bs < 0 || this.bs > close) {
        this.pos = close + 1;
        return this.s.slice(start + 1, close);
      }
    }
    this.pos++;
    let simple = true;
    while (this.pos < this.s.length) {
      const c = this.s[this.pos]!;
      if (c === '"') {
        this.pos++;
        const raw = this.s.slice(start, this.pos);
        if (simple) return raw.slice(1, -1);
        try {
          return JSON.parse(raw) as string;
        } catch {
          throw new JsonSyntaxError('Malformed string');
        }
      }
      if (c === '\\') {
        simple = false;
        this.pos += 2;
      } else this.pos++;
    }
    throw new JsonSyntaxError("Value looks like object, but can't find closing '}' symbol");
  }
}

/**
 * Where the JSON number starting at `i` ends (`i` when none does): `-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?`,
 * matched by hand (a regular expression over a slice of the line cost more than the rest of the parse).
 */
function numberEnd(s: string, i: number): number {
  const start = i;
  if (s.charCodeAt(i) === 45) i++;
  const c0 = s.charCodeAt(i);
  if (c0 === 48) i++;
  else if (c0 >= 49 && c0 <= 57) {
    i++;
    while (isDigit(s.charCodeAt(i))) i++;
  } else return start;
  if (s.charCodeAt(i) === 46 && isDigit(s.charCodeAt(i + 1))) {
    i += 2;
    while (isDigit(s.charCodeAt(i))) i++;
  }
  const e = s.charCodeAt(i);
  if (e === 101 || e === 69) {
    let j = i + 1;
    const sign = s.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    if (isDigit(s.charCodeAt(j))) {
      j++;
      while (isDigit(s.charCodeAt(j))) j++;
      i = j;
    }
  }
  return i;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** The text Loki uses for a JSON value extracted as a label. */
export function jsonText(v: JsonValue): string {
  switch (v.t) {
    case 'str':
    case 'num':
    case 'bool':
      return v.v;
    case 'null':
      return '';
    case 'obj':
    case 'arr':
      return v.raw;
  }
}
