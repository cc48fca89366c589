import type { Completion, CompletionContext, CompletionResult } from '@codemirror/autocomplete';
import { LanguageSupport, LRLanguage, syntaxTree } from '@codemirror/language';
import { linter, type Diagnostic } from '@codemirror/lint';
import type { Extension } from '@codemirror/state';
import { parser } from '@grafana/lezer-logql';
import { styleTags, tags as t } from '@lezer/highlight';
import { lokiApi } from '../../api/loki.js';
import { AGGREGATIONS, escapeLogqlString, logqlContext, PIPELINE_STAGES, RANGE_FUNCTIONS } from '../../lib/logql-complete.js';

// Highlighting from Loki's own grammar (the parser the server's LogQL engine uses too).
const logqlLanguage = LRLanguage.define({
  name: 'logql',
  parser: parser.configure({
    props: [
      styleTags({
        'Json Logfmt Unpack Pattern Regexp Unwrap LabelFormat LineFormat LabelReplace Decolorize Drop Keep Vector': t.keyword,
        'By Without On Ignoring GroupLeft GroupRight Bool Offset': t.modifier,
        'And Or Unless': t.logicOperator,
        'Sum Avg Count Max Min Stddev Stdvar Bottomk Topk Sort Sort_Desc Approx_Topk': t.function(t.variableName),
        'CountOverTime Rate RateCounter BytesOverTime BytesRate AvgOverTime SumOverTime MinOverTime MaxOverTime StddevOverTime StdvarOverTime QuantileOverTime FirstOverTime LastOverTime AbsentOverTime': t.function(t.variableName),
        'BytesConv DurationConv DurationSecondsConv': t.function(t.variableName),
        'Identifier LabelName': t.labelName,
        String: t.string,
        'Number Duration Bytes': t.number,
        LineComment: t.lineComment,
        'Eq Neq Re Nre Gtr Gte Lss Lte Eql Add Sub Mul Div Mod Pow Pipe PipeExact PipeMatch PipePattern Npa': t.operator,
        '( )': t.paren,
        '{ }': t.brace,
        '[ ]': t.squareBracket,
      }),
    ],
  }),
  languageData: { commentTokens: { line: '#' }, closeBrackets: { brackets: ['(', '[', '{', '"', '`'] } },
});

/** Where completion gets label names and values: the Loki API over the page's time range. */
export interface LabelSource {
  labels(): Promise<string[]>;
  values(label: string): Promise<string[]>;
}

/** Loki's label APIs over [startMs, endMs], cached for half a minute per editor. */
export function lokiLabelSource(range: () => { start: number; end: number }): LabelSource {
  const cache = new Map<string, { at: number; value: Promise<string[]> }>();
  const get = (key: string, load: (start: number, end: number) => Promise<string[]>): Promise<string[]> => {
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < 30_000) return hit.value;
    const { start, end } = range();
    // A failed lookup completes nothing rather than showing an error in the editor.
    const value = load(start, end).catch(() => []);
    cache.set(key, { at: Date.now(), value });
    return value;
  };
  return { labels: () => get('', (s, e) => lokiApi.labels(s, e)), values: (l) => get(`=${l}`, (s, e) => lokiApi.labelValues(l, s, e)) };
}

const STAGE_INFO: Record<string, string> = { json: 'parser', logfmt: 'parser', pattern: 'parser', regexp: 'parser', unpack: 'parser', line_format: 'format', label_format: 'format', unwrap: 'metric value', keep: 'labels', drop: 'labels', decolorize: 'line' };

function completionSource(source: LabelSource) {
  return async (ctx: CompletionContext): Promise<CompletionResult | null> => {
    const c = logqlContext(ctx.state.doc.toString(), ctx.pos);
    if (!c) return null;
    // Typing a word, or explicitly asked (Ctrl+Space), or at a spot where a choice is due.
    if (c.prefix === '' && !ctx.explicit && c.kind === 'function') return null;
    let options: Completion[];
    switch (c.kind) {
      case 'labelName':
        options = (await source.labels()).map((l) => ({ label: l, type: 'property' }));
        break;
      case 'labelValue':
        options = (await source.values(c.label)).map((v) => ({ label: v, apply: c.quoted ? escapeLogqlString(v) : `"${escapeLogqlString(v)}"`, type: 'text' }));
        break;
      case 'pipeline':
        options = [...PIPELINE_STAGES.map((s) => ({ label: s, type: 'keyword', detail: STAGE_INFO[s] })), ...(await source.labels()).map((l) => ({ label: l, type: 'property', detail: 'label filter' }))];
        break;
      case 'function':
        options = [
          { label: '{', detail: 'stream selector', type: 'text', apply: '{' },
          ...RANGE_FUNCTIONS.map((f) => ({ label: f, type: 'function', detail: 'range', apply: `${f}(` })),
          ...AGGREGATIONS.map((f) => ({ label: f, type: 'function', detail: 'aggregation' })),
        ];
        break;
    }
    return { from: c.from, options, validFor: /^[\w.-]*$/ };
  };
}

/** Marks the parser's error nodes (Lezer never throws: it recovers and leaves ⚠ nodes). */
function syntaxLinter(message: string): Extension {
  return linter((view) => {
    const out: Diagnostic[] = [];
    const doc = view.state.doc;
    syntaxTree(view.state).iterate({
      enter: (n) => {
        if (!n.type.isError || out.length > 0) return;
        const from = Math.min(n.from, doc.length);
        const to = Math.max(from, Math.min(n.to, doc.length));
        out.push({ from: to === from && from > 0 ? from - 1 : from, to: to === from ? Math.min(doc.length, from + 1) : to, severity: 'error', message });
      },
    });
    return doc.length === 0 ? [] : out;
  }, { delay: 300 });
}

/** LogQL for the CodeMirror editor: highlighting, label/stage/function completion, syntax errors. */
export function logqlExtension(source: LabelSource, syntaxMessage: string): Extension {
  return [new LanguageSupport(logqlLanguage, [logqlLanguage.data.of({ autocomplete: completionSource(source) })]), syntaxLinter(syntaxMessage)];
}
