/** Go's fmt %v for float64: shortest digits, exponent form when exp < -4 or >= 6 (strconv %g). */
export function goFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const exp = Math.floor(Math.log10(Math.abs(v)));
  if (exp < -4 || exp >= 6) {
    const [m, e] = v.toExponential().split('e') as [string, string];
    const n = Number(e);
    return `${m}e${n < 0 ? '-' : '+'}${String(Math.abs(n)).padStart(2, '0')}`;
  }
  return String(v).includes('e') ? v.toFixed(Math.max(0, -exp + 17)).replace(/\.?0+$/, '') : String(v);
}

/** Go's UTF-8 decoding as encoding/json writes it: each invalid byte becomes U+FFFD. */
export function goDecodeUtf8(buf: Buffer): string {
  let out = '';
  let i = 0;
  while (i < buf.length) {
    const b = buf[i]!;
    let n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n > 1) {
      if (i + n > buf.length) n = 0;
      else for (let k = 1; k < n; k++) if ((buf[i + k]! & 0xc0) !== 0x80) n = 0;
    }
    if (n === 0) {
      out += '\ufffd';
      i++;
    } else {
      out += buf.toString('utf8', i, i + n);
      i += n;
    }
  }
  return out;
}

/** Byte-wise slicing of a string, as Go's s[a:b] does. */
export function byteSlice(s: string, start: number, end?: number): string {
  const b = Buffer.from(s);
  return goDecodeUtf8(b.subarray(start, end));
}

/** A subset of Go's fmt.Sprintf: %s %d %v %f %g %q %x with flags and width/precision. */
export function goSprintf(format: string, args: unknown[]): string {
  let ai = 0;
  return format.replace(/%([-+ 0#]*)(\d+|\*)?(?:\.(\d+))?([svdfgeqxXtc%])/g, (_m, flags: string, width: string | undefined, prec: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    const arg = args[ai++];
    let s: string;
    switch (verb) {
      case 'd':
        s = typeof arg === 'number' ? String(Math.trunc(arg)) : `%!d(string=${String(arg)})`;
        break;
      case 'f':
      case 'e':
      case 'g': {
        const n = typeof arg === 'number' ? arg : Number(arg);
        const p = prec === undefined ? 6 : Number(prec);
        s = verb === 'f' ? n.toFixed(p) : verb === 'e' ? n.toExponential(p) : goFloat(n);
        break;
      }
      case 'q':
        s = JSON.stringify(String(arg));
        break;
      case 'x':
      case 'X':
        s = typeof arg === 'number' ? Math.trunc(arg).toString(16) : Buffer.from(String(arg)).toString('hex');
        if (verb === 'X') s = s.toUpperCase();
        break;
      default:
        s = typeof arg === 'number' ? goFloatOrInt(arg) : arg === undefined ? '%!' + verb + '(MISSING)' : String(arg);
        if (prec !== undefined && verb === 's') s = [...s].slice(0, Number(prec)).join('');
    }
    const w = width === undefined ? 0 : Number(width);
    const len = [...s].length;
    if (len < w) {
      const pad = (flags.includes('0') && !flags.includes('-') && verb !== 's' ? '0' : ' ').repeat(w - len);
      s = flags.includes('-') ? s + ' '.repeat(w - len) : pad + s;
    }
    return s;
  });
}

export function goFloatOrInt(n: number): string {
  return Number.isInteger(n) && Math.abs(n) < 1e21 ? String(n) : goFloat(n);
}
