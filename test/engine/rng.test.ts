import { describe, expect, it } from 'vitest';
import seedrandom from 'seedrandom';
import { Rng } from '../../sim/engine/rng.ts';

const draws = (r: Rng, n: number) => Array.from({ length: n }, () => r.float());

describe('named random streams', () => {
  it("draws are exactly seedrandom.alea(label).double()'s, in order (the inlined alea step changes no number)", () => {
    // Every trace hash depends on this sequence; the labels cover root, forked and odd characters.
    const labels = ['meshsim:1', 'meshsim:7/data-plane/proxy/default/productpage-v1-0/latency', 'x', '', 'ünïcødé/🙂', 'meshsim:4294967295'];
    for (const label of labels) {
      const ours = new Rng(label);
      const ref = seedrandom.alea(label);
      for (let i = 0; i < 20_000; i++) {
        const want = ref.double();
        const got = ours.float();
        if (got !== want) expect({ label, i, got }).toEqual({ label, i, got: want });
      }
    }
  });

  it('same seed and label give the same draws', () => {
    expect(draws(Rng.root(7).fork('traffic/jason'), 5)).toEqual(draws(Rng.root(7).fork('traffic/jason'), 5));
  });

  it("a stream's draws do not depend on sibling streams created or consumed before it", () => {
    const a = Rng.root(7);
    const lonely = draws(a.fork('traffic/jason'), 5);
    const b = Rng.root(7);
    draws(b.fork('traffic/anonymous'), 100);
    draws(b, 3);
    expect(draws(b.fork('traffic/jason'), 5)).toEqual(lonely);
  });

  it('different labels and seeds give different streams', () => {
    expect(draws(Rng.root(7).fork('a'), 3)).not.toEqual(draws(Rng.root(7).fork('b'), 3));
    expect(draws(Rng.root(7).fork('a'), 3)).not.toEqual(draws(Rng.root(8).fork('a'), 3));
  });

  it('chancePpm: 0 never, 1e6 always, 25% about a quarter (binomial 5-sigma bound)', () => {
    const r = new Rng('chance');
    let hits = 0;
    const n = 20_000;
    for (let i = 0; i < n; i++) hits += r.chancePpm(250_000) ? 1 : 0;
    const sd = Math.sqrt(n * 0.25 * 0.75);
    expect(Math.abs(hits - n / 4)).toBeLessThan(5 * sd);
    expect(r.chancePpm(0)).toBe(false);
    expect(r.chancePpm(1_000_000)).toBe(true);
  });

  it('exponentialUs has the requested mean (normal 5-sigma bound) and integer values', () => {
    const r = new Rng('exp');
    const n = 50_000;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = r.exponentialUs(1000);
      expect(Number.isInteger(v)).toBe(true);
      sum += v;
    }
    expect(Math.abs(sum / n - 1000)).toBeLessThan((5 * 1000) / Math.sqrt(n));
  });
});
