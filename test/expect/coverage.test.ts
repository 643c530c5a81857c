/**
 * Route coverage: rules from the upstream events' `route` field, match blocks from route.match
 * provenance events (after Envoy's router_check_tool coverage).
 */
import { describe, expect, it } from 'vitest';
import { CoverageFold, virtualServiceRules } from '../../sim/expect/coverage.ts';
import { runScenario } from '../../sim/run.ts';
import * as b from '../helpers/build.ts';
import { bookinfo, bookinfoSubsets, virtualService } from '../helpers/istio.ts';

const reviews = virtualService('reviews', {
  hosts: ['reviews'],
  http: [
    {
      name: 'testers',
      match: [{ headers: { 'end-user': { exact: 'jason' } } }, { headers: { 'end-user': { exact: 'kim' } } }],
      route: [{ destination: { host: 'reviews', subset: 'v2' } }],
    },
    { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
  ],
});

function scenario() {
  return b.scenario({
    resources: [...bookinfo(), ...bookinfoSubsets(), reviews],
    traffic: [b.openTraffic('jason', 'sleep', 'http://reviews:9080/reviews/0', 50, { stopUs: 1_000_000, headers: [['end-user', 'jason']] })],
    durationUs: 1_000_000,
  });
}

describe('route coverage', () => {
  it('with provenance events, match blocks are told apart: jason exercises block 0 of rule 0, not block 1 (kim), not rule 1', () => {
    const s = scenario();
    const fold = new CoverageFold();
    runScenario(s, { sinks: [fold], detail: true });
    const report = fold.report(virtualServiceRules(s));
    expect(report.blocksAttributed).toBe(true);
    expect(report.rules.map((r) => [r.rule, r.name, r.matchBlocks, r.hits > 0, r.blockHits?.map((h) => h > 0) ?? null])).toEqual([
      [0, 'testers', 2, true, [true, false]],
      [1, '', 0, false, null],
    ]);
    expect(report).toMatchObject({ covered: 1, total: 3, percent: 33.3 });
  });

  it('without provenance events a rule with several blocks counts as one item', () => {
    const s = scenario();
    const fold = new CoverageFold();
    runScenario(s, { sinks: [fold] });
    const report = fold.report(virtualServiceRules(s));
    expect(report).toMatchObject({ blocksAttributed: false, covered: 1, total: 2, percent: 50 });
    expect(report.rules[0].blockHits).toBeNull();
  });

  it('merging folds adds hits (check --seeds reports coverage over all seeds)', () => {
    const s = scenario();
    const a = new CoverageFold();
    const c = new CoverageFold();
    runScenario(s, { sinks: [a] });
    runScenario({ ...s, seed: 2 }, { sinks: [c] });
    const hits = a.report(virtualServiceRules(s)).rules[0].hits + c.report(virtualServiceRules(s)).rules[0].hits;
    a.merge(c);
    expect(a.report(virtualServiceRules(s)).rules[0].hits).toBe(hits);
  });

  it('nothing to cover is 100 %', () => {
    expect(new CoverageFold().report(new Map())).toMatchObject({ covered: 0, total: 0, percent: 100 });
  });
});
