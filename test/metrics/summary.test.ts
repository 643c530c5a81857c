/**
 * The summary fold (DESIGN.md "Summary JSON"): edges are keyed by (source workload and namespace,
 * destination workload and namespace, service, version) whatever pod sent or received the attempt;
 * codes are reported as strings in numeric order. Its edge lookup is a per-pod list (issue #10),
 * so these cases pin what that lookup must keep apart and what it must merge.
 */
import { describe, expect, it } from 'vitest';
import { SummaryFold } from '../../sim/metrics/summary.ts';
import type { UpstreamEvent } from '../../sim/trace/events.ts';

let t = 0;
function up(over: Partial<UpstreamEvent>): UpstreamEvent {
  t += 10;
  return {
    kind: 'upstream',
    timeUs: t + 1_000,
    startUs: t,
    req: 1,
    client: 'c',
    stream: 1,
    parent: 0,
    attempt: 1,
    source: 'sleep',
    sourceNamespace: 'default',
    sourcePod: 'sleep-0',
    service: 'reviews',
    cluster: 'outbound|9080||reviews.default.svc.cluster.local',
    destination: 'reviews-v1',
    destNamespace: 'default',
    destPod: 'reviews-v1-0',
    version: 'v1',
    code: 200,
    flags: '-',
    route: null,
    security: 'mutual_tls',
    ...over,
  };
}

describe('summary fold edges', () => {
  it('pods of one workload share an edge; the same pod name in another namespace does not', () => {
    const f = new SummaryFold([]);
    f.write(up({ sourcePod: 'sleep-0' }));
    f.write(up({ sourcePod: 'sleep-1' }));
    f.write(up({ sourcePod: 'sleep-0', destPod: 'reviews-v1-1' }));
    f.write(up({ sourcePod: 'sleep-0', sourceNamespace: 'other' }));
    const edges = f.edgeSummaries();
    expect(edges.map((e) => [e.sourceNamespace, e.requests])).toEqual([
      ['default', 3],
      ['other', 1],
    ]);
  });

  it('every key field separates edges, in any order of arrival, and counts follow their edge', () => {
    const f = new SummaryFold([]);
    const variants: Partial<UpstreamEvent>[] = [
      {},
      { service: 'ratings' },
      { destination: 'reviews-v2', version: 'v2' },
      { version: null },
      { destination: null, destNamespace: null, destPod: null, version: null, code: 503, flags: 'UH' },
      { destNamespace: 'b' },
      { source: 'productpage-v1', sourcePod: 'productpage-v1-0' },
    ];
    // Interleave so the move-to-front lists reorder many times.
    for (let round = 0; round < 5; round++) for (let i = 0; i < variants.length; i++) for (let k = 0; k <= i; k++) f.write(up(variants[(i + round) % variants.length]));
    const edges = f.edgeSummaries();
    expect(edges).toHaveLength(variants.length);
    const total = edges.reduce((a, e) => a + e.requests, 0);
    expect(total).toBe(5 * ((variants.length * (variants.length + 1)) / 2));
    const uh = edges.find((e) => e.destination === null)!;
    expect(uh.codes).toEqual({ '503': uh.requests });
    expect(uh.flags).toEqual({ UH: uh.requests });
  });

  it('codes are string keys in numeric order, for edges and clients', () => {
    const f = new SummaryFold(['c']);
    for (const code of [503, 200, 0, 404, 200]) {
      f.write(up({ code }));
      f.write({ kind: 'client.end', timeUs: 5, req: 1, client: 'c', code, flags: '-', latencyUs: 5 });
    }
    expect(Object.entries(f.edgeSummaries()[0].codes)).toEqual([
      ['0', 1],
      ['200', 2],
      ['404', 1],
      ['503', 1],
    ]);
    expect(Object.entries(f.clientSummaries()[0].codes)).toEqual([
      ['0', 1],
      ['200', 2],
      ['404', 1],
      ['503', 1],
    ]);
  });

  it('many distinct codes and flags on one edge are all counted', () => {
    const f = new SummaryFold([]);
    for (let i = 0; i < 300; i++) f.write(up({ code: 100 + (i % 50), flags: `F${i % 7}` }));
    const e = f.edgeSummaries()[0];
    expect(Object.keys(e.codes)).toHaveLength(50);
    expect(Object.values(e.codes).every((n) => n === 6)).toBe(true);
    expect(Object.keys(e.codes)[0]).toBe('100');
    expect(Object.values(e.flags).reduce((a, n) => a + n, 0)).toBe(300);
    expect(e.flags.F0).toBe(43);
  });
});
