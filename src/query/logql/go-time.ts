/**
 * Go's time.Time as LogQL templates see it: nanosecond precision (a log line's timestamp),
 * a fixed UTC offset and a zone name; formatting and parsing with Go's reference layouts
 * (`2006-01-02T15:04:05.000Z07:00`). Loki runs with the local zone set to UTC, so "Local"
 * is UTC here.
 */
export class GoTime {
  constructor(
    /** Nanoseconds since the Unix epoch. */
    readonly ns: bigint,
    /** Seconds east of UTC. */
    readonly offsetSec = 0,
    /** Zone abbreviation ("UTC", "CET"); empty for a bare offset. */
    readonly zone = 'UTC',
  ) {}

  static fromMs(ms: number): GoTime {
    return new GoTime(BigInt(Math.round(ms)) * 1_000_000n);
  }

  /** Go's Unix(): seconds, rounded down. */
  unixSeconds(): bigint {
    return floorDiv(this.ns, 1_000_000_000n);
  }

  /** Go's UnixMilli(): milliseconds, rounded down. */
  unixMillis(): bigint {
    return floorDiv(this.ns, 1_000_000n);
  }

  /** Go's Time.String(): `2006-01-02 15:04:05.999999999 -0700 MST`. */
  toString(): string {
    return goTimeFormat('2006-01-02 15:04:05.999999999 -0700 MST', this);
  }
}

const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));

/** January 1st of year 1, UTC: what Go's zero time.Time is (and what a failed parse returns). */
export const GO_ZERO_TIME = new GoTime(-62_135_596_800n * 1_000_000_000n);

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

type Std =
  | 'January' | 'Jan' | 'Monday' | 'Mon' | 'MST' | '01' | '02' | '03' | '04' | '05' | '06' | '002' | '1' | '2' | '3' | '4' | '5' | '15' | '2006' | '_2' | '__2'
  | 'PM' | 'pm' | '-070000' | '-07:00:00' | '-0700' | '-07:00' | '-07' | 'Z070000' | 'Z07:00:00' | 'Z0700' | 'Z07:00' | 'Z07';

type Chunk = { lit: string } | { std: Std } | { frac: '0' | '9'; digits: number; sep: string };

const startsLower = (s: string, i: number): boolean => i < s.length && s[i]! >= 'a' && s[i]! <= 'z';
const isDigit = (s: string, i: number): boolean => i < s.length && s[i]! >= '0' && s[i]! <= '9';
const OFFSETS: readonly Std[] = ['-070000', '-07:00:00', '-0700', '-07:00', '-07'];

/** The std element starting at i (Go's nextStdChunk), with its length. */
function stdAt(l: string, i: number): [Chunk, number] | undefined {
  const at = (s: string): boolean => l.startsWith(s, i);
  switch (l[i]) {
    case 'J':
      if (at('January')) return [{ std: 'January' }, 7];
      if (at('Jan') && !startsLower(l, i + 3)) return [{ std: 'Jan' }, 3];
      return undefined;
    case 'M':
      if (at('Monday')) return [{ std: 'Monday' }, 6];
      if (at('Mon') && !startsLower(l, i + 3)) return [{ std: 'Mon' }, 3];
      if (at('MST')) return [{ std: 'MST' }, 3];
      return undefined;
    case '0':
      if (at('002')) return [{ std: '002' }, 3];
      if (l[i + 1] !== undefined && l[i + 1]! >= '1' && l[i + 1]! <= '6') return [{ std: `0${l[i + 1]}` as Std }, 2];
      return undefined;
    case '1':
      return at('15') ? [{ std: '15' }, 2] : [{ std: '1' }, 1];
    case '2':
      return at('2006') ? [{ std: '2006' }, 4] : [{ std: '2' }, 1];
    case '_':
      if (at('_2006')) return [{ lit: '_' }, 1];
      if (at('__2')) return [{ std: '__2' }, 3];
      return at('_2') ? [{ std: '_2' }, 2] : undefined;
    case '3':
    case '4':
    case '5':
      return [{ std: l[i] as Std }, 1];
    case 'P':
      return at('PM') ? [{ std: 'PM' }, 2] : undefined;
    case 'p':
      return at('pm') ? [{ std: 'pm' }, 2] : undefined;
    case '-':
    case 'Z':
      for (const o of OFFSETS) {
        const s = l[i] === 'Z' ? `Z${o.slice(1)}` : o;
        if (at(s)) return [{ std: s as Std }, s.length];
      }
      return undefined;
    case '.':
    case ',': {
      const ch = l[i + 1];
      if (ch !== '0' && ch !== '9') return undefined;
      let j = i + 1;
      while (l[j] === ch) j++;
      return isDigit(l, j) ? undefined : [{ frac: ch, digits: j - i - 1, sep: l[i]! }, j - i];
    }
    default:
      return undefined;
  }
}

