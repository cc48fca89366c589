import { createHash } from 'node:crypto';
import { compareLabelNames, isValidLabelName, type Label, type Labels } from '../../model/index.js';
import type { RelabelRule } from './relabel-config.js';

/**
 * Applies relabel rules in order, as Prometheus does. Returns the new sorted label set, or
 * undefined when a rule dropped it. Labels that end up with an empty value are removed.
 */
export function relabel(labels: Labels, rules: readonly RelabelRule[]): Labels | undefined {
  if (rules.length === 0) return labels;
  const lb = new Map<string, string>();
  for (const l of labels) lb.set(l.name, l.value);
  for (const r of rules) if (!applyRule(lb, r)) return undefined;
  const out: Label[] = [];
  for (const [name, value] of lb) if (value !== '') out.push({ name, value });
  return out.sort(compareLabelNames);
}

function applyRule(lb: Map<string, string>, r: RelabelRule): boolean {
  const val = r.sourceLabels.map((n) => lb.get(n) ?? '').join(r.separator);
  switch (r.action) {
    case 'drop':
      return !r.regex.test(val);
    case 'keep':
      return r.regex.test(val);
    case 'dropequal':
      return (lb.get(r.targetLabel) ?? '') !== val;
    case 'keepequal':
      return (lb.get(r.targetLabel) ?? '') === val;
    case 'replace': {
      const m = r.regex.exec(val);
      if (!m) return true;
      const target = expand(r.targetLabel, m);
      if (!isValidLabelName(target)) return true;
      const res = expand(r.replacement, m);
      if (res === '') lb.delete(target);
      else lb.set(target, res);
      return true;
    }
    case 'lowercase':
      lb.set(r.targetLabel, val.toLowerCase());
      return true;
    case 'uppercase':
      lb.set(r.targetLabel, val.toUpperCase());
      return true;
    case 'hashmod': {
      const hash = createHash('md5').update(val).digest();
      const mod = hash.readBigUInt64BE(8) % BigInt(r.modulus);
      lb.set(r.targetLabel, mod.toString());
      return true;
    }
    case 'labelmap': {
      for (const [name, value] of [...lb]) {
        const m = r.regex.exec(name);
        if (m) lb.set(expand(r.replacement, m), value);
      }
      return true;
    }
    case 'labeldrop':
      for (const name of [...lb.keys()]) if (r.regex.test(name)) lb.delete(name);
      return true;
    case 'labelkeep':
      for (const name of [...lb.keys()]) if (!r.regex.test(name)) lb.delete(name);
      return true;
  }
}

/**
 * Go's Regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`. A bare `$name` takes the
 * longest run of letters, digits and `_`, so `$1x` refers to a group named "1x" (empty).
 */
export function expand(template: string, m: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i++;
      continue;
    }
    let name: string;
    let end: number;
    if (next === '{') {
      const close = template.indexOf('}', i + 2);
      if (close < 0) {
        out += c;
        continue;
      }
      name = template.slice(i + 2, close);
      end = close;
      if (!/^[a-zA-Z0-9_]+$/.test(name)) {
        out += c;
        continue;
      }
    } else {
      const mm = /^[a-zA-Z0-9_]+/.exec(template.slice(i + 1));
      if (!mm) {
        out += c;
        continue;
      }
      name = mm[0];
      end = i + name.length;
    }
    if (/^\d+$/.test(name)) out += m[Number(name)] ?? '';
    else out += m.groups?.[name] ?? '';
    i = end;
  }
  return out;
}
