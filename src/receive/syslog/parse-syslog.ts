import { IchigenError } from '../../model/index.js';
import type { SyslogMessage } from './syslog-message.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const nil = (s: string): string => (s === '-' ? '' : s);

function bad(why: string, text: string): IchigenError {
  return new IchigenError('INVALID_BODY', `syslog: ${why}: ${JSON.stringify(text.slice(0, 80))}`);
}

/** RFC 5424 STRUCTURED-DATA: `-` or `[id k="v" …]…`, with \" \\ \] escapes. Returns the rest. */
function structuredData(s: string, text: string): { sd: SyslogMessage['structuredData']; rest: string } {
  if (s.startsWith('-')) return { sd: [], rest: s.slice(1) };
  const sd: Array<{ id: string; params: Array<[string, string]> }> = [];
  let i = 0;
  while (s[i] === '[') {
    const idEnd = s.slice(i + 1).search(/[ \]]/);
    if (idEnd < 0) throw bad('unterminated structured data', text);
    const id = s.slice(i + 1, i + 1 + idEnd);
    i += 1 + idEnd;
    const params: Array<[string, string]> = [];
    while (s[i] === ' ') {
      const m = /^ ([^= \]"]+)="/.exec(s.slice(i));
      if (!m) throw bad('bad structured data parameter', text);
      i += m[0].length;
      let value = '';
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && (s[i + 1] === '"' || s[i + 1] === '\\' || s[i + 1] === ']')) i++;
        value += s[i++];
      }
      if (s[i] !== '"') throw bad('unterminated structured data value', text);
      i++;
      params.push([m[1]!, value]);
    }
    if (s[i] !== ']') throw bad('unterminated structured data element', text);
    i++;
    sd.push({ id, params });
  }
  return { sd, rest: s.slice(i) };
}

/** RFC 5424 TIMESTAMP (RFC 3339 with up to 6 fraction digits) or `-`. */
function timestamp5424(t: string, text: string): bigint | undefined {
  if (t === '-') return undefined;
  const m = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/.exec(t);
  const ms = m ? Date.parse(`${m[1]}${m[3]}`) : NaN;
  if (!m || Number.isNaN(ms)) throw bad(`bad timestamp "${t}"`, text);
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

/**
 * RFC 3164's `Mmm dd hh:mm:ss` has no year and no zone: read as UTC in the current year, or
 * the previous one when that would put it more than a day in the future (a December message
 * read in January).
 */
function timestamp3164(mon: string, day: string, time: string, nowMs: number): bigint {
  const year = new Date(nowMs).getUTCFullYear();
  const [h, mi, s] = time.split(':').map(Number) as [number, number, number];
  let ms = Date.UTC(year, MONTHS.indexOf(mon), Number(day), h, mi, s);
  if (ms > nowMs + 86_400_000) ms = Date.UTC(year - 1, MONTHS.indexOf(mon), Number(day), h, mi, s);
  return BigInt(ms) * 1_000_000n;
}

/**
 * One syslog message: RFC 5424 (`<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD MSG`) or RFC 3164
 * (`<PRI>Mmm dd hh:mm:ss HOST TAG[PID]: MSG`, leniently: the host or the tag may be missing).
 * A message without `<PRI>` is taken as user.notice text, as RFC 3164 relays do.
 */
export function parseSyslog(raw: string, nowMs: number): SyslogMessage {
  const text = raw.replace(/[\r\n\0]+$/, '');
  const pri = /^<(\d{1,3})>/.exec(text);
  let prival = 13;
  let rest = text;
  if (pri) {
    prival = Number(pri[1]);
    if (prival > 191) throw bad(`PRI ${prival} is out of range (0-191)`, text);
    rest = text.slice(pri[0].length);
  }
  const facility = prival >> 3;
  const severity = prival & 7;
  const v1 = /^1 (\S+) (\S+) (\S+) (\S+) (\S+) /.exec(rest);
  if (pri && v1) {
    const { sd, rest: after } = structuredData(rest.slice(v1[0].length), text);
    // MSG may start with a UTF-8 BOM (RFC 5424 §6.4).
    const message = after.replace(/^ /, '').replace(/^\uFEFF/, '');
    return { facility, severity, tsNs: timestamp5424(v1[1]!, text), hostname: nil(v1[2]!), appName: nil(v1[3]!), procId: nil(v1[4]!), msgId: nil(v1[5]!), structuredData: sd, message };
  }
  let tsNs: bigint | undefined;
  const ts = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}:\d{2}:\d{2}) /.exec(rest);
  if (ts && MONTHS.includes(ts[1]!)) {
    tsNs = timestamp3164(ts[1]!, ts[2]!.trim(), ts[3]!, nowMs);
    rest = rest.slice(ts[0].length);
  }
  let hostname = '';
  let appName = '';
  let procId = '';
  // HOST TAG: … — or TAG: … when the sender left the host out.
  const withHost = /^([^\s:[\]]+) ([^\s:[\]]+)(?:\[([^\]]*)\])?: /.exec(rest);
  const tagOnly = /^([^\s:[\]]+)(?:\[([^\]]*)\])?: /.exec(rest);
  if (ts && withHost) {
    [hostname, appName, procId] = [withHost[1]!, withHost[2]!, withHost[3] ?? ''];
    rest = rest.slice(withHost[0].length);
  } else if (tagOnly) {
    [appName, procId] = [tagOnly[1]!, tagOnly[2] ?? ''];
    rest = rest.slice(tagOnly[0].length);
  } else if (ts) {
    const host = /^(\S+) /.exec(rest);
    if (host) {
      hostname = host[1]!;
      rest = rest.slice(host[0].length);
    }
  }
  return { facility, severity, tsNs, hostname, appName, procId, msgId: '', structuredData: [], message: rest };
}
