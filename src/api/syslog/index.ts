export { SyslogListener } from './syslog-listener.js';
export type { SyslogListenerOptions } from './syslog-listener.js';
