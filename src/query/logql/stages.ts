import { IchigenError, compileMatcher, compileRe2 } from '../../model/index.js';
import type { LabelFilterExpr, StageExpr } from './ast.js';
import { compileIp } from './ip-match.js';
import { JsonReader, JsonSyntaxError, jsonText, type JsonValue } from './json-parser.js';
import { ERROR_DETAILS_LABEL, ERROR_LABEL, type LabelsBuilder } from './labels-builder.js';
import { compileLineFilter } from './line-filter.js';
import { scanLogfmt } from './logfmt.js';
import { compilePattern, matchPattern } from './pattern.js';
import { compileTemplate } from './template.js';
import { parseGoDuration, parseGoFloat, parseHumanBytes } from './units.js';

/** One pipeline step: returns the (possibly rewritten) line, or null to drop the entry. */
export interface Stage {
  process(line: string, tsNs: bigint, lb: LabelsBuilder): string | null;
}

/** Parsed keys repeat line after line: their sanitised form is remembered (bounded). */
const sanitized = [new Map<string, string>(), new Map<string, string>()] as const;

/** Loki's label-name sanitising for parsed keys. */
export function sanitizeKey(key: string, isPrefix: boolean): string {
  const memo = sanitized[isPrefix ? 1 : 0];
  let k = memo.get(key);
  if (k === undefined) {
    if (memo.size >= 10_000) memo.clear();
    memo.set(key, (k = sanitize(key, isPrefix)));
  }
  return k;
}

function sanitize(key: string, isPrefix: boolean): string {
  let k = key.trim();
  if (k === '') return k;
  if (isPrefix && k[0]! >= '0' && k[0]! <= '9') k = '_' + k;
  return k.replace(/[^a-zA-Z0-9_]/g, '_');
}

function setParsed(lb: LabelsBuilder, key: string, value: string): void {
  if (key === '') return;
  lb.set(lb.baseHas(key) ? key + '_extracted' : key, value);
}

export function compileStage(s: StageExpr): Stage {
  switch (s.kind) {
    case 'lineFilter': {
      const f = compileLineFilter(s);
      return { process: (line) => (f(line) ? line : null) };
    }
    case 'json':
      return s.params.length === 0 ? jsonStage() : jsonParamsStage(s.params);
    case 'logfmt':
      return logfmtStage(s.strict, s.keepEmpty, s.params);
    case 'regexp': {
      const re = compileRe2(s.pattern);
      const names = [...s.pattern.matchAll(/\(\?P?<([a-zA-Z_][a-zA-Z0-9_]*)>/g)].map((m) => m[1]!);
      return {
        process: (line, _ts, lb) => {
          const m = re.exec(line);
          if (m?.groups) for (const n of names) setParsed(lb, sanitizeKey(n, true), m.groups[n] ?? '');
          return line;
        },
      };
    }
    case 'pattern': {
      const p = compilePattern(s.pattern);
      return {
        process: (line, _ts, lb) => {
          const caps = matchPattern(p, line);
          if (caps) for (const [k, v] of caps) setParsed(lb, k, v);
          return line;
        },
      };
    }
    case 'unpack':
      return unpackStage();
    case 'decolorize':
      // eslint-disable-next-line no-control-regex
      return { process: (line) => line.replace(/\x1b\[[0-9;]*[a-zA-Z]/g, '') };
    case 'labelFilter': {
      const f = compileLabelFilter(s.filter);
      return { process: (line, _ts, lb) => (f(lb) ? line : null) };
    }
    case 'lineFormat': {
      const t = compileTemplate(s.template);
      return {
        process: (line, tsNs, lb) => {
          try {
            return t.run({ labels: lb.all(), line, tsNs });
          } catch (e) {
            // Loki keeps the line and records the failure as a label.
            lb.setError('TemplateFormatErr', (e as Error).message);
            return line;
          }
        },
      };
    }
    case 'labelFormat': {
      const items = s.items.map((i) => ({ dst: i.dst, rename: i.rename, t: i.template === undefined ? undefined : compileTemplate(i.template) }));
      return {
        process: (line, tsNs, lb) => {
          const snapshot = lb.all();
          for (const i of items) {
            if (i.rename !== undefined) {
              const v = snapshot.get(i.rename);
              if (v === undefined) continue;
              lb.set(i.dst, v);
              if (i.rename !== i.dst) lb.del(i.rename);
            } else {
              try {
                lb.set(i.dst, i.t!.run({ labels: snapshot, line, tsNs }));
              } catch (e) {
                lb.setError('TemplateFormatErr', (e as Error).message);
              }
            }
          }
          return line;
        },
      };
    }
    case 'drop':
    case 'keep': {
      const items = s.items.map((i) => ({ name: i.name, test: i.matcher ? compileMatcher(i.matcher) : undefined }));
      if (s.kind === 'drop') {
        return {
          process: (line, _ts, lb) => {
            for (const i of items) {
              const v = lb.get(i.name);
              if (v !== undefined && (!i.test || i.test(v))) lb.del(i.name);
            }
            return line;
          },
        };
      }
      return {
        process: (line, _ts, lb) => {
          for (const [name, v] of lb.all()) {
            if (name === ERROR_LABEL || name === ERROR_DETAILS_LABEL) continue;
            const keep = items.some((i) => i.name === name && (!i.test || i.test(v)));
            if (!keep) lb.del(name);
          }
          return line;
        },
      };
    }
  }
}

function flatten(lb: LabelsBuilder, prefix: string, key: string, v: JsonValue): void {
  const name = prefix === '' ? sanitizeKey(key, true) : prefix + '_' + sanitizeKey(key, false);
  if (v.t === 'obj') {
    for (const [k, child] of v.v) flatten(lb, name, k, child);
    return;
  }
  if (v.t === 'arr' || v.t === 'null') return;
  setParsed(lb, name, jsonText(v));
}

function jsonStage(): Stage {
  return {
    process: (line, _ts, lb) => {
      const r = new JsonReader(line);
      try {
        r.ws();
        r.objectEntries((k, v) => flatten(lb, '', k, v));
        r.ws();
      } catch (e) {
        lb.setError('JSONParserErr', e instanceof JsonSyntaxError ? e.message : String(e));
      }
      return line;
    },
  };
}

/** A json extraction path: `a.b[0]["x-y"]`. */
function parsePath(p: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /\[\s*(\d+)\s*\]|\[\s*"((?:[^"\\]|\\.)*)"\s*\]|\.?([^.[\]]+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(p))) {
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(`"${m[2]}"`) as string);
    else out.push(m[3]!);
  }
  return out;
}

