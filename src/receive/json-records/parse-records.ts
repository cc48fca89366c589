import { IchigenError } from '../../model/index.js';

/**
 * The records of a JSON log body as HTTP log shippers send them: newline-delimited objects
 * (Fluent Bit `format json_lines`, Vector, `application/x-ndjson`), a JSON array of objects
 * (Fluent Bit `format json`), or objects back to back (`format json_stream`). A record that is
 * not a JSON object is refused with its position, so a sender sees which one is wrong.
 */
export function parseJsonRecords(text: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const trimmed = text.trim();
  if (trimmed === '') return out;
  if (trimmed.startsWith('[')) {
    let arr: unknown;
    try {
      arr = JSON.parse(trimmed);
    } catch (e) {
      throw new IchigenError('INVALID_BODY', `the body is not a valid JSON array of records: ${(e as Error).message}`);
    }
    (arr as unknown[]).forEach((r, i) => out.push(asRecord(r, `record ${i + 1}`)));
    return out;
  }
  // Newline-delimited, or concatenated: read one value at a time.
  let pos = 0;
  let n = 0;
  while (pos < text.length) {
    while (pos < text.length && /\s/.test(text[pos]!)) pos++;
    if (pos >= text.length) break;
    n++;
    const end = valueEnd(text, pos);
    if (end < 0) throw new IchigenError('INVALID_BODY', `record ${n} (line ${lineOf(text, pos)}) is not a complete JSON object`);
    let value: unknown;
    try {
      value = JSON.parse(text.slice(pos, end));
    } catch (e) {
      throw new IchigenError('INVALID_BODY', `record ${n} (line ${lineOf(text, pos)}) is not valid JSON: ${(e as Error).message}`);
    }
    out.push(asRecord(value, `record ${n} (line ${lineOf(text, pos)})`));
    pos = end;
  }
  return out;
}

function asRecord(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new IchigenError('INVALID_BODY', `${where} must be a JSON object`);
  return v as Record<string, unknown>;
}

function lineOf(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** End (exclusive) of the JSON object starting at `start`, by brace depth outside strings; -1 if unterminated. */
function valueEnd(text: string, start: number): number {
  if (text[start] !== '{') {
    // Not an object: the rest of the line, so JSON.parse names the problem.
    const nl = text.indexOf('\n', start);
    return nl < 0 ? text.length : nl;
  }
  let depth = 0;
  let inStr = false;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}
