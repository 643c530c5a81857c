/**
 * Locality load balancing in runs (istio-semantics.md §2.6, §8.8, §2.5): the istio.io task's
 * helloworld-per-locality setup (scenarios/locality/), with localities drained from code — pod
 * kills and always-failing workloads — so the load-balancing logic is tested independently of the
 * scenario timeline.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/config/index.ts';
import type { DeploymentResource, DestinationRuleResource, ResolvedScenario, Resource } from '../../sim/config/types.ts';
import type { TrafficPolicy } from '../../sim/config/istio-types.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { runScenario, type PodEvent } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import type { TraceEvent, UpstreamEvent } from '../../sim/trace/events.ts';
import { ROOT } from '../helpers/cli.ts';
import { behaviour } from '../helpers/build.ts';
import { checkInvariants } from '../helpers/invariants.ts';

const S = 1_000_000;
const files = nodeFiles({ cwd: ROOT });
const failoverScenario = loadScenario('scenarios/locality-failover.yaml', files);
/** The §8.8 failover setup, without the scenario's timeline (drains come from each test). */
const failoverBase: ResolvedScenario = { ...failoverScenario, timeline: [] };
const distributeBase = loadScenario('scenarios/locality-distribute.yaml', files);

const Z1 = 'helloworld-region1-zone1';
const Z2 = 'helloworld-region1-zone2';
const Z3 = 'helloworld-region2-zone3';
const Z4 = 'helloworld-region3-zone4';

function run(s: ResolvedScenario, podEvents: PodEvent[] = []) {
  const sink = new MemorySink();
  const r = runScenario(s, { sinks: [sink], podEvents });
  expect(r.budgetMessage).toBeNull();
  expect(checkInvariants(sink.events, r.summary, s)).toEqual([]);
  const events = sink.events as TraceEvent[];
  const ups = events.filter((e): e is UpstreamEvent => e.kind === 'upstream' && e.service === 'helloworld');
  return { r, events, ups };
}

function withPolicy(s: ResolvedScenario, edit: (tp: TrafficPolicy) => TrafficPolicy): ResolvedScenario {
  const resources = s.resources.map((r): Resource => {
    if (r.kind !== 'DestinationRule') return r;
    const dr = r as DestinationRuleResource;
    return { ...dr, spec: { ...dr.spec, trafficPolicy: edit(dr.spec.trafficPolicy ?? {}) } };
  });
  return { ...s, resources };
}

/** Workloads that answer `status` to every request (a drained locality, from t=0). */
function failing(s: ResolvedScenario, deployments: string[], status = 503): ResolvedScenario {
  return { ...s, workloads: s.workloads.map((w) => (deployments.includes(w.deployment) ? { ...w, errorPpm: 1_000_000, errorStatus: status } : w)) };
}

const legacy = (s: ResolvedScenario, on: boolean): ResolvedScenario => ({ ...s, profile: { ...s.profile, legacyFirstEjectionAlwaysAllowed: on } });

/** Destinations of attempts started in [fromUs, toUs). */
const destinations = (ups: UpstreamEvent[], fromUs: number, toUs: number): string[] => [...new Set(ups.filter((u) => u.startUs >= fromUs && u.startUs < toUs).map((u) => u.destination ?? '-'))].sort();

/**
 * Share bound that holds for any seed: |observed − p| ≤ 4.5 σ (two-sided miss chance ≈ 7·10⁻⁶
 * per check under the normal approximation to the binomial).
 */
function expectShare(count: number, n: number, p: number): void {
  const sigma = Math.sqrt((p * (1 - p)) / n);
  expect(Math.abs(count / n - p)).toBeLessThanOrEqual(4.5 * sigma);
}

