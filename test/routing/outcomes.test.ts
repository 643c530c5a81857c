/**
 * Routing failures end with the code and flag of istio-semantics.md §1.10, as the run summary's
 * edges show them (engine-level: ResolvedScenarios built in code, run with runScenario).
 */
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../sim/config/types.ts';
import { runScenario } from '../../sim/run.ts';
import * as b from '../helpers/build.ts';
import { bookinfo, bookinfoSubsets, destinationRule, virtualService } from '../helpers/istio.ts';

function runReviews(extra: Resource[], opts: { workloads?: ReturnType<typeof b.behaviour>[]; headers?: [string, string][]; n?: number; defaultRetry503?: boolean } = {}) {
  const s = b.scenario({
    resources: [...bookinfo(), ...extra],
    workloads: opts.workloads,
    traffic: [b.openTraffic('c', 'sleep', 'http://reviews:9080/reviews/0', 50, { stopUs: 2_000_000, headers: opts.headers ?? [] })],
    durationUs: 2_000_000,
  });
  const r = runScenario(s);
  const edges = r.summary.edges.filter((e) => e.source === 'sleep' && e.service === 'reviews');
  return { summary: r.summary, edges };
}

const toSubset = (subset: string, more: object = {}) => virtualService('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset } }], ...more }] });

describe('routing outcomes in the summary (istio-semantics.md §1.10)', () => {
  it('§1.10 undefined subset → 503 NC (cluster_not_found), never reaches a workload', () => {
    const { edges, summary } = runReviews([...bookinfoSubsets(), toSubset('v4')]);
    expect(edges.length).toBe(1);
    expect(edges[0].destination).toBeNull();
    expect(edges[0].codes).toEqual({ '503': edges[0].requests });
    expect(edges[0].flags).toEqual({ NC: edges[0].requests });
    expect(summary.clients[0].codes).toEqual({ '503': summary.clients[0].requests });
  });

  it('§1.10 subset defined but no pod carries its labels → 503 UH (no healthy upstream)', () => {
    const dr = destinationRule('reviews', { host: 'reviews', subsets: [{ name: 'v4', labels: { version: 'v4' } }] });
    const { edges } = runReviews([dr, toSubset('v4')]);
    expect(edges.length).toBe(1);
    expect(edges[0].flags).toEqual({ UH: edges[0].requests });
    expect(edges[0].codes).toEqual({ '503': edges[0].requests });
  });

  it('§1.10 no VirtualService rule matches → 404 NR', () => {
    const vs = virtualService('reviews', { hosts: ['reviews'], http: [{ match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews' } }] }] });
    const { edges } = runReviews([vs]);
    expect(edges[0].flags).toEqual({ NR: edges[0].requests });
    expect(edges[0].codes).toEqual({ '404': edges[0].requests });
    const jason = runReviews([vs], { headers: [['end-user', 'jason']] });
    expect(jason.edges.every((e) => e.flags['-'] === e.requests)).toBe(true);
  });

  it('§1.10 route timeout → 504 UT after the timeout, covering all attempts', () => {
    const slow = b.behaviour('reviews-v1', { serviceTime: b.constant(300_000) });
    const { edges, summary } = runReviews([...bookinfoSubsets(), toSubset('v1', { timeout: '100ms' })], { workloads: [slow] });
    const e = edges.find((x) => x.destination === 'reviews-v1')!;
    expect(e.flags).toEqual({ UT: e.requests });
    expect(e.codes).toEqual({ '504': e.requests });
    // Latency ≈ the route timeout plus sidecar passes, far below the 300 ms service time.
    expect(summary.clients[0].latencyMs.max).toBeLessThan(110);
    expect(summary.clients[0].latencyMs.p50).toBeGreaterThanOrEqual(100);
  });

  it('§9.4 missing-cluster flag: Envoy before ≈1.17 said NR instead of NC', () => {
    const s = b.scenario({
      resources: [...bookinfo(), ...bookinfoSubsets(), toSubset('v4')],
      traffic: [b.openTraffic('c', 'sleep', 'http://reviews:9080/reviews/0', 20, { stopUs: 1_000_000 })],
    });
    s.profile = { ...s.profile, missingClusterFlag: 'NR' };
    const e = runScenario(s).summary.edges.find((x) => x.service === 'reviews')!;
    expect(Object.keys(e.flags)).toEqual(['NR']);
  });
});
