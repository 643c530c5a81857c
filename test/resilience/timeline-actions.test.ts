/**
 * Each runtime timeline action, written in scenario YAML, does what scenarios/README.md
 * ("Timeline") says (istio-semantics.md §6.1, §6.3). Statistical checks use bounds that hold for
 * any seed (binomialBound / Poisson z = 4.5).
 */
import { describe, expect, it } from 'vitest';
import type { AppEndEvent, ClientEndEvent, ProxyStatusEvent, TraceEvent, UpstreamEvent } from '../../sim/trace/events.ts';
import { binomialBound, load, MS, podStates, run, S } from './timeline-fixture.ts';

const ups = (events: readonly TraceEvent[]): UpstreamEvent[] => events.filter((e): e is UpstreamEvent => e.kind === 'upstream');
const appEnds = (events: readonly TraceEvent[]): AppEndEvent[] => events.filter((e): e is AppEndEvent => e.kind === 'app.end');

/** Ready pods over time from pod.state events (pods present at t=0 start ready). */
function readyTimeline(events: readonly TraceEvent[], initial: string[]): { timeUs: number; ready: number; existing: number }[] {
  const state = new Map(initial.map((p) => [p, 'ready']));
  const out: { timeUs: number; ready: number; existing: number }[] = [];
  for (const e of events) {
    if (e.kind !== 'pod.state') continue;
    state.set(e.pod, e.state);
    const states = [...state.values()];
    out.push({ timeUs: e.timeUs, ready: states.filter((s) => s === 'ready').length, existing: states.filter((s) => s !== 'terminating' && s !== 'gone').length });
  }
  // Several steps at one instant count once: keep the last row of each time.
  return out.filter((row, i) => i === out.length - 1 || out[i + 1].timeUs !== row.timeUs);
}

describe('timeline kill (§6.1, §6.3)', () => {
  const s = load(`  duration: 6s
  mesh: {propagation: default}
  workloads:
    web: {serviceTime: 400ms}
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 200/s}
  timeline:
    - {at: 2s, kill: {pod: web-0}}`);

  it('§6.1: requests web-0 was serving are reset (UC, not retried); stale endpoints give UF, retried on another pod; each sidecar drops web-0 only when its push lands', () => {
    const { r, events } = run(s);
    const all = ups(events);
    const uc = all.filter((u) => u.flags === 'UC');
    expect(uc.length).toBeGreaterThan(0);
    for (const u of uc) {
      expect(u.timeUs).toBe(2 * S);
      expect(u.destPod).toBe('web-0');
    }
    const uf = all.filter((u) => u.flags === 'UF');
    expect(uf.length).toBeGreaterThan(0);
    for (const u of uf) {
      expect(u.destPod).toBe('web-0');
      // Retried (previous_hosts steers retries away from it): the stream's last attempt succeeds elsewhere.
      const attempts = all.filter((x) => x.stream === u.stream);
      const last = attempts.reduce((a, b) => (b.attempt > a.attempt ? b : a));
      expect(last.attempt).toBeGreaterThan(u.attempt);
      expect([last.destPod === 'web-0', last.code]).toEqual([false, 200]);
    }
    // Two client sidecars apply the post-kill push at their own moments; neither picks web-0 after it.
    const synced = events.filter((e): e is ProxyStatusEvent => e.kind === 'proxy.status' && e.status === 'SYNCED' && e.timeUs > 2 * S && e.proxy.startsWith('client'));
    const firstSync = new Map<string, number>();
    for (const e of synced) if (!firstSync.has(e.proxy)) firstSync.set(e.proxy, e.timeUs);
    expect(firstSync.size).toBe(2);
    expect(new Set(firstSync.values()).size).toBe(2);
    for (const u of all.filter((x) => x.destPod === 'web-0' && x.startUs > 2 * S)) expect(u.startUs).toBeLessThan(firstSync.get(u.sourcePod!)!);
    // The summary shows the dip: exactly the reset requests failed at the client.
    expect(r.summary.clients[0].codes['503']).toBe(uc.length);
  });

  it('§6.3: the ReplicaSet replaces the pod: web-3 pending → starting at the kill, ready after the 2 s readiness delay, then serves', () => {
    const { events } = run(s);
    expect(podStates(events)).toEqual(['2s web-0 terminating', '2s web-3 pending', '2s web-3 starting', '2s web-0 gone', '4s web-3 ready']);
    const toNew = ups(events).filter((u) => u.destPod === 'web-3');
    expect(toNew.length).toBeGreaterThan(0);
    for (const u of toNew) expect(u.startUs).toBeGreaterThan(4 * S);
    const tl = events.filter((e) => e.kind === 'timeline');
    expect(tl).toEqual([{ kind: 'timeline', timeUs: 2 * S, action: 'kill', label: 'kill web-0 (replaced by web-3)' }]);
  });

  it('§6.3: kill {workload, count: 2, replace: false} takes the two lowest-numbered pods for good', () => {
    const k = load(`  duration: 3s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 50/s}
  timeline:
    - {at: 1s, kill: {workload: web, count: 2, replace: false}}`);
    const { events } = run(k);
    expect(podStates(events)).toEqual(['1s web-0 terminating', '1s web-1 terminating', '1s web-0 gone', '1s web-1 gone']);
    const late = ups(events).filter((u) => u.startUs > 1 * S);
    expect(late.length).toBeGreaterThan(0);
    for (const u of late) expect(u.destPod).toBe('web-2');
  });
});

