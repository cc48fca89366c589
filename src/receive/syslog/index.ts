export { parseSyslog } from './parse-syslog.js';
export { FACILITIES, SEVERITIES, syslogToEntry } from './syslog-message.js';
export type { SyslogMessage } from './syslog-message.js';
export { SyslogTcpFramer } from './tcp-framing.js';
