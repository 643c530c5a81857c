// Differential test against V8's RegExp on the syntax subset where RE2 and JS
// agree (no inline flags, no \s vs \v, ASCII alphabet, no quantified
// assertions). For these patterns the two engines must agree on full match,
// on unanchored search and — where no capture group sits under a quantifier
// (JS resets such groups on each iteration, RE2 does not) — on captures.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileRe2 } from '../../sim/control-plane/re2/index.ts';

interface Gen {
  s: string;
  caps: boolean; // contains a capturing group
  capq: boolean; // a capturing group sits under a quantifier
}

const leaf = fc
  .constantFrom('a', 'b', 'c', 'x', '-', '_', '.', '[ab]', '[^a]', '[a-c]', '[^\\w]', '\\d', '\\w', '\\W', '\\-', '[_-]')
  .map((s): Gen => ({ s, caps: false, capq: false }));
const quantifier = fc.constantFrom('', '', '', '*', '+', '?', '{2}', '{0,2}', '{1,3}', '{2,}', '*?', '+?', '??', '{1,2}?');
const anchor = fc.constantFrom('^', '$', '\\b', '\\B').map((s): Gen => ({ s, caps: false, capq: false }));

const join = (parts: Gen[], sep: string): Gen => ({
  s: parts.map((p) => p.s).join(sep),
  caps: parts.some((p) => p.caps),
  capq: parts.some((p) => p.capq),
});

const { regex } = fc.letrec<{ regex: Gen; branch: Gen; piece: Gen; atom: Gen }>((tie) => ({
  regex: fc.array(tie('branch'), { minLength: 1, maxLength: 3 }).map((bs) => join(bs, '|')),
  branch: fc.array(tie('piece'), { minLength: 0, maxLength: 4 }).map((ps) => join(ps, '')),
  piece: fc.oneof(
    { arbitrary: fc.tuple(tie('atom'), quantifier).map(([a, q]): Gen => ({ s: a.s + q, caps: a.caps, capq: a.capq || (q !== '' && a.caps) })), weight: 6 },
    { arbitrary: anchor, weight: 1 },
  ),
  atom: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'group' },
    { arbitrary: leaf, weight: 5 },
    { arbitrary: tie('regex').map((r): Gen => ({ s: `(${r.s})`, caps: true, capq: r.capq })), weight: 1 },
    { arbitrary: tie('regex').map((r): Gen => ({ s: `(?:${r.s})`, caps: r.caps, capq: r.capq })), weight: 1 },
  ),
}));

const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'x', '1', '_', '-', ' ', '\n', 'A', 'B'), maxLength: 8 });

describe('differential: RE2 engine vs JS RegExp on the common subset', () => {
  it('agrees on full match, search and captures for 300 random patterns', () => {
    let compared = 0;
    let capturesCompared = 0;
    fc.assert(
      fc.property(regex, fc.array(text, { minLength: 4, maxLength: 8 }), fc.boolean(), (gen, inputs, ignoreCase) => {
        const r = compileRe2(gen.s, { caseInsensitive: ignoreCase });
        if (!r.ok) throw new Error(`RE2 rejected ${JSON.stringify(gen.s)}: ${r.error}`);
        const re = r.regex;
        const flags = ignoreCase ? 'i' : '';
        const full = new RegExp(`^(?:${gen.s})$`, flags);
        const anywhere = new RegExp(gen.s, flags);
        for (const input of inputs) {
          const expected = full.exec(input);
          const where = `${JSON.stringify(gen.s)}/${flags} on ${JSON.stringify(input)}`;
          expect(re.fullMatch(input), where).toBe(expected !== null);
          expect(re.debugMatch('pike', input, true) !== null, `pike ${where}`).toBe(expected !== null);
          expect(re.search(input), `search ${where}`).toBe(anywhere.test(input));
          if (!gen.capq) {
            const got = re.exec(input);
            expect(got, `captures ${where}`).toEqual(expected === null ? null : Array.from(expected, (g) => g ?? ''));
            capturesCompared++;
          }
          compared++;
        }
      }),
      { seed: 20240521, numRuns: 300 },
    );
    expect(compared).toBeGreaterThan(1000);
    expect(capturesCompared).toBeGreaterThan(300);
  });
});
