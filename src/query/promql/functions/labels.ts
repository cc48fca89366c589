import { IchigenError, compareLabels, compileAnchoredRe2, getLabel, isValidLabelName, type Label, type Labels } from '../../../model/index.js';
import { checkUnique } from '../evaluator.js';
import type { FunctionImpl } from './function-impl.js';

function setLabel(labels: Labels, name: string, value: string): Labels {
  const out: Label[] = labels.filter((l) => l.name !== name);
  if (value !== '') out.push({ name, value });
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** Go's regexp.Expand: `$1`, `${1}`, `$name`, `${name}`, `$$`. */
export function expandTemplate(template: string, match: RegExpExecArray): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c !== '$') {
      out += c;
      continue;
    }
    const rest = template.slice(i + 1);
    if (rest.startsWith('$')) {
      out += '$';
      i++;
      continue;
    }
    const m = /^\{([A-Za-z0-9_]+)\}/.exec(rest) ?? /^([A-Za-z0-9_]+)/.exec(rest);
    if (m === null) {
      out += '$';
      continue;
    }
    const name = m[1]!;
    i += m[0].length;
    if (/^\d+$/.test(name)) out += match[Number(name)] ?? '';
    else out += match.groups?.[name] ?? '';
  }
  return out;
}

const labelReplace: FunctionImpl = async (ev, call) => {
  const vec = await ev.evalVector(call.args[0]!);
  const dst = await ev.evalString(call.args[1]!);
  const repl = await ev.evalString(call.args[2]!);
  const src = await ev.evalString(call.args[3]!);
  const regexText = await ev.evalString(call.args[4]!);
  let re: RegExp;
  try {
    re = compileAnchoredRe2(ev.ctx.options.compatibility === 'prometheus3' ? `(?s)${regexText}` : regexText);
  } catch {
    throw new IchigenError('EXECUTION', `invalid regular expression in label_replace(): ${regexText}`);
  }
  if (!isValidLabelName(dst)) throw new IchigenError('EXECUTION', `invalid destination label name in label_replace(): ${dst}`);
  for (const s of vec.series) {
    const m = re.exec(getLabel(s.labels, src));
    if (m === null) continue;
    s.labels = setLabel(s.labels, dst, expandTemplate(repl, m));
  }
  checkUnique(vec.series);
  return vec;
};

const labelJoin: FunctionImpl = async (ev, call) => {
  const vec = await ev.evalVector(call.args[0]!);
  const dst = await ev.evalString(call.args[1]!);
  const sep = await ev.evalString(call.args[2]!);
  const srcs: string[] = [];
  for (let a = 3; a < call.args.length; a++) {
    const name = await ev.evalString(call.args[a]!);
    if (!isValidLabelName(name)) throw new IchigenError('EXECUTION', `invalid source label name in label_join(): ${name}`);
    srcs.push(name);
  }
  if (!isValidLabelName(dst)) throw new IchigenError('EXECUTION', `invalid destination label name in label_join(): ${dst}`);
  for (const s of vec.series) s.labels = setLabel(s.labels, dst, srcs.map((n) => getLabel(s.labels, n)).join(sep));
  checkUnique(vec.series);
  return vec;
};

/** Natural order of label values (digit runs compare as numbers), as Prometheus' sort_by_label. */
export function naturalLess(a: string, b: string): number {
  const re = /(\d+|\D+)/g;
  const pa = a.match(re) ?? [];
  const pb = b.match(re) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const x = pa[i]!;
    const y = pb[i]!;
    if (x === y) continue;
    const dx = /^\d/.test(x);
    const dy = /^\d/.test(y);
    if (dx && dy) {
      const nx = BigInt(x);
      const ny = BigInt(y);
      if (nx !== ny) return nx < ny ? -1 : 1;
      return x.length - y.length;
    }
    return x < y ? -1 : 1;
  }
  return pa.length - pb.length;
}

function sortByLabel(desc: boolean): FunctionImpl {
  return async (ev, call) => {
    const vec = await ev.evalVector(call.args[0]!);
    const names: string[] = [];
    for (let a = 1; a < call.args.length; a++) names.push(await ev.evalString(call.args[a]!));
    vec.series.sort((x, y) => {
      for (const n of names) {
        const c = naturalLess(getLabel(x.labels, n), getLabel(y.labels, n));
        if (c !== 0) return desc ? -c : c;
      }
      const c = compareLabels(x.labels, y.labels);
      return desc ? -c : c;
    });
    return vec;
  };
}

export const LABEL_FUNCTIONS: ReadonlyArray<readonly [string, FunctionImpl]> = [
  ['label_replace', labelReplace],
  ['label_join', labelJoin],
  ['sort_by_label', sortByLabel(false)],
  ['sort_by_label_desc', sortByLabel(true)],
];
