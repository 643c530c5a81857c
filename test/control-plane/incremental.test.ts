/**
 * Incremental recompile (issue #10): a push after one VirtualService changed rebuilds only the
 * vhosts whose candidate VirtualServices changed (istio-semantics.md §1.3: a vhost per service
 * port from the first applicable VirtualService); every other vhost is the previous version's
 * object, and the tables equal what a full recompile of the new config gives.
 */
import { describe, expect, it } from 'vitest';
import type { Resource } from '../../sim/config/types.ts';
import { resourceKey } from '../../sim/config/types.ts';
import { defaultProfile } from '../../sim/config/profile.ts';
import { ControlPlane } from '../../sim/control-plane/control-plane.ts';
import { Registry } from '../../sim/control-plane/registry.ts';
import type { ProxyConfig } from '../../sim/control-plane/types.ts';
import { bookinfo, bookinfoSubsets, destinationRule, virtualService } from '../helpers/istio.ts';

const profile = defaultProfile();
const REVIEWS = 'reviews.default.svc.cluster.local';

/** Same kind/namespace/name replaces, like a timeline `apply` (run.ts applyTimelineAction). */
function apply(resources: readonly Resource[], changed: Resource[]): Resource[] {
  const keys = new Set(changed.map(resourceKey));
  return [...resources.filter((r) => !keys.has(resourceKey(r))), ...changed];
}

/** Tables as plain data: matchers become their description, services their FQDN. */
function canonical(cfg: ProxyConfig): string {
  return JSON.stringify({ view: cfg.view, version: cfg.version, routes: [...cfg.routes.values()].map((t) => ({ port: t.port, vhosts: [...t.vhosts.entries()] })), clusters: [...cfg.clusters.keys()] }, (key, value) => {
    if (value instanceof Map) return [...value.entries()];
    if (key === 'service' && value && typeof value === 'object' && 'fqdn' in value) return value.fqdn;
    if (key === 'pod' && value && typeof value === 'object') return value.name;
    if (value && typeof value === 'object' && typeof value.describe === 'function') return { ...value, describe: value.describe() };
    return typeof value === 'function' ? '[fn]' : value;
  });
}

function compileAll(cp: ControlPlane, registry: Registry): Map<string, ProxyConfig> {
  const out = new Map<string, ProxyConfig>();
  for (const pod of registry.pods) if (pod.hasSidecar) out.set(pod.name, cp.configFor(pod));
  return out;
}

