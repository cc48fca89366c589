import type { Labels } from '../../model/index.js';
import type { LogExpr, StageExpr } from './ast.js';
import { LabelsBuilder } from './labels-builder.js';
import { requiredSubstring } from './line-filter.js';
import { compileStage, type Stage } from './stages.js';

/**
 * Line filters move ahead of every stage but line_format (as Loki reorders them), so
 * `| decolorize |= "x"` filters the raw, coloured line.
 */
export function reorderStages(stages: readonly StageExpr[]): StageExpr[] {
  const out: StageExpr[] = [];
  let barrier = 0;
  for (const s of stages) {
    if (s.kind === 'lineFilter') {
      let i = out.length;
      while (i > barrier && out[i - 1]!.kind !== 'lineFilter') i--;
      // keep the relative order of line filters
      while (i < out.length && out[i]!.kind === 'lineFilter') i++;
      out.splice(i, 0, s);
    } else {
      out.push(s);
      if (s.kind === 'lineFormat') barrier = out.length;
    }
  }
  return out;
}

export interface Pipeline {
  readonly stages: Stage[];
  /** Substrings every line must contain before any stage (the store can filter with them). */
  readonly mustContain: string[];
  run(line: string, tsNs: bigint, stream: Labels, metadata: Labels): { line: string; lb: LabelsBuilder } | null;
}

export function compilePipeline(e: LogExpr): Pipeline {
  const ordered = reorderStages(e.stages);
  const mustContain: string[] = [];
  for (const s of ordered) {
    if (s.kind !== 'lineFilter') break;
    const sub = requiredSubstring(s);
    if (sub !== undefined) mustContain.push(sub);
  }
  const stages = ordered.map(compileStage);
  return {
    stages,
    mustContain,
    run(line, tsNs, stream, metadata) {
      const lb = new LabelsBuilder(stream, metadata);
      let cur: string | null = line;
      for (const st of stages) {
        cur = st.process(cur, tsNs, lb);
        if (cur === null) return null;
      }
      return { line: cur, lb };
    },
  };
}
