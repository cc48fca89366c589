import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// Every word a user reads comes from the catalogue. This walks the TSX of the UI and lists
// text in JSX, and in attributes people read (labels, placeholders, titles), that is a literal
// rather than a t(…) call. Examples of input (an email address, a duration) are allowed when
// they are not words of a language: they read the same in English and Japanese.
const SRC = path.resolve(import.meta.dirname, '..');
const READ_ATTRS = new Set(['aria-label', 'placeholder', 'title', 'alt', 'label']);
/** Literal text that is the same in every language: product names, units, examples, symbols. */
const SAME_IN_EVERY_LANGUAGE = /^(PromQL|LogQL|p95|rules\.yml|[-+×↑↓…·:%/()[\]{}<>|=,.\s\d]*|[\w.+-]+@[\w.-]+|\+\d+|https:\/\/…|U012AB3CD|\d+[smhd]|Asia\/Tokyo|alertname(, cluster)?|alice, bob|\{\{instance\}\}|arn:aws:sns:[\w:-]+|v|\{".*\})$/;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) return files(p);
    return p.endsWith('.tsx') && !p.endsWith('.test.tsx') ? [p] : [];
  });
}

function literals(file: string): string[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, ts.ScriptKind.TSX);
  const out: string[] = [];
  const at = (n: ts.Node): string => `${path.relative(SRC, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const visit = (n: ts.Node): void => {
    if (ts.isJsxText(n)) {
      const text = n.getText().trim();
      if (/\p{L}/u.test(text) && !SAME_IN_EVERY_LANGUAGE.test(text)) out.push(`${at(n)} text "${text}"`);
    } else if (ts.isJsxAttribute(n) && READ_ATTRS.has(n.name.getText()) && n.initializer && ts.isStringLiteral(n.initializer)) {
      const text = n.initializer.text;
      if (/\p{L}/u.test(text) && !SAME_IN_EVERY_LANGUAGE.test(text)) out.push(`${at(n)} ${n.name.getText()}="${text}"`);
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

describe('i18n: no literal text in the UI', () => {
  it('reads every visible string and accessible name through the catalogue', () => {
    expect(files(SRC).flatMap(literals)).toEqual([]);
  });
});
