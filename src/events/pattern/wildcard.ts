import { IchigenError } from '../../model/index.js';

/**
 * EventBridge `wildcard` strings: `*` matches any run of characters (including none),
 * `\*` is a literal star and `\\` a literal backslash. Consecutive unescaped stars are
 * refused as EventBridge refuses them (they add nothing and make matching quadratic).
 */
export function compileWildcard(pattern: string, where: string): RegExp {
  let re = '^';
  let prevStar = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') {
        throw invalid(where, `wildcard "${pattern}": "\\" must be followed by "*" or "\\" (position ${i})`);
      }
      re += escapeRegex(next);
      i++;
      prevStar = false;
      continue;
    }
    if (c === '*') {
      if (prevStar) throw invalid(where, `wildcard "${pattern}": consecutive wildcard characters at position ${i} are not supported`);
      re += '.*';
      prevStar = true;
      continue;
    }
    re += escapeRegex(c);
    prevStar = false;
  }
  return new RegExp(re + '$', 's');
}

function escapeRegex(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function invalid(where: string, problem: string): IchigenError {
  return new IchigenError('INVALID_PARAMETER', `invalid event pattern${where === '' ? '' : ` at "${where}"`}: ${problem}`);
}
