// Istio uriRegexRewrite = Envoy regex_rewrite = RE2::GlobalReplace.
import { describe, expect, it } from 'vitest';
import type { Re2 } from '../../sim/control-plane/re2/index.ts';
import { compileRe2 } from '../../sim/control-plane/re2/index.ts';

function re2(pattern: string): Re2 {
  const r = compileRe2(pattern);
  if (!r.ok) throw new Error(r.error);
  return r.regex;
}

// [pattern, rewrite, input, output]
const ISTIO_AND_ENVOY_DOCS: Array<[string, string, string, string]> = [
  // Istio VirtualService uriRegexRewrite example.
  ['^/service/([^/]+)(/.*)$', '\\2/instance/\\1', '/service/foo/v1/api', '/v1/api/instance/foo'],
  // Envoy route.RegexMatchAndSubstitute examples.
  ['one', 'two', '/xxx/one/yyy/one/zzz', '/xxx/two/yyy/two/zzz'],
  ['^(.*?)one(.*)$', '\\1two\\2', '/xxx/one/yyy/one/zzz', '/xxx/two/yyy/one/zzz'],
  ['(?i)/xxx/', '/yyy/', '/aaa/XxX/bbb', '/aaa/yyy/bbb'],
  // Typical version-stripping rewrite.
  ['^/api/v[0-9]+(/.*)?$', '/api\\1', '/api/v2/users/7', '/api/users/7'],
  ['^/api/v[0-9]+(/.*)?$', '/api\\1', '/api/v2', '/api'],
];

// RE2's own GlobalReplace table (re2_test.cc, TEST(RE2, Replace)).
const RE2_GLOBAL_REPLACE: Array<[string, string, string, string]> = [
  ['(qu|[b-df-hj-np-tv-z]*)([a-z]+)', '\\2\\1ay', 'the quick brown fox jumps over the lazy dogs.', 'ethay ickquay ownbray oxfay umpsjay overay ethay azylay ogsday.'],
  ['\\w+', '\\0-NOSPAM', 'abcd.efghi@google.com', 'abcd-NOSPAM.efghi-NOSPAM@google-NOSPAM.com-NOSPAM'],
  ['^', '(START)', 'foo', '(START)foo'],
  ['^', '(START)', '', '(START)'],
  ['$', '(END)', '', '(END)'],
  ['b', 'bb', 'ababababab', 'abbabbabbabbabb'],
  ['b', 'bb', 'bbbbbb', 'bbbbbbbbbbbb'],
  ['b+', 'bb', 'bbbbbb', 'bb'],
  ['b*', 'bb', 'bbbbbb', 'bb'],
  ['b*', 'bb', 'aaaaa', 'bbabbabbabbabbabb'],
  ['b*', 'bb', 'aa\naa\n', 'bbabbabb\nbbabbabb\nbb'],
  ['a.*a', '(\\0)', 'aba\naba', '(aba)\n(aba)'],
  // Empty-preferring star (checked against libre2).
  ['(?:|a)*', '<\\0>', 'aa', '<>a<>a<>'],
];

describe('replaceAll (Envoy regex_match_and_substitute)', () => {
  it.each(ISTIO_AND_ENVOY_DOCS)('%j / %j on %j', (pattern, rewrite, input, output) => {
    expect(re2(pattern).replaceAll(input, rewrite)).toBe(output);
  });

  it.each(RE2_GLOBAL_REPLACE)('RE2 table: %j / %j on %j', (pattern, rewrite, input, output) => {
    expect(re2(pattern).replaceAll(input, rewrite)).toBe(output);
  });

  it('never splits a surrogate pair when skipping after an empty match', () => {
    expect(re2('x*').replaceAll('😀a', '-')).toBe('-😀-a-');
  });

  it('anchors ^ to the start of the whole input, not of each search', () => {
    expect(re2('^a').replaceAll('aaa', 'b')).toBe('baa');
    expect(re2('(?m)^a').replaceAll('aa\naa', 'b')).toBe('ba\nba');
    expect(re2('\\ba').replaceAll('aa a', 'b')).toBe('ba b');
  });

  it('treats \\\\ as a backslash and unset groups as empty', () => {
    expect(re2('(a)|(b)').replaceAll('ab', '[\\1|\\2|\\\\]')).toBe('[a||\\][|b|\\]');
  });

  it('replaces nothing when the rewrite names a group the regex lacks (like RE2)', () => {
    const re = re2('(a)(b)');
    expect(re.replaceAll('xaby', '\\3')).toBe('xaby');
    expect(re.checkRewrite('\\3')).toContain('references \\3 at offset 0 but the regex has only 2 capture groups');
  });

  it('stops expanding at an invalid escape, like RE2::Rewrite', () => {
    const re = re2('b');
    expect(re.replaceAll('abc', 'X\\qY')).toBe('aXc');
    expect(re.replaceAll('abc', 'X\\')).toBe('aXc');
    expect(re.checkRewrite('X\\qY')).toContain('invalid rewrite escape \\q at offset 1');
    expect(re.checkRewrite('X\\')).toContain('lone backslash');
    expect(re.checkRewrite('\\0\\\\')).toBeNull();
  });

  it('returns the input unchanged when nothing matches', () => {
    expect(re2('^/service/([^/]+)(/.*)$').replaceAll('/other/foo', '\\2')).toBe('/other/foo');
  });
});
