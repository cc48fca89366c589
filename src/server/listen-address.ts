import { IchigenError } from '../model/index.js';

export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

/** Parses `host:port`, `[v6]:port` or `:port` (all interfaces). */
export function parseListenAddress(text: string, key = 'server.listen'): ListenAddress {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new IchigenError('INVALID_PARAMETER', `${key}: expected HOST:PORT such as 0.0.0.0:8910, got "${text}"`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}
