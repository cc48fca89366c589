/**
 * The calendar fields Go's time package gives for `time.Unix(int64(v), 0).UTC()`, as
 * Prometheus' date functions compute them. Ordinary timestamps go through JavaScript's Date
 * (the same proleptic Gregorian calendar); a value outside its range, or NaN/±Inf, follows
 * Go on amd64 exactly: the float converts to the "integer indefinite" -2^63 when it does
 * not fit an int64, and the date arithmetic wraps around in unsigned 64 bits.
 */
export interface GoDate {
  readonly year: number;
  /** 1–12 */
  readonly month: number;
  readonly day: number;
  /** 1–366 */
  readonly yday: number;
  readonly hour: number;
  readonly minute: number;
  /** 0 = Sunday */
  readonly weekday: number;
}

const DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];
const MAX_DATE_SECONDS = 8.64e12;

export function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysIn(month: number, year: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return DAYS_BEFORE[month]! - DAYS_BEFORE[month - 1]!;
}

/** Go's float64 → int64 conversion on amd64. */
function goInt64(v: number): bigint {
  if (!(v >= -9223372036854775808 && v < 9223372036854775808)) return -(1n << 63n);
  return BigInt(Math.trunc(v));
}

const U64 = 1n << 64n;
const SECONDS_PER_DAY = 86400n;
// Go: unixToInternal + internalToAbsolute (seconds from the absolute epoch to 1970).
const UNIX_TO_ABSOLUTE = 62135596800n + 9223371966579724800n;
const ABSOLUTE_ZERO_YEAR = -292277022399n;

/** Go 1.19's absDate/abs clock over unsigned 64-bit absolute seconds. */
function wrapped(sec: bigint): GoDate {
  const abs = (((sec + UNIX_TO_ABSOLUTE) % U64) + U64) % U64;
  let d = abs / SECONDS_PER_DAY;
  let n = d / 146097n;
  let y = 400n * n;
  d -= 146097n * n;
  n = d / 36524n;
  n -= n >> 2n;
  y += 100n * n;
  d -= 36524n * n;
  n = d / 1461n;
  y += 4n * n;
  d -= 1461n * n;
  n = d / 365n;
  n -= n >> 2n;
  y += n;
  d -= 365n * n;
  const year = Number(BigInt.asIntN(64, y + ABSOLUTE_ZERO_YEAR));
  const yday = Number(d);
  let day = yday;
  let month: number;
  if (isLeap(year) && day === 31 + 29 - 1) {
    month = 2;
    day = 29;
  } else {
    if (isLeap(year) && day > 31 + 29 - 1) day--;
    month = Math.floor(day / 31);
    const end = DAYS_BEFORE[month + 1]!;
    let begin: number;
    if (day >= end) {
      month++;
      begin = end;
    } else begin = DAYS_BEFORE[month]!;
    month++;
    day = day - begin + 1;
  }
  const ofDay = Number(abs % SECONDS_PER_DAY);
  const weekday = Number(((abs + SECONDS_PER_DAY) % (7n * SECONDS_PER_DAY)) / SECONDS_PER_DAY);
  return { year, month, day, yday: yday + 1, hour: Math.floor(ofDay / 3600), minute: Math.floor((ofDay % 3600) / 60), weekday };
}

export function goDate(seconds: number): GoDate {
  if (Number.isFinite(seconds) && Math.abs(seconds) < MAX_DATE_SECONDS) {
    const d = new Date(Math.trunc(seconds) * 1000);
    const year = d.getUTCFullYear();
    const month = d.getUTCMonth() + 1;
    const day = d.getUTCDate();
    return {
      year,
      month,
      day,
      yday: DAYS_BEFORE[month - 1]! + day + (month > 2 && isLeap(year) ? 1 : 0),
      hour: d.getUTCHours(),
      minute: d.getUTCMinutes(),
      weekday: d.getUTCDay(),
    };
  }
  return wrapped(goInt64(seconds));
}
