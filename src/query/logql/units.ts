/** Go's time.ParseDuration, in seconds (LogQL duration filters and `duration()` unwrap use it). */
export function parseGoDuration(text: string): number | undefined {
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, 'µs': 1e-6, 'μs': 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const re = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/;
  while (s.length > 0) {
    const m = re.exec(s);
    if (!m) return undefined;
    total += Number(m[1]) * units[m[2]!]!;
    s = s.slice(m[0].length);
  }
  return sign * total;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  ki: 1024,
  kib: 1024,
  m: 1e6,
  mb: 1e6,
  mi: 1024 ** 2,
  mib: 1024 ** 2,
  g: 1e9,
  gb: 1e9,
  gi: 1024 ** 3,
  gib: 1024 ** 3,
  t: 1e12,
  tb: 1e12,
  ti: 1024 ** 4,
  tib: 1024 ** 4,
  p: 1e15,
  pb: 1e15,
  pi: 1024 ** 5,
  pib: 1024 ** 5,
  e: 1e18,
  eb: 1e18,
  ei: 1024 ** 6,
  eib: 1024 ** 6,
};

/** go-humanize's ParseBytes (LogQL bytes filters and `bytes()` unwrap use it). */
export function parseHumanBytes(text: string): number | undefined {
  const m = /^\s*([0-9.,]+)\s*([a-zA-Z]*)\s*$/.exec(text);
  if (!m) return undefined;
  const num = Number(m[1]!.replace(/,/g, ''));
  const mult = BYTE_UNITS[m[2]!.toLowerCase()];
  if (!Number.isFinite(num) || mult === undefined) return undefined;
  return Math.floor(num * mult);
}

/** strconv.ParseFloat: Go accepts hex, underscores only with base prefixes; "Inf"/"NaN" too. */
export function parseGoFloat(text: string): number | undefined {
  const t = text.trim();
  if (t !== text || t === '') return undefined;
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)$/.test(t)) return Number(t);
  if (/^[+-]?0[xX][0-9a-fA-F]+$/.test(t)) return Number(t.replace(/^\+/, ''));
  return undefined;
}
