// Catastrophic-backtracking patterns must run in time linear in the input.
// No timing assertions: we count work with the module's debug counters and
// check it against the O(n·m) bound (n = input length, m = program size).
import { describe, expect, it } from 'vitest';
import type { Re2 } from '../../sim/control-plane/re2/index.ts';
import { compileRe2, re2DebugCounters, resetRe2DebugCounters } from '../../sim/control-plane/re2/index.ts';

function re2(pattern: string): Re2 {
  const r = compileRe2(pattern);
  if (!r.ok) throw new Error(r.error);
  return r.regex;
}

const N = 100_000;
const AS = 'a'.repeat(N);

// [pattern, input, full match?]
const EVIL: Array<[string, string, boolean]> = [
  ['(a+)+$', AS, true],
  ['(a+)+b', AS, false],
  ['(a|a)*b', AS, false],
  ['(a|aa)+$', AS, true],
  ['(a*)*c', AS, false],
  ['(x+x+)+y', 'x'.repeat(N), false],
  ['(.*a){20}', AS, true],
  ['(.*a){20}b', AS, false],
  ['(?:a?){500}a{500}', 'a'.repeat(500), true],
  ['(\\w+\\s?)*$', `${'word '.repeat(N / 5)}!`, false],
  ['^(([a-z])+.)+[A-Z]([a-z])+$', AS, false],
  ['(?m)(^a|a$|\\Ba)*', AS, true],
  ['(?m)(^a|a$|\\ba\\B)*', AS, false],
];

describe('linear-time matching', () => {
  it.each(EVIL)('%j', (pattern, input, expected) => {
    const re = re2(pattern);
    const n = input.length;
    const m = re.programSize;

    resetRe2DebugCounters();
    expect(re.fullMatch(input)).toBe(expected);
    // The DFA reads each character at most once and builds at most one
    // transition (O(m) work) per character.
    expect(re2DebugCounters.dfaSteps).toBeLessThanOrEqual(n);
    expect(re2DebugCounters.dfaTransitionsBuilt).toBeLessThanOrEqual(n + 1);

    resetRe2DebugCounters();
    expect(re.debugMatch('pike', input, true) !== null).toBe(expected);
    // Per position: at most m threads stepped plus m instructions visited.
    expect(re2DebugCounters.vmSteps).toBeLessThanOrEqual(2 * m * (n + 1));

    // Captures on long inputs take the Pike VM path and stay bounded too.
    resetRe2DebugCounters();
    expect(re.exec(input) !== null).toBe(expected);
    expect(re2DebugCounters.vmSteps).toBeLessThanOrEqual(2 * m * (n + 1));
  });

  it('keeps unanchored search linear', () => {
    const re = re2('(a+)+b');
    resetRe2DebugCounters();
    expect(re.search(AS)).toBe(false);
    expect(re2DebugCounters.dfaSteps).toBeLessThanOrEqual(N);
    expect(re.replaceAll(AS, 'x')).toBe(AS); // the DFA proves there is nothing to replace
  });

  it('flushes the DFA cache when states explode, without changing answers', () => {
    // The 13th character from the end must be 'a': 2^13 DFA states.
    const re = re2('(?:a|b)*a(?:a|b){12}');
    // mulberry32: a deterministic, well-mixed bit stream.
    let seed = 12345;
    const next = (): number => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return (t ^ (t >>> 14)) >>> 0;
    };
    let text = '';
    for (let i = 0; i < 20_000; i++) text += next() & 1 ? 'a' : 'b';
    for (const input of [`${text}a${'b'.repeat(12)}`, `${text}b${'a'.repeat(12)}`]) {
      resetRe2DebugCounters();
      const expected = input[input.length - 13] === 'a';
      expect(re.fullMatch(input)).toBe(expected);
      expect(re2DebugCounters.dfaSteps).toBeLessThanOrEqual(input.length);
      expect(re.debugMatch('pike', input, true) !== null).toBe(expected);
    }
    resetRe2DebugCounters();
    re.fullMatch(`${text}a`);
    re.fullMatch(`b${text}`);
    expect(re2DebugCounters.dfaCacheResets).toBeGreaterThan(0);
  });

  it('bounds the backtracker by its visited bitmap on short inputs', () => {
    const re = re2('(a|a)*(b|a)*c');
    const input = 'a'.repeat(200);
    resetRe2DebugCounters();
    expect(re.exec(input)).toBeNull();
    expect(re.debugMatch('bitstate', input, true)).toBeNull();
    expect(re2DebugCounters.vmSteps).toBeLessThanOrEqual(re.programSize * (input.length + 1));
  });
});
