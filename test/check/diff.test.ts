/**
 * `meshsim diff`: the same seeded traffic through two configurations. Acceptance (issue 6): from
 * all-v1 to 50/50 v1/v3, about half of reviews traffic moves to v3 and reviews-v3 → ratings appears.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { diffTraffic, type TrafficView } from '../../sim/expect/diff.ts';
import type { EdgeSummary } from '../../sim/metrics/summary.ts';
import { meshsim } from '../helpers/cli.ts';
import { withinBinomial } from '../routing/stats.ts';
import { fixtureWorkspace } from './workspace.ts';

const ALL_V1 = 'bookinfo/virtual-service-all-v1.yaml';
const HALF_V3 = 'bookinfo/virtual-service-reviews-50-v3.yaml';

describe('meshsim diff (the real CLI)', () => {
  const dir = fixtureWorkspace();
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('all-v1 → 50/50 v1/v3: about half of reviews traffic moves to v3; the reviews-v3 → ratings edge is added', () => {
    const r = meshsim(['diff', 'diff-base.yaml', '--base', ALL_V1, '--head', HALF_V3, '--json'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ format: 1, scenario: 'diff-base.yaml', seed: 5, base: { apply: [ALL_V1] }, head: { apply: [HALF_V3] } });
    const reviews = d.flows.find((f: { source: string; service: string }) => f.source === 'productpage-v1' && f.service === 'reviews');
    expect(reviews.status).toBe('changed');
    expect(reviews.baseRequests).toBe(reviews.headRequests);
    const v3 = reviews.destinations.find((x: { version: string }) => x.version === 'v3');
    expect(v3.base.count).toBe(0);
    expect(v3.significant).toBe(true);
    // "About half": within a binomial bound of 50 % for the head's reviews calls.
    expect(withinBinomial(v3.head.count, reviews.headRequests, 0.5)).toBe(true);
    expect(reviews.movedPercent).toBeCloseTo(v3.head.share * 100, 0);
    const ratings = d.flows.find((f: { source: string; service: string }) => f.source === 'reviews-v3' && f.service === 'ratings');
    expect(ratings).toMatchObject({ status: 'added', baseRequests: 0, headRequests: v3.head.count });
    expect(ratings.destinations).toMatchObject([{ destination: 'ratings-v1', version: 'v1', base: { count: 0 } }]);
    // Flows the change does not touch stay the same.
    const details = d.flows.find((f: { source: string; service: string }) => f.source === 'productpage-v1' && f.service === 'details');
    expect(details).toMatchObject({ status: 'same', movedPercent: 0 });
    expect(d.clients[0]).toMatchObject({ name: 'users', codes: [] });
    expect(d.clients[0].latencyMs.head.p99).toBeGreaterThan(0);
  });

  it('the text form lists moved traffic, added edges and latency, for a PR comment', () => {
    const r = meshsim(['diff', 'diff-base.yaml', '--base', ALL_V1, '--head', HALF_V3], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^meshsim diff diff-base\.yaml \(seed 5\): base bookinfo\/virtual-service-all-v1\.yaml → head bookinfo\/virtual-service-reviews-50-v3\.yaml$/m);
    expect(r.stdout).toMatch(/^ {2}productpage-v1 → reviews: [\d.]+ % of requests moved/m);
    expect(r.stdout).toMatch(/^ {4}reviews-v3 \(v3\): 0 % → [\d.]+ % \(\+[\d.]+ pts\)$/m);
    expect(r.stdout).toMatch(/^Edges added\n {2}reviews-v3 → ratings: \d+ requests \(ratings-v1 \(v1\) \d+\)$/m);
    expect(r.stdout).toMatch(/^ {2}users: p50 [\d.]+ → [\d.]+, p90/m);
  });

  it('the same configuration on both sides changes nothing', () => {
    const d = JSON.parse(meshsim(['diff', 'diff-base.yaml', '--base', ALL_V1, '--head', ALL_V1, '--json', '--duration', '5s'], dir).stdout);
    expect(d.base.traceHash).toBe(d.head.traceHash);
    expect(d.flows.every((f: { status: string; movedPercent: number }) => f.status === 'same' && f.movedPercent === 0)).toBe(true);
  });

  it('invalid input exits 2 with the diagnostic; missing --head is a usage error', () => {
    expect(meshsim(['diff', 'diff-base.yaml', '--base', ALL_V1, '--head', 'nope.yaml'], dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/nope\.yaml/) });
    expect(meshsim(['diff', 'diff-base.yaml', '--base', ALL_V1], dir)).toMatchObject({ code: 2, stderr: expect.stringMatching(/needs --base FILE and --head FILE/) });
  });
});

describe('diffTraffic', () => {
  const lat = { mean: 1, p50: 1, p90: 1, p99: 1, max: 1 };
  const edge = (source: string, destination: string, version: string, requests: number, codes: Record<string, number> = { '200': requests }): EdgeSummary => ({
    source,
    sourceNamespace: 'default',
    destination,
    destinationNamespace: 'default',
    service: 'reviews',
    version,
    requests,
    codes,
    flags: { '-': requests },
    latencyMs: lat,
  });
  const view = (edges: EdgeSummary[]): TrafficView => ({ clients: [], edges });

  it('a small wobble between runs is not significant; a real shift is', () => {
    const d = diffTraffic(view([edge('pp', 'r1', 'v1', 502), edge('pp', 'r3', 'v3', 498)]), view([edge('pp', 'r1', 'v1', 490), edge('pp', 'r3', 'v3', 510)]));
    expect(d.flows[0].status).toBe('same');
    expect(d.flows[0].movedPercent).toBe(1.2);
    const shifted = diffTraffic(view([edge('pp', 'r1', 'v1', 1000)]), view([edge('pp', 'r1', 'v1', 900), edge('pp', 'r3', 'v3', 100)]));
    expect(shifted.flows[0]).toMatchObject({ status: 'changed', movedPercent: 10 });
  });

  it('code changes are reported with shares and significance', () => {
    const d = diffTraffic(view([edge('pp', 'r1', 'v1', 1000)]), view([edge('pp', 'r1', 'v1', 1000, { '200': 900, '503': 100 })]));
    expect(d.flows[0].status).toBe('changed');
    expect(d.flows[0].codes).toEqual([
      { code: '200', base: { count: 1000, share: 1 }, head: { count: 900, share: 0.9 }, deltaPoints: -10, significant: true },
      { code: '503', base: { count: 0, share: 0 }, head: { count: 100, share: 0.1 }, deltaPoints: 10, significant: true },
    ]);
  });
});