function jsonParamsStage(params: Array<{ name: string; source: string }>): Stage {
  const compiled = params.map((p) => ({ name: p.name, path: parsePath(p.source) }));
  return {
    process: (line, _ts, lb) => {
      let root: JsonValue;
      try {
        root = new JsonReader(line).value();
      } catch (e) {
        lb.setError('JSONParserErr', e instanceof JsonSyntaxError ? e.message : String(e));
        return line;
      }
      for (const c of compiled) {
        let cur: JsonValue | undefined = root;
        for (const step of c.path) {
          if (!cur) break;
          if (typeof step === 'number') cur = cur.t === 'arr' ? cur.v[step] : undefined;
          else cur = cur.t === 'obj' ? cur.v.find(([k]) => k === step)?.[1] : undefined;
        }
        setParsed(lb, c.name, cur ? jsonText(cur) : '');
      }
      return line;
    },
  };
}

function logfmtStage(strict: boolean, keepEmpty: boolean, params: Array<{ name: string; source: string }>): Stage {
  return {
    process: (line, _ts, lb) => {
      const { pairs, error } = scanLogfmt(line, strict);
      if (params.length > 0) {
        for (const p of params) {
          let value: string | undefined;
          for (const pair of pairs) if (pair.key === p.source) value = value ?? pair.value;
          setParsed(lb, p.name, value ?? '');
        }
      } else {
        const seen = new Set<string>();
        for (const pair of pairs) {
          const key = sanitizeKey(pair.key, true);
          if (key === '' || seen.has(key)) continue;
          if (pair.value === '' && !keepEmpty) continue;
          seen.add(key);
          setParsed(lb, key, pair.value);
        }
      }
      if (error) lb.setError('LogfmtParserErr', error);
      return line;
    },
  };
}

function unpackStage(): Stage {
  return {
    process: (line, _ts, lb) => {
      let out = line;
      const r = new JsonReader(line);
      try {
        r.ws();
        r.objectEntries((k, v) => {
          if (v.t !== 'str') return;
          if (k === '_entry') out = v.v;
          else setParsed(lb, k, v.v);
        });
      } catch (e) {
        lb.setError('JSONParserErr', e instanceof JsonSyntaxError ? e.message : String(e));
        return line;
      }
      return out;
    },
  };
}

/** Compiles a label filter; numeric filters record LabelFilterErr when a value does not parse. */
export function compileLabelFilter(f: LabelFilterExpr): (lb: LabelsBuilder) => boolean {
  switch (f.kind) {
    case 'and': {
      const l = compileLabelFilter(f.left);
      const r = compileLabelFilter(f.right);
      return (lb) => {
        const a = l(lb);
        const b = r(lb);
        return a && b;
      };
    }
    case 'or': {
      const l = compileLabelFilter(f.left);
      const r = compileLabelFilter(f.right);
      return (lb) => l(lb) || r(lb);
    }
    case 'string': {
      const test = compileMatcher(f.matcher);
      return (lb) => test(lb.get(f.matcher.name) ?? '');
    }
    case 'ip': {
      const m = compileIp(f.value);
      return (lb) => {
        if (lb.err !== '') return true;
        const v = lb.get(f.name);
        if (v === undefined) return false;
        return f.negate ? !m(v) : m(v);
      };
    }
    default: {
      const conv = f.kind === 'duration' ? parseGoDuration : f.kind === 'bytes' ? parseHumanBytes : parseGoFloat;
      const cmp = comparator(f.op);
      return (lb) => {
        const v = lb.get(f.name);
        if (v === undefined) return false;
        const n = conv(v);
        if (n === undefined) {
          lb.setError('LabelFilterErr', `${f.kind === 'number' ? 'strconv.ParseFloat' : f.kind}: parsing ${JSON.stringify(v)}: invalid syntax`);
          return true;
        }
        return cmp(n, f.value);
      };
    }
  }
}

function comparator(op: string): (a: number, b: number) => boolean {
  switch (op) {
    case '==':
      return (a, b) => a === b;
    case '!=':
      return (a, b) => a !== b;
    case '>':
      return (a, b) => a > b;
    case '>=':
      return (a, b) => a >= b;
    case '<':
      return (a, b) => a < b;
    case '<=':
      return (a, b) => a <= b;
    default:
      throw new IchigenError('PARSE_ERROR', `unknown comparison ${op}`);
  }
}

