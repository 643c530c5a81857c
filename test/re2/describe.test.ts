import { describe, expect, it } from 'vitest';
import { describeRe2Difference } from '../../sim/control-plane/re2/index.ts';

describe('describeRe2Difference', () => {
  it.each(['[a-z]+', '\\d{3}-\\d{4}', '^/api/v[0-9]+$', 'a|b', '\\bfoo\\b', '(?:ab)*?', '[^/]+'])('%j means the same in JS', (p) => {
    expect(describeRe2Difference(p)).toBeNull();
  });

  it.each([
    ['(?i)^/api', 'inline flags such as (?i)'],
    ['(?i:a)b', 'inline flags'],
    ['\\Qa.b\\E', '\\Q…\\E quotes literal text in RE2'],
    ['\\Aabc\\z', '\\A and \\z anchor to the start/end of the text'],
    ['[[:alpha:]]+', 'POSIX class'],
    ['(?P<v>\\d+)', '(?P<name>…) is RE2/Python named-group syntax'],
    ['\\pL+', 'Unicode classes'],
    ['\\x{263a}', 'code point escape'],
    ['\\101', 'octal'],
    ['\\a', 'BEL'],
    ['a\\sb', 'RE2 \\s is ASCII'],
    ['/api/.*', 'RE2 . excludes only \\n'],
    ['(?=a)', 'not valid RE2, Envoy would reject it: lookahead'],
  ])('%j', (p, note) => {
    const d = describeRe2Difference(p);
    expect(d).toContain(note);
    expect(d).not.toContain('\n');
  });
});
