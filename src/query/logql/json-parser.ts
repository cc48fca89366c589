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
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(this.s.slice(this.pos, this.pos + 400));
    if (m && m[0].length > 0) {
      this.pos += m[0].length;
      return { t: 'num', v: m[0] };
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
