/**
 * Locality load balancing (istio-semantics.md §2.6, §8.8) without running traffic: the priority
 * table istiod builds for a client, distribute weights, Envoy's priority spill with the 1.4
 * overprovisioning factor, reading pod localities from manifests, and DestinationRule validation.
 */
import { describe, expect, it } from 'vitest';
import { parseManifestText } from '../../sim/config/manifests.ts';
import type { DeploymentResource } from '../../sim/config/types.ts';
import type { LocalityLbSetting } from '../../sim/config/istio-types.ts';
import { Registry } from '../../sim/control-plane/registry.ts';
import {
  failoverRank,
  lbPriority,
  localityMatches,
  planLocality,
  planPriorities,
  planWeights,
  priorityLoads,
  type Locality,
  type LocalityView,
} from '../../sim/data-plane/locality.ts';

const loc = (s: string): Locality => {
  const [region = '', zone = '', subzone = ''] = s.split('/');
  return { region, zone, subzone };
};
const pod = (s: string, labels: Record<string, string> = {}): LocalityView => ({ locality: s === '' ? null : loc(s), labels });

/** The four localities of the istio.io task, in this endpoint order. */
const TASK = ['region1/zone1', 'region1/zone2', 'region2/zone3', 'region3/zone4'].map((s) => pod(s));
const SLEEP = pod('region1/zone1');
const FAILOVER: LocalityLbSetting = { enabled: true, failover: [{ from: 'region1', to: 'region2' }] };