const split = (v1: number) =>
  virtualService('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: v1 }, { destination: { host: 'reviews', subset: 'v3' }, weight: 100 - v1 }] }] });
const ratingsVs = virtualService('ratings', { hosts: ['ratings'], http: [{ route: [{ destination: { host: 'ratings', subset: 'v1' } }] }] });

describe('incremental recompile after one VirtualService changes', () => {
  const base: Resource[] = [...bookinfo(), ...bookinfoSubsets(), split(50), ratingsVs];
  const registry = new Registry(base);

  it('only the changed host gets new vhosts; the rest are the previous objects, and tables equal a full recompile', () => {
    const v1 = new ControlPlane({ registry, profile, resources: base }, 1);
    const old = compileAll(v1, registry);
    const next = apply(base, [split(80)]);
    const v2 = new ControlPlane({ registry, profile, resources: next }, 2, v1);
    const inc = compileAll(v2, registry);
    const full = compileAll(new ControlPlane({ registry, profile, resources: next }, 2), registry);
    let reused = 0;
    for (const [pod, cfg] of inc) {
      const before = old.get(pod)!;
      for (const [port, table] of cfg.routes) {
        for (const [fqdn, vhost] of table.vhosts) {
          const prev = before.routes.get(port)!.vhosts.get(fqdn)!;
          if (fqdn === REVIEWS) expect(vhost).not.toBe(prev);
          else {
            expect(vhost).toBe(prev);
            reused++;
          }
        }
      }
      expect(canonical(cfg)).toBe(canonical(full.get(pod)!));
    }
    expect(reused).toBeGreaterThan(0);
    // The changed weights really are in the new tables (not the reused old ones).
    const route = [...inc.values()][0].routes.get(9080)!.vhosts.get(REVIEWS)!.routes[0];
    expect(route.action.kind === 'forward' && route.action.destinations.map((d) => d.weight)).toEqual([80, 20]);
    expect(v2.reusedVhosts).toBeGreaterThan(0);
  });

  it('a VirtualService that is removed or added only touches its own host', () => {
    const v1 = new ControlPlane({ registry, profile, resources: base }, 1);
    compileAll(v1, registry);
    const without = base.filter((r) => r !== ratingsVs);
    const v2 = new ControlPlane({ registry, profile, resources: without }, 2, v1);
    const inc = compileAll(v2, registry);
    const full = compileAll(new ControlPlane({ registry, profile, resources: without }, 2), registry);
    for (const [pod, cfg] of inc) expect(canonical(cfg)).toBe(canonical(full.get(pod)!));
    const cfg = [...inc.values()][0];
    expect(cfg.routes.get(9080)!.vhosts.get('ratings.default.svc.cluster.local')!.vs).toBeNull();
    expect(cfg.routes.get(9080)!.vhosts.get(REVIEWS)).toBe(v1.configFor(registry.pods[0]).routes.get(9080)!.vhosts.get(REVIEWS));
  });

  it('a DestinationRule change that alters clusters recompiles the views that see them (no stale hash policy)', () => {
    const v1 = new ControlPlane({ registry, profile, resources: base }, 1);
    const old = compileAll(v1, registry);
    const hashed = destinationRule('reviews', {
      host: 'reviews',
      trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: 'end-user' } } },
      subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }, { name: 'v3', labels: { version: 'v3' } }],
    });
    const next = apply(base, [hashed]);
    const v2 = new ControlPlane({ registry, profile, resources: next }, 2, v1);
    const inc = compileAll(v2, registry);
    const full = compileAll(new ControlPlane({ registry, profile, resources: next }, 2), registry);
    for (const [pod, cfg] of inc) {
      expect(canonical(cfg)).toBe(canonical(full.get(pod)!));
      expect(cfg.routes.get(9080)!.vhosts.get('ratings.default.svc.cluster.local')).not.toBe(old.get(pod)!.routes.get(9080)!.vhosts.get('ratings.default.svc.cluster.local'));
    }
  });

  it('a changed delegate VirtualService recompiles the root host that includes it', () => {
    const root = virtualService('reviews', { hosts: ['reviews'], http: [{ match: [{ uri: { prefix: '/' } }], delegate: { name: 'reviews-d' } }] });
    const delegate = (subset: string) => virtualService('reviews-d', { http: [{ route: [{ destination: { host: 'reviews', subset } }] }] });
    const withDelegate = [...bookinfo(), ...bookinfoSubsets(), root, delegate('v1'), ratingsVs];
    const v1 = new ControlPlane({ registry, profile, resources: withDelegate }, 1);
    const old = compileAll(v1, registry);
    const next = apply(withDelegate, [delegate('v2')]);
    const v2 = new ControlPlane({ registry, profile, resources: next }, 2, v1);
    const inc = compileAll(v2, registry);
    const full = compileAll(new ControlPlane({ registry, profile, resources: next }, 2), registry);
    for (const [pod, cfg] of inc) {
      expect(canonical(cfg)).toBe(canonical(full.get(pod)!));
      expect(cfg.routes.get(9080)!.vhosts.get(REVIEWS)).not.toBe(old.get(pod)!.routes.get(9080)!.vhosts.get(REVIEWS));
      expect(cfg.routes.get(9080)!.vhosts.get('ratings.default.svc.cluster.local')).toBe(old.get(pod)!.routes.get(9080)!.vhosts.get('ratings.default.svc.cluster.local'));
    }
  });
});
