/**
 * Words a Lezer error position the way Prometheus' yacc parser words the token it did not
 * expect (`unexpected end of input`, `unexpected identifier "foo"`, `unexpected <op:+>`).
 */
const TOKEN_RE = /^(?:(?<num>0x[0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?(?:ms|[smhdwy])?)|(?<str>"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?)|(?<id>[a-zA-Z_:][a-zA-Z0-9_:.]*)|(?<op>==|!=|>=|<=|=~|!~|[-+*/%^<>=])|(?<punct>[()[\]{},@:]))/;

const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'bool', 'offset', 'and', 'or', 'unless', 'atan2']);
const PUNCT: Record<string, string> = {
  '(': 'left parenthesis \'(\'', ')': 'right parenthesis \')\'', '[': 'left bracket \'[\'', ']': 'right bracket \']\'',
  '{': 'left brace \'{\'', '}': 'character: \'}\'', ',': 'comma \',\'', '@': '<@>', ':': 'colon \':\'',
};

/** Returns the message and the offset Prometheus would report it at. */
export function describeSyntaxError(query: string, offset: number): { offset: number; message: string } {
  const before = query.slice(0, offset);
  const call = /([a-zA-Z_][a-zA-Z0-9_]*)\s*$/.exec(before);
  if (call !== undefined && call !== null && /^\s*\(/.test(query.slice(offset))) {
    return { offset: call.index, message: `unknown function with name "${call[1]}"` };
  }
  if (/,\s*$/.test(before) && /^\s*\)/.test(query.slice(offset))) {
    return { offset: before.lastIndexOf(','), message: 'trailing commas not allowed in function call args' };
  }
  const quote = /^\s*(["'`])/.exec(query.slice(offset));
  if (quote !== null && !new RegExp(`^\\s*${quote[1]}(?:[^${quote[1]}\\\\]|\\\\.)*${quote[1]}`).test(query.slice(offset))) {
    return { offset: offset + quote[0].length - 1, message: 'unterminated quoted string' };
  }
  if (query.slice(offset).trim() === '') {
    if (/\boffset\s*-?\s*$/.test(before)) return { offset: query.length, message: 'unexpected end of input in offset, expected duration' };
    if (/@\s*-?\s*(?:start|end)?\s*$/.test(before)) return { offset: query.length, message: 'unexpected end of input in @, expected timestamp' };
    const open = unclosed(before);
    if (open === '(') return { offset: query.length, message: 'unclosed left parenthesis' };
    if (open === '[') return { offset: query.length, message: 'unexpected end of input inside brackets' };
  }
  return { offset, message: describeUnexpected(query, offset) };
}

function describeUnexpected(query: string, offset: number): string {
  let i = offset;
  while (i < query.length && /\s/.test(query[i]!)) i++;
  const rest = query.slice(i);
  if (rest === '') {
    return unclosed(query.slice(0, offset)) === '{' ? 'unexpected end of input inside braces' : 'unexpected end of input';
  }
  const open = unclosed(query.slice(0, offset));
  if (open === '[' && rest.startsWith(':')) return "unexpected colon ':'";
  const m = TOKEN_RE.exec(rest);
  const g = m?.groups;
  if (g === undefined) return `unexpected character: ${goRune(rest[0]!)}`;
  if (open === '{') {
    // Prometheus' grammar words errors inside a selector's braces by what it expected there.
    const prev = query.slice(0, i).trimEnd().slice(-1);
    const what = g.id !== undefined ? `identifier ${JSON.stringify(g.id)}` : g.punct === ',' ? '","' : g.str !== undefined ? `string ${JSON.stringify(g.str)}` : undefined;
    if (what !== undefined && (prev === '{' || prev === ',')) return `unexpected ${what} in label matching, expected identifier or "}"`;
    if (what !== undefined && (prev === '"' || prev === "'" || prev === '`')) return `unexpected ${what} in label matching, expected "," or "}"`;
  }
  if (g.num !== undefined) return `unexpected number "${g.num}"`;
  if (g.str !== undefined) return `unexpected string ${JSON.stringify(g.str)}`;
  if (g.id !== undefined) {
    const lower = g.id.toLowerCase();
    if (lower === 'and' || lower === 'or' || lower === 'unless' || lower === 'atan2') return `unexpected <op:${lower}>`;
    if (KEYWORDS.has(lower)) return `unexpected <${lower}>`;
    return `unexpected identifier "${g.id}"`;
  }
  if (g.op !== undefined) return `unexpected <op:${g.op}>`;
  return `unexpected ${PUNCT[g.punct ?? ''] ?? JSON.stringify(g.punct)}`;
}

/** Go's %q of a rune: '.' */
function goRune(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '\\') return "'\\\\'";
  return `'${c}'`;
}

function unclosed(text: string): string | undefined {
  const stack: string[] = [];
  for (const c of text.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '')) {
    if (c === '(' || c === '[' || c === '{') stack.push(c);
    else if (c === ')' || c === ']' || c === '}') stack.pop();
  }
  return stack[stack.length - 1];
}