describe('§8.8 locality failover order (pods leave the endpoints one locality at a time)', () => {
  it('§8.8: region1/zone1, then region1/zone2, then region2/zone3 (failover region1→region2), then region3/zone4', () => {
    const kills: PodEvent[] = [Z1, Z2, Z3].map((d, i) => ({ atUs: (2 + 2 * i) * S, pod: `${d}-0`, action: 'kill' }));
    const { ups } = run(failoverBase, kills);
    const ok = ups.filter((u) => u.code === 200);
    // Small margin after each kill for the requests it caught in flight.
    expect(destinations(ok, 0, 2 * S)).toEqual([Z1]);
    expect(destinations(ok, 2.1 * S, 4 * S)).toEqual([Z2]);
    expect(destinations(ok, 4.1 * S, 6 * S)).toEqual([Z3]);
    expect(destinations(ok, 6.1 * S, 8 * S)).toEqual([Z4]);
    expect(ok.length).toBeGreaterThan(150);
  });

  it('§2.6: without the failover rule region2 and region3 share the last priority: both answer once region1 is gone', () => {
    const s = withPolicy(failoverBase, (tp) => ({ ...tp, loadBalancer: { simple: 'ROUND_ROBIN', localityLbSetting: { enabled: true } } }));
    const kills: PodEvent[] = [Z1, Z2].map((d, i) => ({ atUs: (1 + i) * S, pod: `${d}-0`, action: 'kill' }));
    const { ups } = run(s, kills);
    expect(destinations(ups, 0, S)).toEqual([Z1]);
    expect(destinations(ups, 1.1 * S, 2 * S)).toEqual([Z2]);
    expect(destinations(ups, 2.1 * S, 8 * S)).toEqual([Z3, Z4]);
  });

  it('§2.6: without outlierDetection there are no priorities: sleep\'s calls spread over all four localities', () => {
    const s = withPolicy(failoverBase, ({ outlierDetection: _od, ...tp }) => tp);
    const { ups } = run(s);
    const n = ups.length;
    expect(n).toBeGreaterThan(150);
    for (const d of [Z1, Z2, Z3, Z4]) expectShare(ups.filter((u) => u.destination === d).length, n, 0.25);
  });

  it('§2.6: DestinationRule enabled: false turns locality off even with outlierDetection', () => {
    const s = withPolicy(failoverBase, (tp) => ({ ...tp, loadBalancer: { simple: 'ROUND_ROBIN', localityLbSetting: { enabled: false } } }));
    const { ups } = run(s);
    expect(destinations(ups, 0, 8 * S)).toEqual([Z1, Z2, Z3, Z4]);
  });

  it('§2.6 failoverPriority: endpoints sharing the client\'s label are preferred regardless of locality', () => {
    // sleep (region1/zone1) has no `version` label; pin it: endpoints with version=region3.zone4 first.
    const s = withPolicy(failoverBase, (tp) => ({ ...tp, loadBalancer: { simple: 'ROUND_ROBIN', localityLbSetting: { failoverPriority: ['version=region3.zone4'] } } }));
    const { ups } = run(s, [{ atUs: 4 * S, pod: `${Z4}-0`, action: 'kill' }]);
    expect(destinations(ups, 0, 4 * S)).toEqual([Z4]);
    // The rest share one priority (no locality ranking without `failover`), so all three answer.
    expect(destinations(ups, 4.1 * S, 8 * S)).toEqual([Z1, Z2, Z3]);
  });
});

describe('§8.8 scenarios/locality-failover.yaml: timeline `fail` drains a locality, `kill` takes its pod out of the endpoints', () => {
  const drains = [
    { atUs: 2 * S, drained: Z1, next: Z2 },
    { atUs: 4 * S, drained: Z2, next: Z3 },
    { atUs: 6 * S, drained: Z3, next: Z4 },
  ];

  it('§8.8 (legacy first-ejection rule, as in the task): the first call after each drain fails, every later one is answered by the next locality', () => {
    expect(failoverScenario.profile.legacyFirstEjectionAlwaysAllowed).toBe(true);
    const { ups } = run(failoverScenario);
    expect(destinations(ups, 0, 2 * S)).toEqual([Z1]);
    const failed = ups.filter((u) => u.code !== 200);
    expect(failed.map((u) => u.destination)).toEqual(drains.map((d) => d.drained));
    drains.forEach((d, k) => {
      // The failed call is the first one started after the drain…
      const first = ups.find((u) => u.startUs >= d.atUs)!;
      expect(first).toBe(failed[k]);
      // …and every call after it, until the next drain, reaches the next locality.
      const untilUs = k + 1 < drains.length ? drains[k + 1].atUs : 8 * S;
      expect(destinations(ups, first.startUs + 1, untilUs)).toEqual([d.next]);
    });
  });

  it('§2.5 strict rule (current Envoy, maxEjectionPercent 10 % of 4): nothing is ejected, each drained locality fails every call until its pod leaves the endpoints, the order is the same', () => {
    const { events, ups } = run(legacy(failoverScenario, false));
    expect(events.filter((e) => e.kind === 'outlier.eject')).toEqual([]);
    drains.forEach((d, k) => {
      // Drained at d.atUs, out of the endpoints one second later.
      const during = ups.filter((u) => u.startUs >= d.atUs && u.startUs < d.atUs + S);
      expect(during.length).toBeGreaterThan(15);
      expect(during.every((u) => u.destination === d.drained && u.code === 503)).toBe(true);
      const untilUs = k + 1 < drains.length ? drains[k + 1].atUs : 8 * S;
      expect(destinations(ups, d.atUs + 1.1 * S, untilUs)).toEqual([d.next]);
    });
  });
});