describe('timeline crash (§6.3 CrashLoopBackOff)', () => {
  it('§6.3: each crash of the same pod doubles the back-off (10 s, 20 s, 40 s); the pod takes no traffic until ready again', () => {
    const s = load(`  duration: 80s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 3/s}
  timeline:
    - {at: 1s, crash: {pod: web-1}}
    - {at: 14s, crash: {pod: web-1}}
    - {at: 37s, crash: {pod: web-1, readinessDelay: 1s}}`);
    const { events } = run(s);
    expect(podStates(events)).toEqual([
      '1s web-1 crashed',
      '11s web-1 starting',
      '13s web-1 ready',
      '14s web-1 crashed',
      '34s web-1 starting',
      '36s web-1 ready',
      '37s web-1 crashed',
      '77s web-1 starting',
      '78s web-1 ready',
    ]);
    const restarts = events.filter((e) => e.kind === 'pod.state' && e.state === 'crashed').map((e) => (e.kind === 'pod.state' ? e.restarts : 0));
    expect(restarts).toEqual([1, 2, 3]);
    const down: [number, number][] = [[1, 13], [14, 36], [37, 78]];
    for (const u of ups(events).filter((x) => x.destPod === 'web-1')) {
      for (const [a, b] of down) expect(u.startUs > a * S && u.startUs < b * S, `request at ${u.startUs}us`).toBe(false);
    }
  });
});

describe('timeline scale (§6.3)', () => {
  it('§6.3: scale up creates web-3, web-4 that serve once ready; scale down terminates the highest-numbered pods, which stop getting requests', () => {
    const s = load(`  duration: 8s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 100/s}
  timeline:
    - {at: 1s, scale: {workload: web, replicas: 5}}
    - {at: 5s, scale: {workload: web, replicas: 2}}`);
    expect(s.podSlots).toEqual({ 'default/web': 5 });
    const { events } = run(s);
    expect(podStates(events)).toEqual([
      '1s web-3 pending',
      '1s web-3 starting',
      '1s web-4 pending',
      '1s web-4 starting',
      '3s web-3 ready',
      '3s web-4 ready',
      '5s web-4 terminating',
      '5s web-3 terminating',
      '5s web-2 terminating',
      '10s web-4 gone',
      '10s web-3 gone',
      '10s web-2 gone',
    ]);
    const byPod = (from: number, to: number) => new Set(ups(events).filter((u) => u.startUs >= from * S && u.startUs < to * S).map((u) => u.destPod));
    expect([...byPod(0, 3)].sort()).toEqual(['web-0', 'web-1', 'web-2']);
    expect([...byPod(3, 5)].sort()).toEqual(['web-0', 'web-1', 'web-2', 'web-3', 'web-4']);
    expect([...byPod(5, 8)].sort()).toEqual(['web-0', 'web-1']);
    // Graceful scale-down: nothing was reset, nothing failed.
    expect(ups(events).filter((u) => u.code !== 200)).toEqual([]);
  });

  it('§6.3: scaling the client Deployment moves its requests to the pods that exist', () => {
    const s = load(`  duration: 4s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 50/s}
  timeline:
    - {at: 2s, scale: {workload: client, replicas: 1}}`);
    const { events } = run(s);
    const late = events.filter((e) => e.kind === 'client.start' && e.timeUs > 2 * S);
    expect(late.length).toBeGreaterThan(0);
    for (const e of late) expect(e.kind === 'client.start' && e.pod).toBe('client-0');
  });
});

