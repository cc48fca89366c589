import { compileAnchoredRe2 } from './re2.js';
import { getLabel, type Labels } from './labels.js';

export type MatchType = '=' | '!=' | '=~' | '!~';

export interface LabelMatcher {
  readonly name: string;
  readonly type: MatchType;
  readonly value: string;
}

/** Returns a predicate over a label value; an absent label has the value "". */
export function compileMatcher(m: LabelMatcher): (value: string) => boolean {
  switch (m.type) {
    case '=':
      return (v) => v === m.value;
    case '!=':
      return (v) => v !== m.value;
    case '=~': {
      const re = compileAnchoredRe2(m.value);
      return (v) => re.test(v);
    }
    case '!~': {
      const re = compileAnchoredRe2(m.value);
      return (v) => !re.test(v);
    }
  }
}

/** True when the matcher also matches series that lack the label entirely. */
export function matchesEmpty(m: LabelMatcher): boolean {
  return compileMatcher(m)('');
}

export function matchLabels(matchers: readonly LabelMatcher[], labels: Labels): boolean {
  for (const m of matchers) if (!compileMatcher(m)(getLabel(labels, m.name))) return false;
  return true;
}
