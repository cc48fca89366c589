/**
 * Float formatting as Prometheus' Go code does it, so answers are byte-identical:
 * sample values use strconv.FormatFloat(v, 'f', -1) (shortest digits, never an exponent),
 * number literals in formatted queries use fmt's %v (shortest, exponent from 1e+06).
 */
export function formatSampleValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (Object.is(v, -0)) return '-0';
  const s = String(v);
  if (!s.includes('e')) return s;
  return expandExponent(v);
}

function shortestDigits(v: number): { neg: boolean; digits: string; exp: number } {
  const e = Math.abs(v).toExponential();
  const [mant, expText] = e.split('e') as [string, string];
  return { neg: v < 0, digits: mant.replace('.', ''), exp: Number(expText) };
}

function expandExponent(v: number): string {
  const { neg, digits, exp } = shortestDigits(v);
  let out: string;
  if (exp >= 0) {
    out = digits.length <= exp + 1 ? digits + '0'.repeat(exp + 1 - digits.length) : `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  } else {
    out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  return (neg ? '-' : '') + out;
}

/** Go's fmt %v for a float64. */
export function formatGoFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const { neg, digits, exp } = shortestDigits(v);
  if (exp < -4 || exp >= 6) {
    const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${neg ? '-' : ''}${mant}e${exp < 0 ? '-' : '+'}${e}`;
  }
  return formatSampleValue(v);
}

/** Prometheus' JSON timestamp: unix seconds with up to millisecond decimals. */
export function formatTimestamp(ms: number): number {
  return ms / 1000;
}