describe('timeline restart: rolling update (§6.3, Deployment RollingUpdate)', () => {
  const rollout = (extra: string) => {
    const s = load(`  duration: 20s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 50/s}
  timeline:
    - {at: 1s, restart: {workload: web${extra}}}`);
    return { s, ...run(s) };
  };

  it('§6.3: defaults (maxSurge 25 % → 1, maxUnavailable 25 % → 0 of 3): never fewer than 3 ready, never more than 4 running; old pods replaced by web-3..5', () => {
    const { s, events, r } = rollout('');
    const a = s.timeline[0];
    expect(a.kind === 'restart' && [a.maxSurge, a.maxUnavailable, a.pods, a.create]).toEqual([1, 0, ['web-0', 'web-1', 'web-2'], ['web-3', 'web-4', 'web-5']]);
    const rows = readyTimeline(events, ['web-0', 'web-1', 'web-2', 'client-0', 'client-1']);
    for (const row of rows) {
      expect(row.ready - 2, `ready web pods at ${row.timeUs}us`).toBeGreaterThanOrEqual(3);
      expect(row.existing - 2, `running web pods at ${row.timeUs}us`).toBeLessThanOrEqual(4);
    }
    const states = podStates(events);
    for (const old of ['web-0', 'web-1', 'web-2']) expect(states.some((l) => l.endsWith(`${old} gone`))).toBe(true);
    for (const n of ['web-3', 'web-4', 'web-5']) expect(states.some((l) => l.endsWith(`${n} ready`))).toBe(true);
    // Three new pods come up one after another, each after the 2 s readiness delay.
    expect(states.filter((l) => l.endsWith('ready')).map((l) => l.split(' ')[0])).toEqual(['3s', '5s', '7s']);
    expect(r.summary.clients[0].codes).toEqual({ '200': r.summary.clients[0].requests });
  });

  it('§6.3: maxSurge 0, maxUnavailable 1: one old pod goes first, ready pods never below 2, never more than 3 running', () => {
    const { events } = rollout(', maxSurge: 0, maxUnavailable: 1');
    const states = podStates(events);
    expect(states[0]).toBe('1s web-0 terminating');
    for (const row of readyTimeline(events, ['web-0', 'web-1', 'web-2', 'client-0', 'client-1'])) {
      expect(row.ready - 2).toBeGreaterThanOrEqual(2);
      expect(row.existing - 2).toBeLessThanOrEqual(3);
    }
  });
});

describe('timeline slow and fail windows', () => {
  it('slow: requests web-0 starts in [2s, 3s) take 100 ms more; before and after they do not', () => {
    const s = load(`  duration: 5s
  workloads:
    web: {serviceTime: 5ms}
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 60/s}
  timeline:
    - {at: 2s, slow: {pod: web-0, extra: 100ms, for: 1s}}`);
    const { events } = run(s);
    const ends = appEnds(events);
    const inWindow = ends.filter((e) => e.pod === 'web-0' && e.startUs >= 2 * S && e.startUs < 3 * S);
    expect(inWindow.length).toBeGreaterThan(0);
    for (const e of inWindow) expect(e.timeUs - e.startUs).toBe(105 * MS);
    for (const e of ends.filter((x) => !(x.pod === 'web-0' && x.startUs >= 2 * S && x.startUs < 3 * S))) expect(e.timeUs - e.startUs).toBe(5 * MS);
    expect(events.filter((e) => e.kind === 'timeline').map((e) => e.kind === 'timeline' && `${e.timeUs / S}s ${e.action}`)).toEqual(['2s slow', '3s end']);
  });

  it('fail: web-0 answers 503 to every request it starts in the window (status and ratio defaults)', () => {
    const s = load(`  duration: 4s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 60/s}
  timeline:
    - {at: 1s, fail: {pod: web-0, for: 2s}}`);
    const { events } = run(s);
    for (const e of appEnds(events)) {
      const inWindow = e.pod === 'web-0' && e.startUs >= 1 * S && e.startUs < 3 * S;
      expect(e.status).toBe(inWindow ? 503 : 200);
    }
    expect(appEnds(events).filter((e) => e.status === 503).length).toBeGreaterThan(0);
  });

  it('fail: ratio 30% of a workload fails about 30 % of what it serves in the window (binomial bound), status as given', () => {
    const s = load(`  duration: 12s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 200/s}
  timeline:
    - {at: 1s, fail: {workload: web, ratio: 30%, status: 500, for: 10s}}`);
    const { events } = run(s);
    const inWindow = appEnds(events).filter((e) => e.startUs >= 1 * S && e.startUs < 11 * S);
    const failed = inWindow.filter((e) => e.status === 500).length;
    expect(Math.abs(failed / inWindow.length - 0.3)).toBeLessThanOrEqual(binomialBound(inWindow.length, 0.3));
    expect(appEnds(events).filter((e) => e.status !== 200 && (e.startUs < 1 * S || e.startUs >= 11 * S))).toEqual([]);
  });
});

