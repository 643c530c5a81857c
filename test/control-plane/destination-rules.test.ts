import { describe, expect, it } from 'vitest';
import type { Resource } from '../../sim/config/types.ts';
import { defaultProfile } from '../../sim/config/profile.ts';
import { effectivePolicy, loadBalancerPolicy } from '../../sim/control-plane/destination-rules.ts';
import { deployment, namespace, service } from '../helpers/build.ts';
import { bookinfo, controlPlane, destinationRule, podOf, versionSubsets } from '../helpers/istio.ts';

describe('DestinationRule lookup and merging (istio-semantics.md §2.1)', () => {
  const base = (): Resource[] => [namespace('default'), namespace('client'), namespace('istio-system'), service('web'), deployment('web-v1', { app: 'web', version: 'v1' }), deployment('web-v2', { app: 'web', version: 'v2' }), deployment('c', { namespace: 'client' })];

  it('subsets become clusters outbound|port|subset|fqdn whose endpoints carry the subset labels', () => {
    const cp = controlPlane([...base(), versionSubsets('web', ['v1', 'v2', 'v9'])]);
    const cfg = cp.configFor(podOf(cp, 'c', 'client'));
    expect([...cfg.clusters.keys()]).toEqual([
      'outbound|8080||web.default.svc.cluster.local',
      'outbound|8080|v1|web.default.svc.cluster.local',
      'outbound|8080|v2|web.default.svc.cluster.local',
      'outbound|8080|v9|web.default.svc.cluster.local',
    ]);
    expect(cfg.clusters.get('outbound|8080|v2|web.default.svc.cluster.local')!.endpoints.map((e) => e.pod.name)).toEqual(['web-v2-0']);
    expect(cfg.clusters.get('outbound|8080|v9|web.default.svc.cluster.local')!.endpoints).toEqual([]);
    expect(cfg.clusters.get('outbound|8080||web.default.svc.cluster.local')!.endpoints.length).toBe(2);
  });

  it('lookup order: the client namespace first, then the service namespace, then the root namespace', () => {
    const inClient = destinationRule('web-c', { host: 'web.default.svc.cluster.local', subsets: [{ name: 'c', labels: { version: 'v1' } }] }, 'client');
    const inService = destinationRule('web-s', { host: 'web', subsets: [{ name: 's', labels: { version: 'v1' } }] }, 'default');
    const inRoot = destinationRule('web-r', { host: 'web.default.svc.cluster.local', subsets: [{ name: 'r', labels: { version: 'v1' } }] }, 'istio-system');
    const subsetsFor = (res: Resource[], pod: string, ns: string) => {
      const cp = controlPlane(res);
      return [...cp.configFor(podOf(cp, pod, ns)).clusters.values()].filter((c) => c.subset).map((c) => c.subset);
    };
    expect(subsetsFor([...base(), inRoot, inService, inClient], 'c', 'client')).toEqual(['c']);
    expect(subsetsFor([...base(), inRoot, inService], 'c', 'client')).toEqual(['s']);
    expect(subsetsFor([...base(), inRoot], 'c', 'client')).toEqual(['r']);
    // A rule in the service's namespace exported only there does not reach other namespaces.
    const privateRule = destinationRule('web-p', { host: 'web', exportTo: ['.'], subsets: [{ name: 'p', labels: {} }] }, 'default');
    expect(subsetsFor([...base(), privateRule, inRoot], 'c', 'client')).toEqual(['r']);
    expect(subsetsFor([...base(), privateRule, inRoot], 'web-v1', 'default')).toEqual(['p']);
  });

  it('several rules for one host in one namespace merge: subsets unioned (first name wins), first trafficPolicy kept', () => {
    const a = destinationRule('a', { host: 'web', trafficPolicy: { loadBalancer: { simple: 'RANDOM' } }, subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
    const b = destinationRule('b', { host: 'web', trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } }, subsets: [{ name: 'v1', labels: { version: 'v2' } }, { name: 'v2', labels: { version: 'v2' } }] });
    const cp = controlPlane([...base(), a, b]);
    const cfg = cp.configFor(podOf(cp, 'c', 'client'));
    expect(cfg.clusters.get('outbound|8080|v1|web.default.svc.cluster.local')!.endpoints.map((e) => e.pod.name)).toEqual(['web-v1-0']);
    expect(cfg.clusters.has('outbound|8080|v2|web.default.svc.cluster.local')).toBe(true);
    expect(cfg.clusters.get('outbound|8080||web.default.svc.cluster.local')!.lb.kind).toBe('RANDOM');
    expect(cfg.clusters.get('outbound|8080||web.default.svc.cluster.local')!.destinationRule).toBe('default/a,default/b');
  });

  it('workloadSelector: the rule applies only to selected workloads in its namespace', () => {
    // In namespace "client" the short name "web" would mean web.client (§1.2), so spell it out.
    const sel = destinationRule('sel', { host: 'web.default.svc.cluster.local', workloadSelector: { matchLabels: { app: 'c' } }, subsets: [{ name: 'only-c', labels: {} }] }, 'client');
    const cp = controlPlane([...base(), deployment('d', { namespace: 'client' }), sel]);
    const has = (pod: string) => cp.configFor(podOf(cp, pod, 'client')).clusters.has('outbound|8080|only-c|web.default.svc.cluster.local');
    expect(has('c')).toBe(true);
    expect(has('d')).toBe(false);
  });
});

