/**
 * Weighted destinations (istio-semantics.md §1.6) and Envoy's weighted-cluster pick.
 */
import { describe, expect, it } from 'vitest';
import type { WeightedCluster } from '../../sim/control-plane/types.ts';
import { pickWeightedIndex } from '../../sim/data-plane/router.ts';
import { runScenario } from '../../sim/run.ts';
import * as b from '../helpers/build.ts';
import { bookinfo, bookinfoSubsets, virtualService } from '../helpers/istio.ts';
import { withinBinomial } from './stats.ts';

const dest = (weight: number, subset: string): WeightedCluster => ({ cluster: `outbound|9080|${subset}|reviews`, weight, host: 'reviews', subset, port: 9080 });

describe('weighted-cluster pick (§1.6, envoy router config_impl.cc)', () => {
  it("Envoy's route check example: weights 30/30/40 with random values 115, 445, 560 pick the 1st, 2nd, 3rd", () => {
    const ds = [dest(30, 'v1'), dest(30, 'v2'), dest(40, 'v3')];
    expect(pickWeightedIndex(ds, 100, 115)).toBe(0);
    expect(pickWeightedIndex(ds, 100, 445)).toBe(1);
    expect(pickWeightedIndex(ds, 100, 560)).toBe(2);
  });

  it('boundaries: the cumulative weight is exclusive (draw 29 → 1st, 30 → 2nd, 99 → 3rd)', () => {
    const ds = [dest(30, 'v1'), dest(30, 'v2'), dest(40, 'v3')];
    expect([29, 30, 59, 60, 99].map((d) => pickWeightedIndex(ds, 100, d))).toEqual([0, 1, 1, 2, 2]);
  });

  it('relative weights: 1 and 3 split 25/75 without summing to 100 (Istio ≥ 1.15)', () => {
    const ds = [dest(1, 'v1'), dest(3, 'v2')];
    const counts = [0, 0];
    for (let r = 0; r < 400; r++) counts[pickWeightedIndex(ds, 4, r)]++;
    expect(counts).toEqual([100, 300]);
  });

  it('a run splits traffic by weight per request (virtual-service-reviews-80-20 style) within binomial bounds', () => {
    const vs = virtualService('reviews', {
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 80 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 20 }] }],
    });
    for (const seed of [1, 2, 3]) {
      const s = b.scenario({
        seed,
        resources: [...bookinfo(), ...bookinfoSubsets(), vs],
        traffic: [b.openTraffic('c', 'sleep', 'http://reviews:9080/reviews/0', 200, { stopUs: 10_000_000 })],
      });
      const edges = runScenario(s).summary.edges.filter((e) => e.service === 'reviews');
      const v1 = edges.find((e) => e.version === 'v1')!.requests;
      const v2 = edges.find((e) => e.version === 'v2')!.requests;
      expect(edges.some((e) => e.version === 'v3')).toBe(false);
      expect(withinBinomial(v2, v1 + v2, 0.2)).toBe(true);
    }
  });
});