describe('timeline partition', () => {
  it('connections client → web fail with UF during the window and are retried (default policy: 2 retries), then traffic flows again', () => {
    const s = load(`  duration: 5s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 50/s}
  timeline:
    - {at: 2s, partition: {from: client, to: web, for: 1s}}`);
    const { events } = run(s);
    const all = ups(events);
    const uf = all.filter((u) => u.flags.includes('UF'));
    expect(uf.length).toBeGreaterThan(0);
    for (const u of uf) expect(u.timeUs >= 2 * S && u.timeUs <= 3 * S + 50 * MS, `UF at ${u.timeUs}`).toBe(true);
    // Every client request sent inside the window failed after three attempts: 503 UF,URX.
    const ends = events.filter((e): e is ClientEndEvent => e.kind === 'client.end');
    const starts = new Map(events.filter((e) => e.kind === 'client.start').map((e) => [e.kind === 'client.start' ? e.req : 0, e.timeUs]));
    const inside = ends.filter((e) => starts.get(e.req)! >= 2 * S + 10 * MS && starts.get(e.req)! < 3 * S - 100 * MS);
    expect(inside.length).toBeGreaterThan(0);
    for (const e of inside) expect([e.code, e.flags]).toEqual([503, 'UF,URX']);
    expect(ends.filter((e) => starts.get(e.req)! >= 3 * S + 50 * MS && e.code !== 200)).toEqual([]);
    expect(Math.max(...all.filter((u) => u.stream === uf[0].stream).map((u) => u.attempt))).toBe(3);
  });
});

describe('timeline traffic: rate steps and ramps', () => {
  const count = (events: readonly TraceEvent[], from: number, to: number): number => events.filter((e) => e.kind === 'client.start' && e.timeUs >= from && e.timeUs < to).length;
  /** Poisson: |n − mean| ≤ 4.5 √mean for any seed (≈ 7e-6 per check). */
  const within = (n: number, mean: number) => expect(Math.abs(n - mean), `observed ${n}, mean ${mean}`).toBeLessThanOrEqual(4.5 * Math.sqrt(mean));

  it('a step from 20/s to 200/s changes the observed rate at once', () => {
    const s = load(`  duration: 4s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 20/s}
  timeline:
    - {at: 2s, traffic: {client: load, rate: 200/s}}`);
    const { events } = run(s);
    within(count(events, 0, 2 * S), 40);
    within(count(events, 2 * S, 4 * S), 400);
  });

  it('a ramp from 20/s to 220/s over 2 s gives the area under the line, then stays at 220/s', () => {
    const s = load(`  duration: 6s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 20/s}
  timeline:
    - {at: 2s, traffic: {client: load, rate: 220/s, over: 2s}}`);
    const { events } = run(s);
    within(count(events, 2 * S, 3 * S), 70); // ∫ over the first half: (20 + 120) / 2
    within(count(events, 3 * S, 4 * S), 170);
    within(count(events, 4 * S, 6 * S), 440);
  });
});
