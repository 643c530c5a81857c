/**
 * Bookinfo without any VirtualService (istio-semantics.md §8.1 step 0, §7.2): reviews traffic
 * spreads over v1/v2/v3 (LEAST_REQUEST, §2.3), reviews-v1 never calls ratings (ENABLE_RATINGS=false),
 * and the summary's edges are exactly what the trace shows.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/config/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { runScenario } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import type { UpstreamEvent } from '../../sim/trace/events.ts';
import { shareBound, zForConfidence } from '../../sim/expect/stats.ts';

function run(seed: number) {
  const s = loadScenario('scenarios/bookinfo.yaml', nodeFiles(), { seed });
  const sink = new MemorySink();
  const result = runScenario(s, { sinks: [sink] });
  const upstream = sink.events.filter((e): e is UpstreamEvent => e.kind === 'upstream');
  return { result, upstream, events: sink.events };
}

describe('bookinfo with default routing', () => {
  it('reviews splits about evenly over v1/v2/v3 (score-test bound at 99.9%, Bonferroni over 3 shares)', () => {
    const { upstream } = run(1);
    const reviews = upstream.filter((e) => e.service === 'reviews');
    const n = reviews.length;
    expect(n).toBeGreaterThan(1000);
    const z = zForConfidence(1 - 0.001 / 3);
    for (const v of ['v1', 'v2', 'v3']) {
      const share = reviews.filter((e) => e.version === v).length / n;
      expect(Math.abs(share - 1 / 3)).toBeLessThanOrEqual(shareBound(1 / 3, n, z));
    }
  });

  it('reviews-v1 never calls ratings; v2 and v3 always do', () => {
    const { upstream } = run(2);
    expect(upstream.filter((e) => e.source === 'reviews-v1').length).toBe(0);
    const byVersion = (v: string) => upstream.filter((e) => e.service === 'reviews' && e.version === v && e.code === 200).length;
    const ratingsFrom = (w: string) => upstream.filter((e) => e.source === w && e.service === 'ratings').length;
    expect(ratingsFrom('reviews-v2')).toBe(byVersion('v2'));
    expect(ratingsFrom('reviews-v3')).toBe(byVersion('v3'));
  });

  it('every summary edge exists in the trace with the same count, and nothing else does', () => {
    const { result, upstream } = run(3);
    const counts = new Map<string, number>();
    for (const e of upstream) {
      const k = `${e.source}>${e.destination}>${e.service}>${e.version}`;
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    const fromSummary = new Map(result.summary.edges.map((e) => [`${e.source}>${e.destination}>${e.service}>${e.version}`, e.requests]));
    expect(fromSummary).toEqual(counts);
  });

  it("jason's header is propagated but changes nothing without a VirtualService", () => {
    const { result } = run(4);
    const jason = result.summary.clients.find((c) => c.name === 'jason')!;
    expect(jason.requests).toBeGreaterThan(200);
    expect(Object.keys(jason.codes)).toEqual(['200']);
    expect(result.summary.expectations.every((e) => e.passed)).toBe(true);
  });
});
