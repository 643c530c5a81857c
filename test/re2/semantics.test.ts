// RE2 semantics as Envoy applies them (full match), row by row. Expected
// values follow RE2's documented behaviour (re2/wiki/Syntax and parse.cc),
// not JavaScript's. Every row is also cross-checked across the three
// matching engines (lazy DFA, Pike VM, bounded backtracker).
import { describe, expect, it } from 'vitest';
import type { Re2 } from '../../sim/control-plane/re2/index.ts';
import { compileRe2 } from '../../sim/control-plane/re2/index.ts';

function re2(pattern: string, caseInsensitive = false): Re2 {
  const r = compileRe2(pattern, { caseInsensitive });
  if (!r.ok) throw new Error(`${pattern}: ${r.error}`);
  return r.regex;
}

// [pattern, input, full match?]
const FULL_MATCH: Array<[string, string, boolean]> = [
  // literals, concatenation, alternation
  ['abc', 'abc', true],
  ['abc', 'abcd', false],
  ['abc', 'xabc', false],
  ['', '', true],
  ['', 'a', false],
  ['a|b', 'b', true],
  ['a|ab', 'ab', true],
  ['a||b', '', true],
  ['é', 'é', true],
  // repetition
  ['(?:ab)+', 'ababab', true],
  ['(?:ab)+', 'ababa', false],
  ['a{3}', 'aaa', true],
  ['a{3}', 'aa', false],
  ['a{2,}', 'aaaaa', true],
  ['a{2,4}', 'aaaaa', false],
  ['a{0}', '', true],
  ['a{0,1000}', 'a'.repeat(1000), true],
  ['a?b?', '', true],
  ['x*y*', '', true],
  ['(?:a?){3}a{3}', 'aaa', true],
  ['(a*)*', 'aaa', true],
  ['(a*)+b', 'b', true],
  ['(|a)+', 'aa', true],
  ['^*a', 'a', true], // RE2 allows repeating an empty-width assertion
  ['(?U)a+', 'aaa', true],
  ['a+?', 'aaa', true], // laziness never changes whether a full match exists
  // `{` is a literal unless it forms {n}, {n,} or {n,m} (no leading zeros)
  ['a{,3}', 'a{,3}', true],
  ['a{', 'a{', true],
  ['x{01}', 'x{01}', true],
  ['a{1,2', 'a{1,2', true],
  // dot
  ['.', '\n', false],
  ['(?s).', '\n', true],
  ['.', '\r', true],
  ['a.c', 'a\u2028c', true],
  ['.', '😀', true], // one code point, even though it is two UTF-16 units
  ['..', '😀', false],
  ['(?s:.).', '\n\n', false],
  // classes
  ['[a-c]+', 'abcabc', true],
  ['[^a-c]', 'd', true],
  ['[^a-c]', '\n', true], // negated classes do match newline
  ['[]a]+', ']a]', true],
  ['[^]a]', 'b', true],
  ['[a-]+', 'a-a', true],
  ['[-a]', '-', true],
  ['[a-c-e]+', 'a-e', true], // Perl mode allows '-' anywhere
  ['[a-c-e]', 'd', false],
  ['[\\d]+', '123', true],
  ['[\\D]', 'a', true],
  ['[\\s]', '\t', true],
  ['[\\-]', '-', true],
  ['[a\\]]+', 'a]', true],
  ['[\\x41-\\x43]+', 'ABC', true],
  ['[\\x{1F600}-\\x{1F64F}]', '😀', true],
  ['[😀-😂]', '😁', true],
  // Perl classes are ASCII-only in RE2
  ['\\s', '\v', false], // RE2 \s has no \v
  ['\\s', '\u00a0', false],
  ['\\d+', '١٢', false],
  ['\\w+', 'héllo', false],
  ['\\w+', 'hello_42', true],
  ['\\W', '-', true],
  ['\\W', '\u017f', true],
  // POSIX classes (only inside brackets)
  ['[[:space:]]', '\v', true],
  ['[[:alpha:]]+', 'abcXYZ', true],
  ['[[:^alpha:]]+', '123', true],
  ['[[:^alpha:]]', 'a', false],
  ['[[:word:]]+', 'a_1', true],
  ['[[:punct:]]+', '!-/', true],
  ['[[:xdigit:]]+', '0fA', true],
  ['[[:upper:][:digit:]]+', 'A1B2', true],
  ['[[:alpha:]]', 'é', false],
  // escapes
  ['\\x41', 'A', true],
  ['\\x{263a}', '☺', true],
  ['\\x{1F600}', '😀', true],
  ['\\101', 'A', true], // octal
  ['\\0', '\0', true],
  ['\\12', '\n', true], // two octal digits, not a backreference
  ['\\t\\n\\r\\f\\v\\a', '\t\n\r\f\v\x07', true],
  ['\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\', '.*+?()[]{}|^$\\', true],
  ['\\_\\-\\ \\/', '_- /', true],
  // \Q...\E
  ['\\Qa.b*c\\E', 'a.b*c', true],
  ['\\Qa.b\\E', 'axb', false],
  ['\\Qab', 'ab', true], // unterminated: quotes to the end
  ['\\Qab\\E+', 'abbb', true], // the quantifier applies to the last quoted character
  ['x\\Q\\E*', 'xxx', true],
  ['\\Q\\d\\E', '\\d', true],
  // anchors
  ['^abc$', 'abc', true],
  ['abc$', 'abc\n', false], // $ is end of text without (?m), never before a final \n
  ['(?m)abc$', 'abc\n', false],
  ['(?m)abc$\\n', 'abc\n', true],
  ['(?m)^a\\n^b$', 'a\nb', true],
  ['^a\\n^b', 'a\nb', false], // without (?m) ^ is start of text only
  ['a^b', 'a^b', false],
  ['\\Aabc\\z', 'abc', true],
  ['a\\b', 'a', true],
  ['a\\bb', 'ab', false],
  ['a\\Bb', 'ab', true],
  ['\\bfoo\\b', 'foo', true],
  ['.*\\bfoo\\b.*', 'a foo b', true],
  ['.*\\bfoo\\b.*', 'afoob', false],
  ['é\\b', 'é', false], // \b is ASCII: é is not a word character
  // flags
  ['(?i)abc', 'ABC', true],
  ['(?i:a)b', 'Ab', true],
  ['(?i:a)b', 'AB', false],
  ['a(?i)b', 'aB', true],
  ['a(?i)b', 'AB', false],
  ['(?:(?i)a)b', 'AB', false], // flags end with the enclosing group
  ['(?i)a|b', 'B', true], // ...but survive '|'
  ['(?i-i)a', 'A', false],
  ['(?i)k', '\u212a', true], // KELVIN SIGN folds to k
  ['(?i)s', '\u017f', true], // LONG S folds to s
  ['(?i)[k]', '\u212a', true],
  ['(?i)[^k]', 'K', false], // fold first, then negate
  ['(?i)\\W', '\u017f', false], // \W under (?i) = not(fold(\w))
  ['(?i)ß', 'ẞ', true],
  ['(?i)σ', 'ς', true],
  ['(?i)Σ+', 'σςΣ', true],
  ['(?i)i', 'ı', false], // Turkish dotless i is not a simple case fold of i
  ['(?i)é', 'É', true],
  ['(?i)[à-ä]+', 'ÀÄ', true],
  ['(?i)[[:upper:]]', 'a', true],
  ['(?m:^)a', 'a', true],
  // Unicode classes
  ['\\pL+', 'héllo', true],
  ['\\p{Greek}+', 'αβγ', true],
  ['\\p{Greek}', 'a', false],
  ['\\PL', '1', true],
  ['\\p{^Greek}', 'a', true],
  ['\\P{^Greek}', 'α', true],
  ['\\p{Lu}', 'a', false],
  ['(?i)\\p{Lu}', 'a', true],
  ['\\pN+', '١٢٣', true],
  ['\\p{Any}', '😀', true],
  ['[\\p{Greek}\\d]+', 'α1', true],
  ['[^\\p{L}]', 'x', false],
  // surrogate pairs as single characters
  ['😀+', '😀😀', true],
  ['[^a]', '😀', true],
  // named groups
  ['(?P<year>\\d{4})-(?<month>\\d{2})', '2024-05', true],
];

// [pattern, input, expected exec() result]
const CAPTURES: Array<[string, string, string[] | null]> = [
  ['(a+)(a*)', 'aaa', ['aaa', 'aaa', '']],
  ['(a+?)(a*)', 'aaa', ['aaa', 'a', 'aa']],
  ['(a*?)(a*)', 'aa', ['aa', '', 'aa']],
  ['(a|ab)(c|bcd)(d*)', 'abcd', ['abcd', 'a', 'bcd', '']],
  ['(a+)+', 'aaa', ['aaa', 'aaa']],
  ['(a|b)*', 'abab', ['abab', 'b']],
  ['(?:(a)|b)*', 'ab', ['ab', 'a']], // RE2 keeps the last value a group had (JS would reset it)
  ['(a)|b', 'b', ['b', '']], // a group that did not take part is reported as ""
  ['(?U)(a+)(a*)', 'aaa', ['aaa', 'a', 'aa']],
  ['(?U)(a+?)(a*)', 'aaa', ['aaa', 'aaa', '']],
  ['(.*)/(.*)', 'a/b/c', ['a/b/c', 'a/b', 'c']],
  ['(.*?)/(.*)', 'a/b/c', ['a/b/c', 'a', 'b/c']],
  ['^/service/([^/]+)(/.*)$', '/service/foo/bar/baz', ['/service/foo/bar/baz', 'foo', '/bar/baz']],
  ['(😀+)(.)', '😀😀x', ['😀😀x', '😀😀', 'x']],
  ['(?i)(K+)', 'kK\u212a', ['kK\u212a', 'kK\u212a']],
  ['(a*)*', '', ['', '']],
  ['(a*)+', '', ['', '']],
  ['(a)(b)?', 'a', ['a', 'a', '']],
  ['abc', 'abc', ['abc']],
  ['abc', 'abd', null],
  ['(a)', 'ab', null], // full match only
  // A star over a body that can match empty prefers the empty path first,
  // exactly as RE2 compiles it (x* as (x+)?); checked against libre2.
  ['(?:|a)*(a*)', 'aa', ['aa', 'aa']],
  ['(|a)*', 'aa', ['aa', 'a']],
  ['(a|)*', 'aa', ['aa', 'a']],
  ['(a*|b)*', 'ab', ['ab', 'b']],
  // RE2's parser squashes (?:x?)+? into x*? when the flags agree, which moves
  // the priorities: group 1 is "BK", not "K" (checked against libre2).
  ['((?U:\\S?)+?)+', 'BK', ['BK', 'BK']],
];

// [pattern, input, matches somewhere?]
const SEARCH: Array<[string, string, boolean]> = [
  ['b', 'abc', true],
  ['^b', 'abc', false],
  ['c$', 'abc', true],
  ['a$', 'abc', false],
  ['(?m)^b$', 'a\nb\nc', true],
  ['x', 'abc', false],
  ['\\bb', 'a b', true],
  ['\\bb', 'ab', false],
  ['', 'x', true],
  ['é+', 'cafés', true],
];

describe('RE2 full-match semantics', () => {
  it('has a substantial table', () => {
    expect(FULL_MATCH.length).toBeGreaterThanOrEqual(80);
  });

  it.each(FULL_MATCH)('%j against %j -> %s', (pattern, input, expected) => {
    const re = re2(pattern);
    expect(re.fullMatch(input)).toBe(expected);
    // All engines must agree, independently of fast paths.
    expect(re.debugMatch('dfa', input, true) !== null).toBe(expected);
    expect(re.debugMatch('pike', input, true) !== null).toBe(expected);
    expect(re.debugMatch('bitstate', input, true) !== null).toBe(expected);
  });

  it('treats caseInsensitive like a leading (?i)', () => {
    expect(re2('/API/v1', true).fullMatch('/api/V1')).toBe(true);
    expect(re2('/API/v1').fullMatch('/api/V1')).toBe(false);
  });
});

describe('RE2 captures (leftmost-first, full match)', () => {
  it.each(CAPTURES)('%j against %j', (pattern, input, expected) => {
    const re = re2(pattern);
    expect(re.exec(input)).toEqual(expected);
    const pike = re.debugMatch('pike', input, true);
    const bit = re.debugMatch('bitstate', input, true);
    expect(bit).toEqual(pike);
  });

  it('exposes group names', () => {
    const re = re2('(?P<first>\\w+) (?<last>\\w+)');
    expect(re.groupCount).toBe(2);
    expect(re.groupNames).toEqual([undefined, 'first', 'last']);
    expect(re.exec('John Smith')).toEqual(['John Smith', 'John', 'Smith']);
  });
});

describe('RE2 unanchored search', () => {
  it.each(SEARCH)('%j in %j -> %s', (pattern, input, expected) => {
    const re = re2(pattern);
    expect(re.search(input)).toBe(expected);
    expect(re.debugMatch('dfa', input, false) !== null).toBe(expected);
    expect(re.debugMatch('pike', input, false) !== null).toBe(expected);
    expect(re.debugMatch('bitstate', input, false) !== null).toBe(expected);
  });
});
