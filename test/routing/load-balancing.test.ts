/**
 * Load balancing over a cluster's endpoints (istio-semantics.md §2.3), including consistent hash.
 */
import { describe, expect, it } from 'vitest';
import { defaultProfile } from '../../sim/config/profile.ts';
import type { Resource } from '../../sim/config/types.ts';
import type { Endpoint } from '../../sim/control-plane/types.ts';
import { hash32, MaglevTable, RingHashTable } from '../../sim/data-plane/hash-lb.ts';
import { deployment, namespace, service } from '../helpers/build.ts';
import { destinationRule, req, virtualService } from '../helpers/istio.ts';
import { SidecarMesh } from './harness.ts';
import { withinBinomial } from './stats.ts';

function web(replicas: number, lb: object | null, extra: Resource[] = []): Resource[] {
  return [
    namespace('default'),
    service('web'),
    deployment('web', { replicas }),
    deployment('client'),
    ...(lb ? [destinationRule('web', { host: 'web', trafficPolicy: { loadBalancer: lb } })] : []),
    ...extra,
  ];
}

function pods(m: SidecarMesh): string[] {
  return m.received.map((r) => r.pod);
}

function fakeEndpoints(n: number): Endpoint[] {
  return Array.from({ length: n }, (_, i) => ({ pod: { ip: `10.244.0.${i + 2}` } as Endpoint['pod'], port: 8080, weight: 1 }));
}

describe('consistent hash (§2.3)', () => {
  it('stickiness: every request with the same x-user header reaches the same pod; different users spread', () => {
    const m = new SidecarMesh(web(4, { consistentHash: { httpHeaderName: 'x-user' } }));
    const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
    for (let i = 0; i < 80; i++) m.send('client', req('http://web:8080/', { 'x-user': users[i % users.length] }));
    m.run();
    const byUser = new Map<string, Set<string>>();
    m.received.forEach((r) => {
      const u = r.head.headers.get('x-user')!;
      byUser.set(u, (byUser.get(u) ?? new Set()).add(r.pod));
    });
    for (const set of byUser.values()) expect(set.size).toBe(1);
    expect(new Set(pods(m)).size).toBeGreaterThan(1);
  });

  it('without consistent hash the same header does not pin a pod', () => {
    const m = new SidecarMesh(web(4, null));
    for (let i = 0; i < 40; i++) m.send('client', req('http://web:8080/', { 'x-user': 'alice' }));
    m.run();
    expect(new Set(pods(m)).size).toBeGreaterThan(1);
  });

  it('stickiness by query parameter, cookie and source IP; maglev as well as ring hash', () => {
    for (const lb of [
      { consistentHash: { httpQueryParameterName: 'u' } },
      { consistentHash: { httpCookie: { name: 'session', ttl: '0s' } } },
      { consistentHash: { useSourceIp: true, maglev: {} } },
    ]) {
      const m = new SidecarMesh(web(5, lb));
      for (let i = 0; i < 30; i++) m.send('client', req('http://web:8080/p?u=42', { cookie: 'a=1; session=xyz' }));
      m.run();
      expect(new Set(pods(m)).size).toBe(1);
    }
  });

  it('a request without the key gets a random host (Envoy hashes a random value)', () => {
    const m = new SidecarMesh(web(4, { consistentHash: { httpHeaderName: 'x-user' } }));
    for (let i = 0; i < 40; i++) m.send('client', req('http://web:8080/'));
    m.run();
    expect(new Set(pods(m)).size).toBeGreaterThan(1);
  });

  it('a retry goes back to the same hashed host: the default policy omits previous_hosts under consistent hash', () => {
    const res = web(4, { consistentHash: { httpHeaderName: 'x-user' } }, [virtualService('web', { hosts: ['web'], http: [{ route: [{ destination: { host: 'web' } }] }] })]);
    const m = new SidecarMesh(res, { script: () => ({ status: 503, delayUs: 0 }), profile: defaultProfile('1.23') });
    m.send('client', req('http://web:8080/', { 'x-user': 'alice' }));
    m.run();
    expect(m.received.length).toBe(3);
    expect(new Set(pods(m)).size).toBe(1);
  });

  it('ring hash: minimumRingSize points spread over hosts; keys spread roughly evenly', () => {
    const eps = fakeEndpoints(4);
    const ring = new RingHashTable(eps, [0, 1, 2, 3], 1024);
    expect(ring.size).toBe(1024);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 4000; i++) counts[ring.pick(hash32(`user-${i}`), 0)]++;
    for (const c of counts) expect(c).toBeGreaterThan(600);
  });

  it('ring hash: removing a host keeps most other keys where they were', () => {
    // Envoy rescales points per host (ceil(minRingSize / hosts)) when the host count changes, so a
    // few keys of the remaining hosts move too; the removed host's keys all move.
    const eps = fakeEndpoints(4);
    const before = new RingHashTable(eps, [0, 1, 2, 3], 1024);
    const after = new RingHashTable(eps, [0, 1, 3], 1024);
    let stayed = 0;
    let others = 0;
    for (let i = 0; i < 2000; i++) {
      const h = hash32(`k${i}`);
      const a = before.pick(h, 0);
      expect(after.pick(h, 0)).not.toBe(2);
      if (a === 2) continue;
      others++;
      if (after.pick(h, 0) === a) stayed++;
    }
    expect(stayed / others).toBeGreaterThan(0.75);
  });

  it('maglev: a full 65537-slot table with near-equal shares', () => {
    const eps = fakeEndpoints(3);
    const t = new MaglevTable(eps, [0, 1, 2], 65537);
    const counts = [0, 0, 0];
    for (let i = 0; i < 65537; i++) counts[t.pick(i, 0)]++;
    for (const c of counts) expect(Math.abs(c - 65537 / 3)).toBeLessThan(2);
  });

  it('hash32 is stable across runs and engines', () => {
    expect(hash32('alice')).toBe(hash32('alice'));
    expect(hash32('')).toBe(hash32(''));
    expect(hash32('alice')).not.toBe(hash32('alicf'));
  });
});

