import { useEffect, useRef } from 'react';
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { lintGutter } from '@codemirror/lint';
import { EditorState, Prec, type Extension } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderExt } from '@codemirror/view';
import { tags } from '@lezer/highlight';

// Colours from CSS variables so the editors follow the light/dark theme.
const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: 'var(--syn-keyword)' },
  { tag: tags.function(tags.variableName), color: 'var(--syn-function)' },
  { tag: tags.labelName, color: 'var(--syn-label)' },
  { tag: tags.string, color: 'var(--syn-string)' },
  { tag: tags.number, color: 'var(--syn-number)' },
  { tag: tags.operator, color: 'var(--syn-operator)' },
  { tag: tags.comment, color: 'var(--muted)', fontStyle: 'italic' },
]);

const theme = EditorView.theme({
  '&': { fontSize: '13px', background: 'var(--panel)', color: 'var(--text)', border: '1px solid var(--border-strong)', borderRadius: '6px' },
  '&.cm-focused': { outline: '2px solid var(--focus)', borderColor: 'var(--link)' },
  '.cm-content': { fontFamily: 'var(--mono)', padding: '6px 0', caretColor: 'var(--text)' },
  '.cm-line': { padding: '0 8px' },
  '.cm-placeholder': { color: 'var(--muted)' },
  '.cm-tooltip': { background: 'var(--panel)', border: '1px solid var(--border)', color: 'var(--text)' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { background: 'var(--panel-2)', color: 'var(--text)' },
  '.cm-completionDetail': { color: 'var(--muted)', marginLeft: '8px' },
  '.cm-gutters': { background: 'transparent', border: 'none' },
});

export interface CodeEditorProps {
  readonly value: string;
  readonly onChange: (v: string) => void;
  /** Shift+Enter or Ctrl/⌘+Enter. */
  readonly onRun: () => void;
  readonly placeholder: string;
  /** The query language: parser, highlighting tags, completion and linting. Read once. */
  readonly language: Extension;
  /** Class of the host element (tests and styles find the editor by it). */
  readonly className: string;
  readonly testId: string;
}

/** A one-query CodeMirror editor: history, brackets, completion, linting, run on Shift+Enter. */
export function CodeEditor({ value, onChange, onRun, placeholder, language, className, testId }: CodeEditorProps): React.JSX.Element {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const cb = useRef({ onChange, onRun });
  cb.current = { onChange, onRun };

  useEffect(() => {
    const run = (): boolean => {
      cb.current.onRun();
      return true;
    };
    const v = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: value,
        extensions: [
          theme,
          history(),
          closeBrackets(),
          bracketMatching(),
          autocompletion(),
          lintGutter(),
          syntaxHighlighting(highlight),
          placeholderExt(placeholder),
          EditorView.lineWrapping,
          language,
          Prec.highest(keymap.of([{ key: 'Shift-Enter', run }, { key: 'Mod-Enter', run }])),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) cb.current.onChange(u.state.doc.toString());
          }),
          EditorView.contentAttributes.of({ 'aria-label': placeholder, 'data-testid': testId }),
        ],
      }),
    });
    view.current = v;
    return () => v.destroy();
    // The editor is created once; outside changes to `value` are pushed in below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  useEffect(() => {
    const v = view.current;
    if (v && v.state.doc.toString() !== value) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: value } });
  }, [value]);

  return <div ref={host} className={className} />;
}