describe('policy merging (istio-semantics.md §2.2, util.MergeSubsetTrafficPolicy)', () => {
  const lbOf = (p: ReturnType<typeof effectivePolicy>) => p.loadBalancer?.simple;
  const dr = (tp: object, subsetTp?: object) => ({
    sources: ['x'],
    id: 'x',
    trafficPolicy: tp,
    subsets: new Map(subsetTp ? [['v1', { name: 'v1', trafficPolicy: subsetTp }]] : []),
  });

  it('a subset policy overrides block by block; unset blocks are inherited', () => {
    const top = { loadBalancer: { simple: 'RANDOM' as const }, connectionPool: { tcp: { maxConnections: 1 } } };
    const sub = { loadBalancer: { simple: 'ROUND_ROBIN' as const } };
    const d = dr(top, sub);
    const p = effectivePolicy(d, d.subsets.get('v1')!, 9080);
    expect(lbOf(p)).toBe('ROUND_ROBIN');
    expect(p.connectionPool).toEqual({ tcp: { maxConnections: 1 } });
  });

  it('a whole block is replaced, not merged field by field', () => {
    const top = { connectionPool: { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1 } } };
    const sub = { connectionPool: { http: { http2MaxRequests: 5 } } };
    const d = dr(top, sub);
    expect(effectivePolicy(d, d.subsets.get('v1')!, 9080).connectionPool).toEqual({ http: { http2MaxRequests: 5 } });
  });

  it('portLevelSettings replace the destination-level policy for that port: nothing is inherited', () => {
    const top = {
      loadBalancer: { simple: 'RANDOM' as const },
      connectionPool: { tcp: { maxConnections: 1 } },
      portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: 'ROUND_ROBIN' as const } }],
    };
    const d = dr(top);
    const p9080 = effectivePolicy(d, null, 9080);
    expect(lbOf(p9080)).toBe('ROUND_ROBIN');
    expect(p9080.connectionPool).toBeUndefined();
    const p80 = effectivePolicy(d, null, 80);
    expect(lbOf(p80)).toBe('RANDOM');
    expect(p80.connectionPool).toEqual({ tcp: { maxConnections: 1 } });
  });

  it("a subset's own portLevelSettings replace the four blocks for that port", () => {
    const top = { loadBalancer: { simple: 'RANDOM' as const }, outlierDetection: { consecutive5xxErrors: 3 } };
    const sub = { portLevelSettings: [{ port: { number: 9080 }, loadBalancer: { simple: 'LEAST_REQUEST' as const } }] };
    const d = dr(top, sub);
    const p = effectivePolicy(d, d.subsets.get('v1')!, 9080);
    expect(lbOf(p)).toBe('LEAST_REQUEST');
    expect(p.outlierDetection).toBeUndefined();
  });
});

describe('loadBalancer (istio-semantics.md §2.3)', () => {
  it('unset / UNSPECIFIED → LEAST_REQUEST from Istio 1.14, ROUND_ROBIN before (§9.4)', () => {
    expect(loadBalancerPolicy(undefined, defaultProfile('1.28')).lb.kind).toBe('LEAST_REQUEST');
    expect(loadBalancerPolicy({ simple: 'UNSPECIFIED' }, defaultProfile('1.28')).lb.kind).toBe('LEAST_REQUEST');
    expect(loadBalancerPolicy(undefined, defaultProfile('1.13')).lb.kind).toBe('ROUND_ROBIN');
  });

  it('simple policies map to Envoy algorithms; LEAST_CONN is LEAST_REQUEST', () => {
    const p = defaultProfile();
    expect(loadBalancerPolicy({ simple: 'ROUND_ROBIN' }, p).lb.kind).toBe('ROUND_ROBIN');
    expect(loadBalancerPolicy({ simple: 'RANDOM' }, p).lb.kind).toBe('RANDOM');
    expect(loadBalancerPolicy({ simple: 'PASSTHROUGH' }, p).lb.kind).toBe('PASSTHROUGH');
    expect(loadBalancerPolicy({ simple: 'LEAST_CONN' }, p).lb.kind).toBe('LEAST_REQUEST');
  });

  it('consistentHash: ring hash with minimumRingSize 1024 by default, maglev with tableSize 65537', () => {
    const p = defaultProfile();
    expect(loadBalancerPolicy({ consistentHash: { httpHeaderName: 'X-User' } }, p).hash).toEqual({ key: { kind: 'header', name: 'x-user' }, table: 'ring', size: 1024 });
    expect(loadBalancerPolicy({ consistentHash: { useSourceIp: true, maglev: {} } }, p).hash).toEqual({ key: { kind: 'source-ip' }, table: 'maglev', size: 65537 });
    expect(loadBalancerPolicy({ consistentHash: { httpQueryParameterName: 'u', ringHash: { minimumRingSize: 64 } } }, p).hash!.size).toBe(64);
    expect(loadBalancerPolicy({ consistentHash: { httpCookie: { name: 'c', ttl: '0s' } } }, p).hash!.key).toEqual({ kind: 'cookie', name: 'c', ttlUs: 0 });
  });

  it('a DestinationRule LB policy reaches the clusters of the proxy that uses it', () => {
    const cp = controlPlane([...bookinfo(), versionSubsets('reviews', ['v1', 'v2'], { trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } })]);
    const cfg = cp.configFor(podOf(cp, 'productpage-v1'));
    expect(cfg.clusters.get('outbound|9080|v1|reviews.default.svc.cluster.local')!.lb.kind).toBe('RANDOM');
    expect(cfg.clusters.get('outbound|9080||ratings.default.svc.cluster.local')!.lb.kind).toBe('LEAST_REQUEST');
  });
});