const layoutCache = new Map<string, Chunk[]>();

function chunks(layout: string): Chunk[] {
  let out = layoutCache.get(layout);
  if (out) return out;
  out = [];
  let lit = '';
  for (let i = 0; i < layout.length; ) {
    const s = stdAt(layout, i);
    if (!s || 'lit' in s[0]) {
      lit += s ? (s[0] as { lit: string }).lit : layout[i];
      i += s ? s[1] : 1;
      continue;
    }
    if (lit !== '') out.push({ lit });
    lit = '';
    out.push(s[0]);
    i += s[1];
  }
  if (lit !== '') out.push({ lit });
  if (layoutCache.size > 256) layoutCache.clear();
  layoutCache.set(layout, out);
  return out;
}

const pad = (n: number | bigint, w: number): string => {
  const s = String(n < 0 ? -n : n).padStart(w, '0');
  return n < 0 ? `-${s}` : s;
};

function offsetText(std: Std, off: number): string {
  if (std.startsWith('Z') && off === 0) return 'Z';
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  const hh = pad(Math.floor(a / 3600), 2);
  const mm = pad(Math.floor(a / 60) % 60, 2);
  const ss = pad(a % 60, 2);
  const body = std.slice(1);
  if (body === '070000') return `${sign}${hh}${mm}${ss}`;
  if (body === '07:00:00') return `${sign}${hh}:${mm}:${ss}`;
  if (body === '0700') return `${sign}${hh}${mm}`;
  if (body === '07:00') return `${sign}${hh}:${mm}`;
  return `${sign}${hh}`;
}

