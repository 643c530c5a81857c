// Everything RE2 (and therefore Envoy) rejects must be rejected, with a
// message that names the construct, says what would be right, and an offset.
import { describe, expect, it } from 'vitest';
import { compileRe2 } from '../../sim/control-plane/re2/index.ts';

// [pattern, expected message (exact if it starts with '=', else substring), offset]
const REJECTED: Array<[string, string, number]> = [
  // backreferences
  ['\\1', '=backreference \\1 is not supported by RE2 (Envoy rejects this regex); match the text explicitly', 0],
  ['(a)\\1', 'backreference \\1 is not supported by RE2', 3],
  ['(a)\\18', 'backreference \\1 is not supported', 3],
  ['\\8', 'backreference \\8', 0],
  ['\\k<name>', 'backreference \\k', 0],
  ['\\g1', 'backreference \\g', 0],
  ['(?P<n>a)(?P=n)', 'named backreference (?P=name) is not supported by RE2', 8],
  // lookaround and other Perl-only groups
  ['(?=a)', 'lookahead (?=…) is not RE2 syntax', 0],
  ['a(?!b)', 'negative lookahead (?!…) is not RE2 syntax', 1],
  ['(?<=a)b', 'lookbehind (?<=…) is not RE2 syntax', 0],
  ['(?<!a)b', 'negative lookbehind (?<!…) is not RE2 syntax', 0],
  ['(?>a+)', 'atomic group (?>…) is not RE2 syntax; use (?:…)', 0],
  ['(?#note)a', 'comment group (?#…) is not RE2 syntax', 0],
  ['(?(1)a|b)', 'conditional group', 0],
  ['(?|a|b)', 'branch-reset group', 0],
  ['(?R)', 'recursion/subroutine calls', 0],
  ['(a)(?1)', 'recursion/subroutine calls', 3],
  ['(?&name)', 'recursion/subroutine calls', 0],
  ["(?'n'a)", "use (?P<name>…)", 0],
  // quantifiers
  ['a*+', 'possessive quantifier *+ at offset 1 is not supported by RE2', 1],
  ['a++', 'possessive quantifier ++', 1],
  ['a?+', 'possessive quantifier ?+', 1],
  ['a{2}+', 'possessive quantifier {2}+', 1],
  ['a**', 'repeated quantifier ** at offset 1 is not allowed by RE2', 1],
  ['a*?*', 'repeated quantifier *?*', 1],
  ['a{2}{3}', 'repeated quantifier {2}{3}', 1],
  ['*a', 'quantifier * at offset 0 has nothing to repeat; escape it (\\*)', 0],
  ['a|*', 'quantifier * at offset 2 has nothing to repeat', 2],
  ['(*)', 'quantifier * at offset 1 has nothing to repeat', 1],
  ['(?i)+', 'quantifier + at offset 4 has nothing to repeat', 4],
  ['{2}', 'quantifier {2} at offset 0 has nothing to repeat', 0],
  ['a{1001}', '=invalid repetition count {1001}: RE2 allows at most 1000', 1],
  ['a{2,1001}', 'invalid repetition count {2,1001}: RE2 allows at most 1000', 1],
  ['a{1001,}', 'invalid repetition count {1001,}', 1],
  ['a{3,2}', 'invalid repetition count {3,2} at offset 1: the minimum is larger than the maximum', 1],
  ['(a{100}){11}', 'nested repetition {11} at offset 8 repeats its innermost part more than 1000 times', 8],
  ['((a{10}){10}){11}', 'nested repetition {11}', 13],
  // parentheses
  ['abcd(efg', 'unbalanced parenthesis at offset 4', 4],
  ['(abc', 'unbalanced parenthesis at offset 0: this "(" is never closed', 0],
  ['abc)', 'unbalanced parenthesis at offset 3: ")" has no matching "("', 3],
  ['a(b(c)', 'unbalanced parenthesis at offset 1', 1],
  ['x(?:ab', 'unbalanced parenthesis at offset 1', 1],
  ['(?', 'unterminated group', 0],
  ['(?i', 'unterminated group', 0],
  // character classes
  ['[abc', 'missing closing ] for the character class at offset 0', 0],
  ['[]', 'missing closing ]', 0],
  ['x[^', 'missing closing ]', 1],
  ['[z-a]', 'invalid character class range z-a at offset 1: the start is after the end', 1],
  ['[a-\\d]', 'a class like \\d cannot end a range', 1],
  ['[[:foo:]]', 'unknown POSIX class [:foo:] at offset 1; valid names: alnum, alpha', 1],
  ['[\\b]', '\\b inside a character class at offset 1 is not supported by RE2', 1],
  ['[\\Qa\\E]', '\\Q is not allowed inside a character class', 1],
  ['[\\z]', '\\z is not allowed inside a character class', 1],
  // escapes
  ['\\Z', '\\Z at offset 0 is not supported by RE2; use \\z', 0],
  ['a\\G', '\\G at offset 1 is not supported by RE2', 1],
  ['\\C', '\\C (any byte) at offset 0 is not supported by meshsim', 0],
  ['\\E', '\\E at offset 0 has no matching \\Q', 0],
  ['\\q', 'invalid escape sequence \\q at offset 0', 0],
  ['\\i', 'invalid escape sequence \\i', 0],
  ['\\é', 'invalid escape sequence \\é', 0],
  ['\\u0041', '\\u at offset 0 is not RE2 syntax; write a code point as \\x{263a}', 0],
  ['\\e', '\\e at offset 0 is not RE2 syntax; use \\x1b', 0],
  ['\\cA', 'control escape \\c', 0],
  ['a\\', 'trailing backslash at offset 1', 1],
  ['\\x4', 'invalid hex escape', 0],
  ['\\xZZ', 'invalid hex escape', 0],
  ['\\x{}', 'invalid hex escape', 0],
  ['\\x{110000}', 'invalid hex escape', 0],
  ['\\x{12', 'invalid hex escape', 0],
  // Unicode classes
  ['\\p{Foo}', 'unknown Unicode class \\p{Foo}', 0],
  ['\\p{Grek}', 'unknown Unicode class \\p{Grek}', 0], // ISO alias: RE2 only knows "Greek"
  ['\\p{Letter}', 'unknown Unicode class', 0], // long category name: RE2 only knows "L"
  ['\\p{LC}', 'unknown Unicode class', 0],
  ['\\pQ', 'unknown Unicode class \\pQ', 0],
  ['\\p{Greek', 'missing "}"', 0],
  ['\\p', 'incomplete Unicode class', 0],
  // flags and named groups
  ['(?x)a', 'unsupported group or flag "(?x" at offset 0: RE2 groups are', 0],
  ['(?i-)a', '"-" must be followed by a flag', 0],
  ['(?-)a', '"-" must be followed by a flag', 0],
  ['(?i--s)a', 'only one "-" is allowed', 0],
  ['(?P<na-me>a)', 'invalid capture group name "na-me"', 0],
  ['(?<>a)', 'invalid capture group name ""', 0],
  ['(?P<n>a)(?P<n>b)', 'duplicate capture group name "n" at offset 8', 8],
  ['(?P<name', 'missing ">"', 0],
  ['(?Pa)', 'unsupported group or flag', 0],
  // encoding
  ['a\ud800', 'lone UTF-16 surrogate at offset 1', 1],
];

