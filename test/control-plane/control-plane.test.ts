import { describe, expect, it } from 'vitest';
import { defaultProfile } from '../../sim/config/profile.ts';
import { ControlPlane } from '../../sim/control-plane/control-plane.ts';
import { Registry } from '../../sim/control-plane/registry.ts';
import { bookinfo, bookinfoSubsets, podOf, virtualService } from '../helpers/istio.ts';

describe('ControlPlane', () => {
  const resources = [...bookinfo(), ...bookinfoSubsets()];
  const registry = new Registry(resources);
  const profile = defaultProfile();

  it('pods with the same view share one compiled ProxyConfig', () => {
    const cp = new ControlPlane({ registry, profile, resources }, 1);
    expect(cp.configFor(podOf(cp, 'sleep'))).toBe(cp.configFor(podOf(cp, 'details-v1')));
    expect(cp.configFor(podOf(cp, 'sleep')).version).toBe(1);
  });

  it('with the previous version given, unchanged clusters keep their identity (sidecars keep their LB state)', () => {
    const v1 = new ControlPlane({ registry, profile, resources }, 1);
    const withVs = [...resources, virtualService('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] })];
    const v2 = new ControlPlane({ registry, profile, resources: withVs }, 2, v1);
    const a = v1.configFor(podOf(v1, 'productpage-v1')).clusters;
    const b = v2.configFor(podOf(v2, 'productpage-v1')).clusters;
    expect(b.get('outbound|9080|v2|reviews.default.svc.cluster.local')).toBe(a.get('outbound|9080|v2|reviews.default.svc.cluster.local'));
    const v3 = new ControlPlane({ registry, profile, resources: [...bookinfo()] }, 3, v2);
    expect(v3.configFor(podOf(v3, 'productpage-v1')).clusters.has('outbound|9080|v2|reviews.default.svc.cluster.local')).toBe(false);
  });

  it('diagnostics are computed once per version, not per proxy', () => {
    const vs = virtualService('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v9' } }] }] });
    const cp = new ControlPlane({ registry, profile, resources: [...resources, vs] }, 1);
    for (const pod of registry.pods) cp.configFor(pod);
    expect(cp.diagnostics.filter((d) => d.code === 'IST0101').length).toBe(1);
  });
});