describe('§2.6 / §8.8 failover priorities (istiod, per client)', () => {
  it('§8.8: from sleep in region1/zone1 with failover region1→region2: P0 zone1, P2 zone2, P3 region2, P4 region3 (dense: 0,1,2,3)', () => {
    expect(TASK.map((e) => failoverRank(SLEEP.locality!, e.locality!, FAILOVER.failover))).toEqual([0, 2, 3, 4]);
    const plan = planPriorities(SLEEP, TASK, FAILOVER)!;
    expect([...plan.priorityOf]).toEqual([0, 1, 2, 3]);
    expect(plan.count).toBe(4);
  });

  it('§2.6: without a failover rule every other region is P3: region2 and region3 share the last priority', () => {
    const plan = planPriorities(SLEEP, TASK, { enabled: true })!;
    expect([...plan.priorityOf]).toEqual([0, 1, 2, 2]);
  });

  it('§2.6: a failover rule for another region leaves this client at P3 for all other regions', () => {
    const plan = planPriorities(SLEEP, TASK, { failover: [{ from: 'region2', to: 'region3' }] })!;
    expect([...plan.priorityOf]).toEqual([0, 1, 2, 2]);
  });

  it('§2.6: P1 is same zone, other subzone', () => {
    expect(lbPriority(loc('r/z/a'), loc('r/z/a'))).toBe(0);
    expect(lbPriority(loc('r/z/a'), loc('r/z/b'))).toBe(1);
    expect(lbPriority(loc('r/z/a'), loc('r/y/a'))).toBe(2);
  });

  it('§2.6 hierarchical matching: the same zone (and subzone) name in another region is not local', () => {
    expect(lbPriority(loc('region1/zone-a/rack1'), loc('region2/zone-a/rack1'))).toBe(3);
    const plan = planPriorities(pod('region1/zone-a'), [pod('region2/zone-a'), pod('region1/zone-b')], { enabled: true })!;
    // region1/zone-b (same region) is preferred over region2/zone-a (same zone name only).
    expect([...plan.priorityOf]).toEqual([1, 0]);
  });

  it('§2.6: when no pod has a locality, every endpoint is P0 and there is no plan (plain LB)', () => {
    expect(planPriorities(pod(''), [pod(''), pod(''), pod('')], FAILOVER)).toBeNull();
  });

  it('§2.6: priorities only with outlierDetection; enabled=false or a non-matching distribute gives no plan', () => {
    expect(planLocality(SLEEP, TASK, FAILOVER, false)).toBeNull();
    expect(planLocality(SLEEP, TASK, FAILOVER, true)).not.toBeNull();
    expect(planLocality(SLEEP, TASK, null, true)).toBeNull();
    expect(planLocality(SLEEP, TASK, { distribute: [{ from: 'region9/*', to: { 'region1/*': 100 } }] }, true)).toBeNull();
  });

  it('§2.6 failoverPriority: all N labels match = P0, the first N−1 = P1, …, none = PN', () => {
    const client = pod('', { network: 'n1', cluster: 'c1' });
    const eps = [pod('', { network: 'n1', cluster: 'c1' }), pod('', { network: 'n1', cluster: 'c2' }), pod('', { network: 'n2', cluster: 'c1' })];
    const plan = planPriorities(client, eps, { failoverPriority: ['network', 'cluster'] })!;
    expect([...plan.priorityOf]).toEqual([0, 1, 2]);
  });

  it('§2.6 failoverPriority for a client without labels: istiod skips it (and, without failover, assigns no priorities)', () => {
    expect(planPriorities(pod(''), [pod('', { network: 'n1' }), pod('', { network: 'n2' })], { failoverPriority: ['network'] })).toBeNull();
  });

  it('§2.6 failoverPriority "label=value" pins the value instead of the client\'s', () => {
    const client = pod('', { network: 'n1' });
    const plan = planPriorities(client, [pod('', { network: 'n1' }), pod('', { network: 'n2' })], { failoverPriority: ['network=n2'] })!;
    expect([...plan.priorityOf]).toEqual([1, 0]);
  });

  it('§2.6 failoverPriority may name the topology labels: they come from the pod localities', () => {
    const plan = planPriorities(SLEEP, TASK, { failoverPriority: ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone'] })!;
    // zone1 both match; zone2 region only; region2 and region3 neither (no failover rule to tell them apart).
    expect([...plan.priorityOf]).toEqual([0, 1, 2, 2]);
  });

  it('§2.6 failoverPriority with failover: label rank first, locality rank inside it', () => {
    const client = pod('region1/zone1', { tier: 'gold' });
    const eps = [pod('region3/zone4', { tier: 'gold' }), pod('region2/zone3', { tier: 'gold' }), pod('region1/zone1', { tier: 'silver' })];
    const plan = planPriorities(client, eps, { failoverPriority: ['tier'], failover: [{ from: 'region1', to: 'region2' }] })!;
    // gold/region2 (0·5+3) < gold/region3 (0·5+4) < silver/region1/zone1 (1·5+0).
    expect([...plan.priorityOf]).toEqual([1, 0, 2]);
  });
});

describe('§2.6 / §8.8 distribute', () => {
  it('§2.6: locality rules match per segment with * wildcards; missing segments match anything', () => {
    const l = loc('region1/zone1/rack7');
    expect(['region1/zone1/*', 'region1/*', 'region1', '*', 'region1/zone1/rack7'].map((r) => localityMatches(l, r))).toEqual([true, true, true, true, true]);
    expect(['region2/*', 'region1/zone2/*', 'region1/zone1/rack8', 'zone1'].map((r) => localityMatches(l, r))).toEqual([false, false, false, false]);
  });

  it('§8.8: from region1/zone1 the weights are 70/20/–/10 and region2/zone3 gets no endpoints', () => {
    const plan = planWeights(SLEEP, TASK, [{ from: 'region1/zone1/*', to: { 'region1/zone1/*': 70, 'region1/zone2/*': 20, 'region3/zone4/*': 10 } }])!;
    expect(plan.names).toEqual(['region1/zone1', 'region1/zone2', 'region2/zone3', 'region3/zone4']);
    expect([...plan.groupOf]).toEqual([0, 1, -1, 3]);
    expect([plan.weights[0], plan.weights[1], plan.weights[3]]).toEqual([70, 20, 10]);
  });

  it('§2.6: a wildcard `to` matching several localities splits its weight by their endpoint counts (rounded up)', () => {
    const eps = [pod('r1/a'), pod('r1/a'), pod('r1/b'), pod('r2/c')];
    const plan = planWeights(pod('r1/a'), eps, [{ from: 'r1/*', to: { 'r1/*': 75, 'r2/*': 25 } }])!;
    // r1/a has 2 of the 3 r1 endpoints: ceil(2·75/3)=50, r1/b ceil(1·75/3)=25.
    expect(plan.weights).toEqual([50, 25, 25]);
  });
});

describe('§2.6 Envoy priority load with overprovisioning factor 1.4', () => {
  const loads = (healthy: number[], total: number[], panicThreshold = 0) => {
    const l = new Int32Array(healthy.length);
    const p = new Uint8Array(healthy.length);
    priorityLoads(healthy, total, panicThreshold, l, p);
    return { loads: [...l], panic: [...p] };
  };

  it('a healthy P0 takes everything', () => {
    expect(loads([4, 4], [4, 4]).loads).toEqual([100, 0]);
  });

  it('80 % healthy is still 100 % (80 × 1.4 > 100); 50 % healthy takes 70 % and spills 30 %', () => {
    expect(loads([8, 10], [10, 10]).loads).toEqual([100, 0]);
    expect(loads([5, 10], [10, 10]).loads).toEqual([70, 30]);
    expect(loads([7, 10], [10, 10]).loads).toEqual([98, 2]);
  });

  it('§8.8: the only P0 host ejected ⇒ all load on the next priority that has healthy hosts', () => {
    expect(loads([0, 1, 1, 1], [1, 1, 1, 1]).loads).toEqual([0, 100, 0, 0]);
    expect(loads([0, 0, 0, 1], [1, 1, 1, 1]).loads).toEqual([0, 0, 0, 100]);
    // A priority whose pods left the endpoints counts as 0 % healthy too.
    expect(loads([0, 1], [0, 1]).loads).toEqual([0, 100]);
  });

  it('total health under 100 is normalised: 2 of 10 healthy in both priorities ⇒ 50/50', () => {
    expect(loads([2, 2], [10, 10]).loads).toEqual([50, 50]);
  });

  it('nothing healthy and panic disabled (minHealthPercent 0) ⇒ 100 % nominally on P0, which has no host (UH)', () => {
    expect(loads([0, 0], [3, 3])).toEqual({ loads: [100, 0], panic: [0, 0] });
  });

  it('panic threshold (minHealthPercent): every priority below it ⇒ load by host count over all hosts', () => {
    expect(loads([1, 1], [10, 30], 50)).toEqual({ loads: [25, 75], panic: [1, 1] });
    // Total availability under 100 and only P0 below the threshold: loads stay (28+70 of 98 scaled,
    // rounding left-over to P0), and P0 balances over all its hosts.
    expect(loads([2, 5], [10, 10], 50)).toEqual({ loads: [29, 71], panic: [1, 0] });
    // Enough health overall (28 + 100 ≥ 100): panic thresholds are disregarded.
    expect(loads([2, 9], [10, 10], 50)).toEqual({ loads: [28, 72], panic: [0, 0] });
  });
});

describe('§2.6 pod locality from manifests', () => {
  const deployment = (name: string, labels: string, spec = ''): string =>
    [
      'apiVersion: apps/v1',
      'kind: Deployment',
      `metadata: {name: ${name}}`,
      'spec:',
      '  selector: {matchLabels: {app: web}}',
      '  template:',
      `    metadata: {labels: {app: web${labels}}}`,
      '    spec:',
      spec,
      '      containers: [{name: web}]',
    ].join('\n');

  it('§2.6: istio-locality pod label "region.zone.subzone" (dots stand for /)', () => {
    const r = parseManifestText(deployment('a', ', istio-locality: us-east1.us-east1-b.rack3'), 'm.yaml');
    expect(r.diagnostics).toEqual([]);
    expect((r.resources[0] as DeploymentResource).locality).toEqual({ region: 'us-east1', zone: 'us-east1-b', subzone: 'rack3' });
  });

  it('§2.6: nodeSelector topology keys stand in for node labels; the istio-locality label wins over them', () => {
    const sel = '      nodeSelector: {topology.kubernetes.io/region: r1, topology.kubernetes.io/zone: z1, topology.istio.io/subzone: s1}';
    const a = parseManifestText(deployment('a', '', sel), 'm.yaml');
    expect((a.resources[0] as DeploymentResource).locality).toEqual({ region: 'r1', zone: 'z1', subzone: 's1' });
    const b = parseManifestText(deployment('b', ', istio-locality: r2.z2', sel), 'm.yaml');
    expect((b.resources[0] as DeploymentResource).locality).toEqual({ region: 'r2', zone: 'z2', subzone: '' });
  });

  it('§2.6: no label and no topology keys ⇒ no locality; a zone without region is a located warning', () => {
    const a = parseManifestText(deployment('a', '', '      nodeSelector: {disk: ssd}'), 'm.yaml');
    expect((a.resources[0] as DeploymentResource).locality).toBeUndefined();
    const b = parseManifestText(deployment('b', '', '      nodeSelector: {topology.kubernetes.io/zone: z1}'), 'm.yaml');
    expect(b.diagnostics).toHaveLength(1);
    expect(b.diagnostics[0]).toMatchObject({ level: 'warning', source: { file: 'm.yaml', line: 9 } });
    expect(b.diagnostics[0].message).toContain('without topology.kubernetes.io/region');
  });

  it('§2.6: the registry gives every replica its Deployment\'s locality', () => {
    const text = deployment('a', ', istio-locality: r1.z1').replace('spec:\n  selector', 'spec:\n  replicas: 2\n  selector');
    const reg = new Registry(parseManifestText(text, 'm.yaml').resources);
    expect(reg.pods.map((p) => p.locality)).toEqual([
      { region: 'r1', zone: 'z1', subzone: '' },
      { region: 'r1', zone: 'z1', subzone: '' },
    ]);
  });
});

describe('§2.6 DestinationRule validation (istio ValidateLocalityLbSetting), located diagnostics', () => {
  const dr = (localityLbSetting: string, outlier = '    outlierDetection: {consecutive5xxErrors: 1}') =>
    parseManifestText(
      [
        'apiVersion: networking.istio.io/v1',
        'kind: DestinationRule',
        'metadata: {name: hw}',
        'spec:',
        '  host: helloworld',
        '  trafficPolicy:',
        '    loadBalancer:',
        `      localityLbSetting: ${localityLbSetting}`,
        outlier,
      ].join('\n'),
      'dr.yaml',
    ).diagnostics;

  it('§2.6: distribute with failover is rejected at the localityLbSetting line', () => {
    const ds = dr('{distribute: [{from: "r1/*", to: {"r1/*": 100}}], failover: [{from: r1, to: r2}]}');
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'IST0106', level: 'error', resource: 'DestinationRule default/hw', source: { file: 'dr.yaml', line: 8 } });
    expect(ds[0].message).toContain('only one of distribute, failover or failoverPriority');
  });

  it('§2.6: distribute with failoverPriority is rejected too', () => {
    const ds = dr('{distribute: [{from: "r1/*", to: {"r1/*": 100}}], failoverPriority: [network]}');
    expect(ds.map((d) => d.level)).toEqual(['error']);
  });

  it('§2.6: failover with a topology label in failoverPriority is rejected; with other labels it is fine', () => {
    const bad = dr('{failover: [{from: r1, to: r2}], failoverPriority: [topology.kubernetes.io/zone]}');
    expect(bad.map((d) => d.level)).toEqual(['error']);
    expect(bad[0].path).toContain('failoverPriority');
    expect(dr('{failover: [{from: r1, to: r2}], failoverPriority: [network]}')).toEqual([]);
  });

  it('§2.6: weights must be 1..100 and sum to 100; failover names two different regions', () => {
    expect(dr('{distribute: [{from: "r1/*", to: {"r1/*": 90, "r2/*": 0}}]}').map((d) => d.message)).toEqual([
      'locality weight must be in 1..100, got 0',
      'weights must sum to 100, got 90',
    ]);
    expect(dr('{failover: [{from: r1, to: r1}]}')[0].message).toContain('different regions');
    expect(dr('{failover: [{from: r1/z1, to: r2}]}')[0].message).toContain('region only');
  });

  it('§2.6: failover without outlierDetection is a warning (no priorities would be assigned)', () => {
    const ds = dr('{failover: [{from: r1, to: r2}]}', '');
    expect(ds.map((d) => d.level)).toEqual(['warning']);
    expect(ds[0].source?.line).toBe(8);
  });
});
