/**
 * Queries the replay page makes at the cursor, checked against brute force over the events:
 * attempts in flight (the dots), ejected hosts and proxy state (the proxy inspector), one
 * request's chain and spans (the request inspector), timeline lane markers.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario, MemorySink, runScenario, type TraceEvent } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { ColumnarSink, TraceView } from '../../viz/src/replay/columnar.ts';
import { buildInFlightIndex, inFlightAt } from '../../viz/src/replay/in-flight.ts';
import { ReplayIndex } from '../../viz/src/replay/keyframes.ts';
import { requestChain, requestSpans } from '../../viz/src/inspect/request-chain.ts';
import { podsOfWorkload, proxySnapshot } from '../../viz/src/inspect/proxy-state.ts';
import { laneMarkers } from '../../viz/src/charts/timeline-lane.ts';
import { timeScale } from '../../viz/src/charts/time-axis.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function run(path: string): { events: TraceEvent[]; view: TraceView; index: ReplayIndex } {
  const s = loadScenario(path, nodeFiles({ cwd: repoRoot }));
  const columnar = new ColumnarSink();
  const memory = new MemorySink();
  runScenario(s, { sinks: [columnar, memory], detail: true });
  const view = new TraceView(columnar.finish());
  return { events: memory.events, view, index: new ReplayIndex(view, { keyframeEvents: 700 }) };
}

describe('replay queries (outlier-ejection scenario, istio-semantics.md §2.5)', () => {
  const { events, view, index } = run('scenarios/outlier-ejection.yaml');
  const ups = events.filter((e): e is Extract<TraceEvent, { kind: 'upstream' }> => e.kind === 'upstream');
  const probes = [0.1, 0.37, 0.5, 0.81].map((f) => Math.round(index.endUs * f));
  const manyProbes = Array.from({ length: 60 }, (_, i) => Math.round((index.endUs * (i + 0.5)) / 60));

  it('attempts in flight at t are exactly those with start ≤ t < end; more than the cap are thinned evenly', () => {
    const ix = buildInFlightIndex(view);
    const scratch = { buf: new Int32Array(4) };
    for (const t of manyProbes) {
      const q = inFlightAt(ix, t, 1_000_000, scratch);
      const brute = ups.filter((u) => u.startUs <= t && u.timeUs > t).length;
      expect(q.total).toBe(brute);
      expect(q.count).toBe(brute);
      if (brute >= 4) {
        const capped = inFlightAt(ix, t, 2, scratch);
        expect(capped.count).toBe(2);
        expect(capped.total).toBe(brute);
      }
    }
  });

  it('ejected hosts at t follow outlier.eject / outlier.uneject', () => {
    expect(index.ejections.length).toBeGreaterThan(0);
    for (const t of probes) {
      const s = index.stateAt(t);
      const out = new Set<string>();
      for (const e of events) {
        if (e.timeUs > t) break;
        if (e.kind === 'outlier.eject') out.add(`${e.proxy}|${e.cluster}|${e.host}`);
        if (e.kind === 'outlier.uneject') out.delete(`${e.proxy}|${e.cluster}|${e.host}`);
      }
      const got = new Set(index.ejections.flatMap((k, i) => (s.ejected[i] ? [`${k.proxy}|${k.cluster}|${k.host}`] : [])));
      expect(got).toEqual(out);
    }
  });

  it("proxy inspector: a pod's clusters count its attempts up to t; its ejections match the state", () => {
    const caller = ups[0].sourcePod!;
    const workload = ups[0].source;
    expect(podsOfWorkload(view, index, workload)).toContain(caller);
    const t = probes[2];
    const snap = proxySnapshot(view, index, index.stateAt(t), caller);
    const brute = ups.filter((u) => u.sourcePod === caller && u.timeUs <= t);
    expect(snap.clusters.reduce((n, c) => n + c.attempts, 0)).toBe(brute.length);
    expect(snap.clusters.reduce((n, c) => n + c.errors, 0)).toBe(brute.filter((u) => u.code === 0 || u.code >= 500).length);
    expect(snap.routes.reduce((n, r) => n + r.hits, 0)).toBe(events.filter((e) => e.kind === 'route.match' && e.proxy === caller && e.timeUs <= t).length);
  });

  it('request inspector: the chain lists every event naming the request, in order, from client.start to client.end', () => {
    const failed = events.find((e): e is Extract<TraceEvent, { kind: 'client.end' }> => e.kind === 'client.end' && e.code >= 500) ?? events.find((e) => e.kind === 'client.end');
    const req = (failed as { req: number }).req;
    const chain = requestChain(view, req);
    const brute = events.filter((e) => (e as { req?: number }).req === req);
    expect(chain.map((l) => l.kind)).toEqual(brute.map((e) => e.kind));
    expect(chain[0].kind).toBe('client.start');
    expect(chain[chain.length - 1].kind).toBe('client.end');
    expect(chain.some((l) => l.kind === 'lb.pick')).toBe(true);
    const spans = requestSpans(view, req);
    expect(spans[0].depth).toBe(0);
    expect(spans.length).toBe(1 + brute.filter((e) => e.kind === 'upstream').length);
  });

  it('timeline lane: one marker per row and pixel, counting every lane event', () => {
    const x = timeScale(index.endUs);
    const markers = laneMarkers(view, x);
    const laneKinds = new Set(['timeline', 'config.push', 'pod.state', 'outlier.eject', 'outlier.uneject', 'outlier.suppressed', 'proxy.status']);
    expect(markers.reduce((n, m) => n + m.count, 0)).toBe(events.filter((e) => laneKinds.has(e.kind)).length);
    expect(new Set(markers.map((m) => `${m.row}@${m.px}`)).size).toBe(markers.length);
    expect(markers.some((m) => m.row === 'outlier')).toBe(true);
  });
});

describe('replay queries (canary-propagation scenario, istio-semantics.md §6.1)', () => {
  const { events, index } = run('scenarios/canary-propagation.yaml');

  it('each proxy: installed version = last config.push, STALE with the sent version until SYNCED', () => {
    expect(events.some((e) => e.kind === 'proxy.status' && e.status === 'STALE')).toBe(true);
    for (const f of [0.05, 0.3, 0.5, 0.52, 0.55, 0.7, 1]) {
      const t = Math.round(index.endUs * f);
      const s = index.stateAt(t);
      const installed = new Map<string, number>();
      const pending = new Map<string, number>();
      for (const e of events) {
        if (e.timeUs > t) break;
        if (e.kind === 'config.push') installed.set(e.proxy, e.version);
        if (e.kind === 'proxy.status') {
          if (e.status === 'STALE') pending.set(e.proxy, e.version);
          else pending.delete(e.proxy);
        }
      }
      index.proxies.forEach((p, i) => {
        expect(Number.isNaN(s.proxyVersion[i]) ? undefined : s.proxyVersion[i]).toBe(installed.get(p));
        expect(s.proxyStale[i] === 1).toBe(pending.has(p));
        expect(Number.isNaN(s.proxyPending[i]) ? undefined : s.proxyPending[i]).toBe(pending.get(p));
      });
    }
  });
});
