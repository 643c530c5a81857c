/**
 * The graph view model and its layout (viz/src/model.ts, viz/src/layout.ts): pure code, checked
 * in Node without a browser.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, type EdgeSummary, type RunSummary } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { layoutGraph, layoutSeed, type Layout } from '../../viz/src/layout.ts';
import { buildGraph, edgeLabelLines, rateHealth, workloadId, type GraphModel } from '../../viz/src/model.ts';
import { clientsOf, workloadsOf } from '../../viz/src/scenario-info.ts';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function bookinfo(): { summary: RunSummary; model: GraphModel } {
  const s = loadScenario('scenarios/bookinfo.yaml', nodeFiles({ cwd: repoRoot }));
  const summary = runScenario(s).summary;
  return { summary, model: buildGraph(summary, workloadsOf(s), clientsOf(s)) };
}

const latency = { mean: 1, p50: 1, p90: 2, p99: 3, max: 4 };
function edge(source: string, destination: string | null, service: string, requests: number, codes: Record<string, number> = { '200': requests }, p99 = 3): EdgeSummary {
  return { source, sourceNamespace: 'default', destination, destinationNamespace: destination === null ? null : 'default', service, version: null, requests, codes, flags: {}, latencyMs: { ...latency, p99 } };
}
function summaryWith(edges: EdgeSummary[]): RunSummary {
  return { format: 1, scenario: 't', seed: 1, simulatedMs: 0, events: 0, traceHash: '', clients: [], edges, rules: [], expectations: [], diagnostics: [] };
}

function overlap(a: { x: number; y: number; width: number; height: number }, b: { x: number; y: number; width: number; height: number }): boolean {
  return Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height;
}

describe('buildGraph', () => {
  it('buildGraph(bookinfo run): one node per workload, seven edges, percentages of each source', () => {
    const { model } = bookinfo();
    expect(model.namespaces).toEqual(['default']);
    expect(model.nodes.map((n) => n.label).sort()).toEqual(['details-v1', 'productpage-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'sleep']);
    expect(model.edges).toHaveLength(7);
    const out = model.edges.filter((e) => e.source === workloadId('default', 'productpage-v1'));
    expect(out.reduce((s, e) => s + e.percent, 0)).toBeCloseTo(100, 9);
    const details = out.find((e) => e.target === workloadId('default', 'details-v1'))!;
    expect(details.percent).toBe(50);
    expect(model.edges.every((e) => e.health === 'healthy')).toBe(true);
  });

  it('buildGraph(edge with no destination workload): an "unknown" node named after the service', () => {
    const model = buildGraph(summaryWith([edge('a', null, 'httpbin.org', 4, { '502': 4 })]), [{ namespace: 'ns', name: 'a', app: 'a', version: null }], []);
    expect(model.nodes.map((n) => [n.id, n.kind])).toEqual([
      ['unknown:httpbin.org', 'unknown'],
      ['wl:ns/a', 'workload'],
    ]);
    expect(model.edges[0]!.health).toBe('failure');
  });

  it('buildGraph(requests to a known service that no workload answered): a service node inside its namespace', () => {
    const wl = [{ namespace: 'default', name: 'reviews-v2', app: 'reviews', version: 'v2' }, { namespace: 'default', name: 'ratings-v1', app: 'ratings', version: 'v1' }];
    const model = buildGraph(summaryWith([edge('reviews-v2', null, 'ratings', 10, { '500': 10 })]), wl, [], [{ namespace: 'default', name: 'ratings' }]);
    const svc = model.nodes.find((n) => n.id === 'svc:default/ratings')!;
    expect(svc).toMatchObject({ kind: 'service', namespace: 'default', app: 'ratings', health: 'failure', requestsIn: 10 });
    // The idle ratings-v1 workload is drawn in the same column as the ratings service.
    const l = layoutGraph(model, 1);
    expect(l.nodes.get('wl:default/ratings-v1')!.x).toBe(l.nodes.get('svc:default/ratings')!.x);
  });

  it('buildGraph(client outside the mesh, two services to one workload): client node, merged edge with the worst p99', () => {
    const wl = [{ namespace: 'ns', name: 'b', app: 'b', version: 'v1' }];
    const model = buildGraph(summaryWith([edge('ext', 'b', 's1', 3, undefined, 5), edge('ext', 'b', 's2', 1, undefined, 9)]), wl, [{ name: 'ext', from: null }]);
    expect(model.nodes.find((n) => n.id === 'client:ext')?.namespace).toBeNull();
    expect(model.edges).toHaveLength(1);
    expect(model.edges[0]).toMatchObject({ requests: 4, percent: 100, p99Ms: 9, services: ['s1', 's2'] });
    expect(edgeLabelLines(model.edges[0]!)).toEqual(['4 req · 100.0%', 'p99 9.0 ms']);
  });

  it("rateHealth follows Kiali's defaults: 5xx degrade at 0.1% and fail above 10%; 4xx degrade above 10%, fail above 20%", () => {
    expect(rateHealth(0, 0, 0)).toBe('idle');
    expect(rateHealth(1000, 0.09, 0)).toBe('healthy');
    expect(rateHealth(1000, 0.1, 0)).toBe('degraded');
    expect(rateHealth(1000, 10, 0)).toBe('degraded');
    expect(rateHealth(1000, 10.01, 0)).toBe('failure');
    expect(rateHealth(1000, 0, 10)).toBe('healthy');
    expect(rateHealth(1000, 0, 10.5)).toBe('degraded');
    expect(rateHealth(1000, 0, 20.5)).toBe('failure');
  });
});

describe('layoutGraph', () => {
  it('layoutGraph(bookinfo) twice: identical positions (seeded, synchronous ticks)', () => {
    const { model, summary } = bookinfo();
    const a = layoutGraph(model, summary.seed);
    const b = layoutGraph(model, summary.seed);
    expect([...a.nodes.values()]).toEqual([...b.nodes.values()]);
    expect([...a.labels.entries()]).toEqual([...b.labels.entries()]);
    expect(layoutSeed(1)).not.toBe(layoutSeed(2));
  });

  it('layoutGraph(bookinfo): callers left of callees, nodes apart, labels clear of nodes and of each other, all inside the namespace box', () => {
    const { model, summary } = bookinfo();
    const l: Layout = layoutGraph(model, summary.seed);
    const at = (name: string) => l.nodes.get(workloadId('default', name))!;
    expect(at('sleep').x).toBeLessThan(at('productpage-v1').x);
    expect(at('productpage-v1').x).toBeLessThan(at('reviews-v2').x);
    expect(at('reviews-v2').x).toBeLessThan(at('ratings-v1').x);
    const ps = [...l.nodes.values()];
    for (let i = 0; i < ps.length; i++) {
      for (let j = i + 1; j < ps.length; j++) expect(Math.hypot(ps[i]!.x - ps[j]!.x, ps[i]!.y - ps[j]!.y)).toBeGreaterThan(70);
    }
    const labels = [...l.labels.values()];
    expect(labels).toHaveLength(7);
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) expect(overlap(labels[i]!, labels[j]!)).toBe(false);
      for (const p of ps) expect(overlap(labels[i]!, { x: p.x, y: p.y, width: 36, height: 36 })).toBe(false);
    }
    expect(l.boxes).toHaveLength(1);
    const box = l.boxes[0]!;
    for (const p of ps) {
      expect(p.x).toBeGreaterThan(box.x);
      expect(p.x).toBeLessThan(box.x + box.width);
      expect(p.y).toBeGreaterThan(box.y);
      expect(p.y).toBeLessThan(box.y + box.height);
    }
  });

  it('layoutGraph(two namespaces): their boxes do not overlap', () => {
    const wl = [
      { namespace: 'a', name: 'x', app: null, version: null },
      { namespace: 'a', name: 'y', app: null, version: null },
      { namespace: 'b', name: 'z', app: null, version: null },
      { namespace: 'b', name: 'w', app: null, version: null },
    ];
    const model = buildGraph(summaryWith([edge('x', 'z', 'z', 5), edge('x', 'w', 'w', 5), edge('y', 'z', 'z', 2)]), wl, []);
    const l = layoutGraph(model, 7);
    expect(l.boxes.map((b) => b.namespace)).toEqual(['a', 'b']);
    expect(overlap({ ...l.boxes[0]!, x: l.boxes[0]!.x + l.boxes[0]!.width / 2, y: l.boxes[0]!.y + l.boxes[0]!.height / 2 }, { ...l.boxes[1]!, x: l.boxes[1]!.x + l.boxes[1]!.width / 2, y: l.boxes[1]!.y + l.boxes[1]!.height / 2 })).toBe(false);
  });
});