describe('simple policies (§2.3)', () => {
  it('ROUND_ROBIN visits every endpoint once per cycle', () => {
    const m = new SidecarMesh(web(3, { simple: 'ROUND_ROBIN' }));
    for (let i = 0; i < 9; i++) m.send('client', req('http://web:8080/'));
    m.run();
    const p = pods(m);
    for (let i = 0; i < 9; i += 3) expect(new Set(p.slice(i, i + 3)).size).toBe(3);
  });

  it('§9.4 before Istio 1.14 the default (no DestinationRule) was ROUND_ROBIN; now it is LEAST_REQUEST', () => {
    const old = new SidecarMesh(web(3, null), { profile: defaultProfile('1.13') });
    for (let i = 0; i < 9; i++) old.send('client', req('http://web:8080/'));
    old.run();
    const p = pods(old);
    for (let i = 0; i < 9; i += 3) expect(new Set(p.slice(i, i + 3)).size).toBe(3);
    expect(old.controlPlane.configFor(old.pod('client')).clusters.get('outbound|8080||web.default.svc.cluster.local')!.lb.kind).toBe('ROUND_ROBIN');
    const now = new SidecarMesh(web(3, null));
    expect(now.controlPlane.configFor(now.pod('client')).clusters.get('outbound|8080||web.default.svc.cluster.local')!.lb.kind).toBe('LEAST_REQUEST');
  });

  it('RANDOM spreads uniformly (binomial bound per host)', () => {
    const m = new SidecarMesh(web(4, { simple: 'RANDOM' }));
    for (let i = 0; i < 2000; i++) m.send('client', req('http://web:8080/'));
    m.run();
    const p = pods(m);
    for (let k = 0; k < 4; k++) expect(withinBinomial(p.filter((x) => x === `web-${k}`).length, p.length, 0.25)).toBe(true);
  });
});
