import { compareLabelNames, type Label } from '../../model/index.js';
import type { LogEntry } from '../loki-push/index.js';

export const FACILITIES = ['kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'cron', 'authpriv', 'ftp', 'ntp', 'security', 'console', 'solaris-cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'];
export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'];
/** Severity → Loki's detected_level names. */
const LEVELS = ['critical', 'critical', 'critical', 'error', 'warn', 'info', 'info', 'debug'];

/** One syslog message, RFC 5424 or RFC 3164, with the fields both have. */
export interface SyslogMessage {
  readonly facility: number;
  readonly severity: number;
  /** ns since the epoch; undefined when the message has none (NILVALUE). */
  readonly tsNs: bigint | undefined;
  readonly hostname: string;
  readonly appName: string;
  readonly procId: string;
  readonly msgId: string;
  /** RFC 5424 structured data: element id → params. */
  readonly structuredData: ReadonlyArray<{ id: string; params: Array<[string, string]> }>;
  readonly message: string;
}

const sanitize = (s: string): string => {
  const n = s.replace(/[^a-zA-Z0-9_]/g, '_');
  return /^[0-9]/.test(n) ? `_${n}` : n;
};

/**
 * A message as a log entry and its stream: `job="syslog"`, `service_name` (the app name,
 * `syslog` without one) and `host`; facility, severity, procid, msgid, `detected_level` and
 * each structured-data param (`<id>_<name>`) are structured metadata; the time is the
 * message's, else the time of receipt.
 */
export function syslogToEntry(m: SyslogMessage, nowNs: bigint, detectLevel: boolean): { labels: Label[]; entry: LogEntry } {
  const labels: Label[] = [{ name: 'job', value: 'syslog' }, { name: 'service_name', value: m.appName !== '' ? m.appName : 'syslog' }];
  if (m.hostname !== '') labels.push({ name: 'host', value: m.hostname });
  const meta = new Map<string, string>();
  meta.set('facility', FACILITIES[m.facility] ?? String(m.facility));
  meta.set('severity', SEVERITIES[m.severity] ?? String(m.severity));
  if (detectLevel) meta.set('detected_level', LEVELS[m.severity] ?? 'unknown');
  if (m.procId !== '') meta.set('procid', m.procId);
  if (m.msgId !== '') meta.set('msgid', m.msgId);
  for (const sd of m.structuredData) for (const [k, v] of sd.params) if (v !== '') meta.set(sanitize(`${sd.id}_${k}`), v);
  const metadata = [...meta].map(([name, value]) => ({ name, value })).sort(compareLabelNames);
  return { labels: labels.sort(compareLabelNames), entry: { tsNs: m.tsNs ?? nowNs, line: m.message, metadata } };
}