describe('§8.8 / §2.5 a drained locality and the maxEjectionPercent rule', () => {
  it('§8.8 legacy "first ejection always allowed": only the first call fails, every later one is answered by region1/zone2', () => {
    const { r, events, ups } = run(legacy(failing(failoverBase, [Z1]), true));
    const bad = ups.filter((u) => u.code !== 200);
    expect(bad).toHaveLength(1);
    expect(bad[0]).toMatchObject({ destination: Z1, code: 503, attempt: 1 });
    expect(ups[0].req).toBe(bad[0].req);
    expect(destinations(ups.slice(1), 0, 8 * S)).toEqual([Z2]);
    expect(events.filter((e) => e.kind === 'outlier.eject').map((e) => (e as { host: string }).host)).toEqual([`${Z1}-0`]);
    expect(r.summary.clients[0].codes['503']).toBe(1);
  });

  it('§2.5 strict rule (current Envoy): 1 of 4 hosts is 25 % > 10 %, nothing is ejected and every call keeps failing on region1/zone1', () => {
    const { events, ups } = run(legacy(failing(failoverBase, [Z1]), false));
    expect(events.filter((e) => e.kind === 'outlier.eject')).toEqual([]);
    expect(events.filter((e) => e.kind === 'outlier.suppressed').length).toBe(ups.length);
    expect(destinations(ups, 0, 8 * S)).toEqual([Z1]);
    expect(ups.every((u) => u.code === 503)).toBe(true);
  });

  it('§2.5: an ejected host holds the only legacy slot until its pod leaves the endpoints; then the next drained locality is ejected', () => {
    // zone1 and zone2 both always fail; zone1's pod leaves the endpoints at 2s.
    const s = legacy(failing(failoverBase, [Z1, Z2]), true);
    const { events, ups } = run(s, [{ atUs: 2 * S, pod: `${Z1}-0`, action: 'kill' }]);
    const ejections = events.filter((e) => e.kind === 'outlier.eject') as { host: string; timeUs: number }[];
    expect(ejections.map((e) => e.host)).toEqual([`${Z1}-0`, `${Z2}-0`]);
    // Legacy rule: 100 × 1/4 ejected ≥ 10 % ⇒ zone2 cannot be ejected while zone1 is and still counts…
    expect(ejections[1].timeUs).toBeGreaterThan(2 * S);
    const beforeKill = ups.filter((u) => u.startUs < 2 * S).slice(1);
    expect(beforeKill.length).toBeGreaterThan(30);
    expect(beforeKill.every((u) => u.destination === Z2 && u.code === 503)).toBe(true);
    // …and once zone1 left (Envoy drops its monitor), zone2's next 5xx ejects it: region2/zone3 answers.
    const after = ups.filter((u) => u.startUs > ejections[1].timeUs);
    expect(destinations(after, 0, 8 * S)).toEqual([Z3]);
    expect(after.every((u) => u.code === 200)).toBe(true);
  });
});

describe('§2.6 priority spill with overprovisioning factor 1.4 in a run', () => {
  it('§2.6: P0 with 2 of 4 hosts ejected is 50 % healthy ⇒ 70 % stays in P0 and 30 % spills to P1', () => {
    // region1/zone1 gets four pods: two good, two that always fail (maxEjectionPercent 100 lets both go).
    const z1 = failoverBase.resources.find((r): r is DeploymentResource => r.kind === 'Deployment' && r.meta.name === Z1)!;
    const badName = `${Z1}-bad`;
    const bad: DeploymentResource = { ...z1, meta: { ...z1.meta, name: badName, order: z1.meta.order + 0.5 }, replicas: 2 };
    let s: ResolvedScenario = {
      ...failoverBase,
      durationUs: 20 * S,
      traffic: failoverBase.traffic.map((t) => ({ ...t, stopUs: 20 * S })),
      resources: [...failoverBase.resources.map((r) => (r === z1 ? { ...z1, replicas: 2 } : r)), bad],
      workloads: [...failoverBase.workloads, behaviour(badName, { errorPpm: 1_000_000, errorStatus: 503 }, 'sample')],
    };
    s = withPolicy(s, (tp) => ({ ...tp, outlierDetection: { ...tp.outlierDetection, maxEjectionPercent: 100 } }));
    const { events, ups } = run(s);
    expect(events.filter((e) => e.kind === 'outlier.eject')).toHaveLength(2);
    const after = ups.filter((u) => u.startUs > 1 * S);
    const n = after.length;
    expect(n).toBeGreaterThan(300);
    expect(after.filter((u) => u.destination === badName)).toEqual([]);
    expectShare(after.filter((u) => u.destination === Z1).length, n, 0.7);
    expectShare(after.filter((u) => u.destination === Z2).length, n, 0.3);
  });
});

describe('§8.8 distribute 70/20/0/10 from region1/zone1', () => {
  for (const seed of [distributeBase.seed, distributeBase.seed + 1]) {
    it(`§8.8: shares within 4.5 σ of 70/20/0/10, region2/zone3 never (seed ${seed})`, () => {
      const s: ResolvedScenario = { ...distributeBase, seed, durationUs: 20 * S, traffic: distributeBase.traffic.map((t) => ({ ...t, stopUs: 20 * S })) };
      const { ups } = run(s);
      const n = ups.length;
      expect(n).toBeGreaterThan(1500);
      const count = (d: string): number => ups.filter((u) => u.destination === d).length;
      expectShare(count(Z1), n, 0.7);
      expectShare(count(Z2), n, 0.2);
      expect(count(Z3)).toBe(0);
      expectShare(count(Z4), n, 0.1);
    });
  }
});
