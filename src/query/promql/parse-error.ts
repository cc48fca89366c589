import { IchigenError } from '../../model/index.js';

/**
 * A parse error worded and positioned the way Prometheus reports it:
 * `1:14: parse error: unexpected end of input` (line and 1-based column of the offending
 * token), answered as HTTP 400 `bad_data` like Prometheus does.
 */
export function parseError(query: string, offset: number, message: string): IchigenError {
  const before = query.slice(0, Math.max(0, Math.min(offset, query.length)));
  const lastBreak = before.lastIndexOf('\n');
  const line = before.split('\n').length;
  const col = before.length - lastBreak;
  return new IchigenError('PARSE_ERROR', `${line}:${col}: parse error: ${message}`);
}
