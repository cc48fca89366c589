import { IchigenError, compareLabelNames, type Label, type Labels } from '../../model/index.js';

/**
 * Parses a stream selector without operators other than `=`: `{app="x", env="prod"}`.
 * Loki's protobuf push carries stream labels in this text form.
 */
export function parseLabelString(text: string): Labels {
  const s = text.trim();
  if (!s.startsWith('{') || !s.endsWith('}')) throw bad(text, 'expected {name="value", ...}');
  let i = 1;
  const end = s.length - 1;
  const out: Label[] = [];
  const skipWs = (): void => {
    while (i < end && /\s/.test(s[i]!)) i++;
  };
  skipWs();
  while (i < end) {
    const m = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(s.slice(i, end));
    if (!m) throw bad(text, `invalid label name at offset ${i}`);
    const name = m[0];
    i += name.length;
    skipWs();
    if (s[i] !== '=') throw bad(text, `expected = after ${name}`);
    i++;
    skipWs();
    if (s[i] !== '"') throw bad(text, `expected a quoted value for ${name}`);
    let j = i + 1;
    while (j < end && s[j] !== '"') j += s[j] === '\\' ? 2 : 1;
    if (j >= end) throw bad(text, `unterminated value for ${name}`);
    let value: string;
    try {
      value = JSON.parse(s.slice(i, j + 1)) as string;
    } catch {
      throw bad(text, `invalid escape in the value of ${name}`);
    }
    i = j + 1;
    out.push({ name, value });
    skipWs();
    if (s[i] === ',') {
      i++;
      skipWs();
    } else if (i < end) throw bad(text, `expected , or } at offset ${i}`);
  }
  return normalizeLabels(out, text);
}

/** Sorts, rejects duplicates, drops empty values (Loki treats them as absent). */
export function normalizeLabels(labels: Label[], context: string): Labels {
  const out = labels.filter((l) => l.value !== '').sort(compareLabelNames);
  for (let k = 1; k < out.length; k++) {
    if (out[k]!.name === out[k - 1]!.name) throw bad(context, `duplicate label name ${out[k]!.name}`);
  }
  return out;
}

function bad(text: string, why: string): IchigenError {
  return new IchigenError('INVALID_BODY', `error parsing labels '${text}': ${why}`);
}
