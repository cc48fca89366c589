import { IchigenError } from '../../model/index.js';

/**
 * The decimal arithmetic behind Sprig's `addf`/`subf`/`mulf`/`divf` (shopspring/decimal),
 * which Loki's line_format and label_format use: each float becomes the decimal of its
 * shortest round-trip text, the operation is exact (division rounds to 16 places, half away
 * from zero), and the result is the nearest float64. So `divf 1085.53 1000` is 1.08553, not
 * the 1.0855299999999999 that float division gives.
 */
interface Decimal {
  /** value = coefficient × 10^-scale */
  readonly coefficient: bigint;
  readonly scale: number;
}

/** shopspring's DivisionPrecision. */
const DIVISION_PRECISION = 16;

function fromFloat(x: number): Decimal {
  if (!Number.isFinite(x)) throw new IchigenError('EXECUTION', `Cannot create a Decimal from ${Number.isNaN(x) ? 'NaN' : x > 0 ? '+Inf' : '-Inf'}`);
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x))!;
  const frac = m[3] ?? '';
  const exp = Number(m[4] ?? 0);
  let coefficient = BigInt(`${m[1]}${m[2]}${frac}`);
  let scale = frac.length - exp;
  if (scale < 0) {
    coefficient *= 10n ** BigInt(-scale);
    scale = 0;
  }
  return { coefficient, scale };
}

function toFloat(d: Decimal): number {
  return Number(`${d.coefficient}e-${d.scale}`);
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const scale = Math.max(a.scale, b.scale);
  return [a.coefficient * 10n ** BigInt(scale - a.scale), b.coefficient * 10n ** BigInt(scale - b.scale), scale];
}

const OPS = {
  add: (a: Decimal, b: Decimal): Decimal => {
    const [x, y, scale] = align(a, b);
    return { coefficient: x + y, scale };
  },
  sub: (a: Decimal, b: Decimal): Decimal => {
    const [x, y, scale] = align(a, b);
    return { coefficient: x - y, scale };
  },
  mul: (a: Decimal, b: Decimal): Decimal => ({ coefficient: a.coefficient * b.coefficient, scale: a.scale + b.scale }),
  div: (a: Decimal, b: Decimal): Decimal => {
    if (b.coefficient === 0n) throw new IchigenError('EXECUTION', 'decimal division by 0');
    // round(a/b × 10^p) = round(a.c × 10^(b.s+p) / (b.c × 10^a.s))
    const n = a.coefficient * 10n ** BigInt(b.scale + DIVISION_PRECISION);
    const d = b.coefficient * 10n ** BigInt(a.scale);
    let q = n / d;
    const r = n % d;
    const abs = (v: bigint): bigint => (v < 0n ? -v : v);
    if (2n * abs(r) >= abs(d)) q += (n < 0n) !== (d < 0n) ? -1n : 1n;
    return { coefficient: q, scale: DIVISION_PRECISION };
  },
} as const;

/** `first op rest[0] op rest[1] …` in decimal, as Sprig's execDecimalOp folds it. */
export function decimalFold(op: keyof typeof OPS, first: number, rest: readonly number[]): number {
  let acc = fromFloat(first);
  for (const x of rest) acc = OPS[op](acc, fromFloat(x));
  return toFloat(acc);
}
