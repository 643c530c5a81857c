// "Why" notes: where the same pattern text means something else as a JS
// RegExp (the engine most users test regexes in). Only real differences are
// reported: e.g. `$` without (?m) is end-of-text in both RE2 and JS, and
// \d \w \b are ASCII in both, so those produce no note.
//
// Full-match anchoring is a separate matter (Envoy always anchors a
// safe_regex at both ends; RegExp.test does not) and is not repeated here.

import type { JsDifference } from './ast.ts';
import { parseRe2, Re2SyntaxError } from './parser.ts';

const NOTES: ReadonlyArray<[JsDifference, string]> = [
  ['inlineFlags', 'inline flags such as (?i), (?s), (?m), (?U) or (?i:…) are RE2 syntax; a JS RegExp needs the i/s/m flags instead and has no (?U)'],
  ['quoted', '\\Q…\\E quotes literal text in RE2, while JS reads \\Q and \\E as the letters Q and E'],
  ['textAnchors', '\\A and \\z anchor to the start/end of the text in RE2; JS has no such escapes (it reads them as the letters A and z)'],
  ['posixClass', '[[:alpha:]] is a POSIX class in RE2; JS reads it as the characters "[:alph" followed by a literal "]"'],
  ['pythonNamedGroup', '(?P<name>…) is RE2/Python named-group syntax; JS only accepts (?<name>…)'],
  ['unicodeClass', '\\pL / \\p{Greek} are Unicode classes in RE2; JS reads \\p as the letter p unless the u flag is set (and then wants \\p{Script=Greek})'],
  ['hexBrace', '\\x{263a} is a code point escape in RE2; JS needs \\u{263a} with the u flag'],
  ['octal', 'RE2 reads \\1nn-style escapes as octal; in JS \\1 … \\9 are backreferences when that many groups exist'],
  ['bell', '\\a is the BEL control character (\\x07) in RE2; JS reads \\a as the letter a'],
  ['space', 'RE2 \\s is ASCII [\\t\\n\\f\\r ] without \\v; JS \\s also matches \\v, \\u00a0 and other Unicode spaces'],
  ['dot', 'RE2 . excludes only \\n and always matches a whole code point; JS . also excludes \\r, \\u2028 and \\u2029, and without the u flag matches half of a surrogate pair'],
];

/** One-line note on how this RE2 pattern would differ as a JS RegExp, or null if it would not. */
export function describeRe2Difference(pattern: string): string | null {
  let found: ReadonlySet<JsDifference>;
  try {
    found = parseRe2(pattern).jsDifferences;
  } catch (e) {
    if (e instanceof Re2SyntaxError) return `not valid RE2, Envoy would reject it: ${e.message}`;
    throw e;
  }
  const notes = NOTES.filter(([k]) => found.has(k)).map(([, text]) => text);
  return notes.length === 0 ? null : `${notes.join('; ')}.`;
}