function check(pattern: string, message: string, offset: number): void {
  const r = compileRe2(pattern);
  expect(r.ok, `${pattern} should be rejected`).toBe(false);
  if (r.ok) return;
  if (message.startsWith('=')) expect(r.error).toBe(message.slice(1));
  else expect(r.error).toContain(message);
  expect(r.offset).toBe(offset);
}

describe('RE2 rejections', () => {
  it.each(REJECTED)('%j', (pattern, message, offset) => check(pattern, message, offset));

  it('limits nesting depth like RE2', () => {
    check(`${'('.repeat(1001)}a${')'.repeat(1001)}`, 'groups nest more than 1000 deep', 1000);
    expect(compileRe2(`${'('.repeat(1000)}a${')'.repeat(1000)}`).ok).toBe(true);
  });

  it('refuses programs too large to run', () => {
    check('a{1000}'.repeat(251), 'pattern too large', 0);
  });

  it('accepts the boundary cases', () => {
    for (const p of ['a{1000}', 'a{0,1000}', 'a{1000,}', '(a{10}){100}', '(?:a{2}){500}', '(?)', '(?i)', '\\08', '(?P<n_1>a)(?<é>b)']) {
      const r = compileRe2(p);
      expect(r.ok, `${p}: ${r.ok ? '' : r.error}`).toBe(true);
    }
  });
});