/** Go's Time.Format. */
export function goTimeFormat(layout: string, t: GoTime): string {
  const wallSec = t.unixSeconds() + BigInt(t.offsetSec);
  const nsec = Number(t.ns - t.unixSeconds() * 1_000_000_000n);
  const d = new Date(Number(wallSec) * 1000);
  const year = d.getUTCFullYear();
  const jan1 = new Date(0);
  jan1.setUTCFullYear(year, 0, 1);
  const yday = Math.floor((d.getTime() - jan1.getTime()) / 86_400_000) + 1;
  const hour = d.getUTCHours();
  let out = '';
  for (const c of chunks(layout)) {
    if ('lit' in c) {
      out += c.lit;
      continue;
    }
    if ('frac' in c) {
      const digits = pad(nsec, 9).slice(0, c.digits);
      out += c.frac === '0' ? `${c.sep}${digits}` : /^0*$/.test(digits) ? '' : `${c.sep}${digits.replace(/0+$/, '')}`;
      continue;
    }
    switch (c.std) {
      case '2006': out += pad(year, 4); break;
      case '06': out += pad(((year % 100) + 100) % 100, 2); break;
      case 'January': out += MONTHS[d.getUTCMonth()]; break;
      case 'Jan': out += MONTHS[d.getUTCMonth()]!.slice(0, 3); break;
      case '1': out += String(d.getUTCMonth() + 1); break;
      case '01': out += pad(d.getUTCMonth() + 1, 2); break;
      case 'Monday': out += DAYS[d.getUTCDay()]; break;
      case 'Mon': out += DAYS[d.getUTCDay()]!.slice(0, 3); break;
      case '2': out += String(d.getUTCDate()); break;
      case '_2': out += String(d.getUTCDate()).padStart(2, ' '); break;
      case '02': out += pad(d.getUTCDate(), 2); break;
      case '__2': out += String(yday).padStart(3, ' '); break;
      case '002': out += pad(yday, 3); break;
      case '15': out += pad(hour, 2); break;
      case '3': out += String(hour % 12 || 12); break;
      case '03': out += pad(hour % 12 || 12, 2); break;
      case '4': out += String(d.getUTCMinutes()); break;
      case '04': out += pad(d.getUTCMinutes(), 2); break;
      case '5': out += String(d.getUTCSeconds()); break;
      case '05': out += pad(d.getUTCSeconds(), 2); break;
      case 'PM': out += hour >= 12 ? 'PM' : 'AM'; break;
      case 'pm': out += hour >= 12 ? 'pm' : 'am'; break;
      case 'MST': out += t.zone !== '' ? t.zone : offsetText('-0700', t.offsetSec); break;
      default: out += offsetText(c.std, t.offsetSec);
    }
  }
  return out;
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const DAYS_IN = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** A zone Go's LoadLocation knows ("UTC", "Local" and IANA names); undefined for an unknown one. */
export function knownZone(zone: string): boolean {
  if (zone === '' || zone === 'UTC' || zone === 'Local') return true;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** The zone's offset (seconds east of UTC) and abbreviation at an instant. */
function zoneAt(zone: string, ms: number): { offset: number; abbr: string } {
  if (zone === '' || zone === 'UTC' || zone === 'Local') return { offset: 0, abbr: 'UTC' };
  const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', timeZoneName: 'short' });
  const parts = Object.fromEntries(f.formatToParts(new Date(ms)).map((p) => [p.type, p.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return { offset: Math.round((wall - Math.floor(ms / 1000) * 1000) / 1000), abbr: parts.timeZoneName ?? '' };
}

/** An instant in a zone, as GoTime with that zone's offset and name. */
export function inZone(t: GoTime, zone: string): GoTime {
  const z = zoneAt(zone, Number(t.unixSeconds()) * 1000);
  return new GoTime(t.ns, z.offset, z.abbr);
}

/** Reads up to `max` digits (at least `min`). */
function num(v: string, i: number, min: number, max: number): [number, number] | undefined {
  let j = i;
  while (j < v.length && j - i < max && isDigit(v, j)) j++;
  return j - i < min ? undefined : [Number(v.slice(i, j)), j];
}

function name(v: string, i: number, names: readonly string[]): [number, number] | undefined {
  for (let k = 0; k < names.length; k++) {
    const n = names[k]!;
    if (v.slice(i, i + n.length).toLowerCase() === n.toLowerCase()) return [k, i + n.length];
  }
  return undefined;
}

/**
 * Go's time.ParseInLocation for the layout elements above: undefined where Go returns an
 * error (the template functions then give the zero time, as Go's callers ignore the error).
 */
export function goTimeParse(layout: string, value: string, zone: string): GoTime | undefined {
  let year = 0;
  let month = 1;
  let day = 1;
  let hour = 0;
  let min = 0;
  let sec = 0;
  let nsec = 0;
  let pm: boolean | undefined;
  let offset: number | undefined;
  let zoneName: string | undefined;
  let i = 0;
  const list = chunks(layout);
  for (let k = 0; k < list.length; k++) {
    const c = list[k]!;
    if ('lit' in c) {
      // Go: a run of spaces in the layout matches a run of spaces in the value.
      for (let p = 0; p < c.lit.length; ) {
        if (c.lit[p] === ' ') {
          if (value[i] !== ' ' && i < value.length) return undefined;
          while (c.lit[p] === ' ') p++;
          while (value[i] === ' ') i++;
          continue;
        }
        if (value[i] !== c.lit[p]) return undefined;
        i++;
        p++;
      }
      continue;
    }
    if ('frac' in c) {
      if (value[i] !== c.sep) {
        if (c.frac === '9') continue;
        return undefined;
      }
      const n = c.frac === '0' ? num(value, i + 1, c.digits, c.digits) : num(value, i + 1, 1, 9);
      if (!n) return undefined;
      nsec = Number(value.slice(i + 1, n[1]).padEnd(9, '0').slice(0, 9));
      i = n[1];
      continue;
    }
    let r: [number, number] | undefined;
    switch (c.std) {
      case '2006': r = num(value, i, 4, 4); if (r) year = r[0]; break;
      case '06': r = num(value, i, 2, 2); if (r) year = r[0] + (r[0] >= 69 ? 1900 : 2000); break;
      case 'January': r = name(value, i, MONTHS); if (r) month = r[0] + 1; break;
      case 'Jan': r = name(value, i, MONTHS.map((m) => m.slice(0, 3))); if (r) month = r[0] + 1; break;
      case 'Monday': r = name(value, i, DAYS); break;
      case 'Mon': r = name(value, i, DAYS.map((m) => m.slice(0, 3))); break;
      case '1': case '01': r = num(value, i, c.std === '01' ? 2 : 1, 2); if (r) month = r[0]; if (r && (month < 1 || month > 12)) return undefined; break;
      case '2': case '02': r = num(value, i, c.std === '02' ? 2 : 1, 2); if (r) day = r[0]; break;
      case '_2': {
        const s = value[i] === ' ' ? i + 1 : i;
        r = num(value, s, 1, 2);
        if (r) day = r[0];
        break;
      }
      case '15': r = num(value, i, 1, 2); if (r) hour = r[0]; if (r && hour > 23) return undefined; break;
      case '3': case '03': r = num(value, i, c.std === '03' ? 2 : 1, 2); if (r) hour = r[0]; if (r && (hour < 0 || hour > 12)) return undefined; break;
      case '4': case '04': r = num(value, i, c.std === '04' ? 2 : 1, 2); if (r) min = r[0]; if (r && min > 59) return undefined; break;
      case '5': case '05': {
        r = num(value, i, c.std === '05' ? 2 : 1, 2);
        if (!r) return undefined;
        sec = r[0];
        if (sec > 59) return undefined;
        // Go: a fraction right after the seconds is read even when the layout has none.
        const next = list[k + 1];
        if ((value[r[1]] === '.' || value[r[1]] === ',') && isDigit(value, r[1] + 1) && !(next && 'frac' in next)) {
          const f = num(value, r[1] + 1, 1, 9)!;
          nsec = Number(value.slice(r[1] + 1, f[1]).padEnd(9, '0'));
          r = [sec, f[1]];
        }
        break;
      }
      case 'PM': case 'pm': {
        const s = value.slice(i, i + 2).toUpperCase();
        if (s !== 'AM' && s !== 'PM') return undefined;
        pm = s === 'PM';
        r = [0, i + 2];
        break;
      }
      case 'MST': {
        const m = /^(UTC|GMT[+-]\d{1,2}|GMT|[A-Z]{3,5})/.exec(value.slice(i));
        if (!m) return undefined;
        zoneName = m[1]!;
        const g = /^GMT([+-]\d{1,2})$/.exec(zoneName);
        offset = g ? Number(g[1]) * 3600 : 0;
        r = [0, i + m[1]!.length];
        break;
      }
      case '002': case '__2': return undefined; // day of year: not read (rare in log layouts)
      default: {
        if (c.std.startsWith('Z') && value[i] === 'Z') {
          offset = 0;
          zoneName = 'UTC';
          r = [0, i + 1];
          break;
        }
        const withColons = c.std.includes(':');
        const parts = c.std.slice(1) === '07' ? 1 : c.std.slice(1).replace(/:/g, '').length / 2;
        const re = new RegExp(`^([+-])(\\d\\d)${parts > 1 ? (withColons ? ':(\\d\\d)' : '(\\d\\d)') : ''}${parts > 2 ? (withColons ? ':(\\d\\d)' : '(\\d\\d)') : ''}`);
        const m = re.exec(value.slice(i));
        if (!m) return undefined;
        offset = (Number(m[2]) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)) * (m[1] === '-' ? -1 : 1);
        zoneName = '';
        r = [0, i + m[0].length];
      }
    }
    if (!r) return undefined;
    i = r[1];
  }
  if (i !== value.length) return undefined; // Go: "extra text"
  if (pm !== undefined) {
    if (pm && hour < 12) hour += 12;
    if (!pm && hour === 12) hour = 0;
  }
  if (day < 1 || day > (month === 2 && isLeap(year) ? 29 : DAYS_IN[month - 1]!)) return undefined;
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, min, sec, 0);
  const wallMs = wall.getTime();
  if (offset !== undefined) {
    // An offset that is the zone's own at that time keeps the zone's name, as Go does.
    const z = zoneAt(zone, wallMs - offset * 1000);
    const named = z.offset === offset ? z.abbr : (zoneName ?? '');
    return new GoTime((BigInt(wallMs) / 1000n - BigInt(offset)) * 1_000_000_000n + BigInt(nsec), offset, named);
  }
  // No offset in the value: the wall time is in the zone (offset at that local time).
  let z = zoneAt(zone, wallMs);
  z = zoneAt(zone, wallMs - z.offset * 1000);
  return new GoTime((BigInt(wallMs) / 1000n - BigInt(z.offset)) * 1_000_000_000n + BigInt(nsec), z.offset, z.abbr);
}
