import { describe, expect, it } from 'vitest';
import type { Resource } from '../../sim/config/types.ts';
import type { ControlPlane } from '../../sim/control-plane/control-plane.ts';
import type { RequestHead } from '../../sim/control-plane/types.ts';
import { lookupRoute } from '../../sim/data-plane/router.ts';
import { deployment, namespace, service } from '../helpers/build.ts';
import { bookinfo, bookinfoSubsets, controlPlane, podOf, req, virtualService } from '../helpers/istio.ts';

/** Where a request from `from` goes: "vs#rule → subset" or "default" / "NR". */
function route(cp: ControlPlane, from: string, head: RequestHead, ns = 'default'): string {
  const pod = podOf(cp, from, ns);
  const look = lookupRoute(cp.configFor(pod), cp.ctx.registry, pod.namespace, head);
  if (look.kind === 'no-route') return 'NR';
  if (look.kind !== 'route') return look.kind;
  const r = look.route;
  if (r.vs === null) return 'default';
  const a = r.action;
  const to = a.kind === 'forward' ? a.destinations.map((d) => `${d.subset ?? '-'}:${d.port}`).join('+') : a.kind;
  return `${r.vs}#${r.ruleIndex}/${look.match} → ${to}`;
}

const reviewsReq = (headers: Record<string, string> = {}) => req('http://reviews:9080/reviews/0', headers);

const testV2 = () =>
  virtualService('reviews', {
    hosts: ['reviews'],
    http: [{ match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }, { route: [{ destination: { host: 'reviews', subset: 'v1' } }] }],
  });

describe('which VirtualService applies (istio-semantics.md §1.3)', () => {
  it('§7.3 virtual-service-reviews-test-v2: jason → v2 (rule 0, match 0), everyone else → v1 (rule 1)', () => {
    const cp = controlPlane([...bookinfo(), ...bookinfoSubsets(), testV2()]);
    expect(route(cp, 'productpage-v1', reviewsReq({ 'end-user': 'jason' }))).toBe('default/reviews#0/0 → v2:9080');
    expect(route(cp, 'productpage-v1', reviewsReq())).toBe('default/reviews#1/-1 → v1:9080');
    expect(route(cp, 'productpage-v1', req('http://ratings:9080/ratings/0'))).toBe('default');
  });

  it('§1.3: a VirtualService with match conditions and no catch-all answers 404 NR when nothing matches', () => {
    const vs = virtualService('reviews', { hosts: ['reviews'], http: [{ match: [{ uri: { prefix: '/api' } }], route: [{ destination: { host: 'reviews' } }] }] });
    const cp = controlPlane([...bookinfo(), vs]);
    expect(route(cp, 'productpage-v1', reviewsReq())).toBe('NR');
  });

  it('§1.2 trap: hosts ["reviews.default"] is used verbatim, the VirtualService does not apply, and a warning says why', () => {
    const vs = virtualService('reviews', { hosts: ['reviews.default'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v3' } }] }] });
    const cp = controlPlane([...bookinfo(), ...bookinfoSubsets(), vs]);
    expect(route(cp, 'productpage-v1', reviewsReq())).toBe('default');
    const d = cp.diagnostics.find((x) => x.code === 'MSH0301');
    expect(d?.message).toContain('reviews.default.svc.cluster.local');
    expect(d?.level).toBe('warning');
  });

  it('§1.2: short names resolve in the VirtualService namespace, so a rule in another namespace needs the FQDN', () => {
    const other = virtualService('r', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] }, 'team');
    const fqdn = virtualService('r2', { hosts: ['reviews.default.svc.cluster.local'], http: [{ route: [{ destination: { host: 'reviews.default.svc.cluster.local', subset: 'v1' } }] }] }, 'team');
    const cp1 = controlPlane([...bookinfo(), namespace('team'), ...bookinfoSubsets(), other]);
    expect(route(cp1, 'productpage-v1', reviewsReq())).toBe('default');
    expect(cp1.diagnostics.some((d) => d.code === 'MSH0301' && d.message.includes('did you mean'))).toBe(true);
    const cp2 = controlPlane([...bookinfo(), namespace('team'), ...bookinfoSubsets(), fqdn]);
    expect(route(cp2, 'productpage-v1', reviewsReq())).toBe('team/r2#0/-1 → v1:9080');
  });

  it('§1.1 gateways: a VirtualService bound only to a gateway does not affect sidecars; listing mesh brings them in', () => {
    const gwOnly = virtualService('reviews', { hosts: ['reviews'], gateways: ['bookinfo-gateway'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v3' } }] }] });
    expect(route(controlPlane([...bookinfo(), ...bookinfoSubsets(), gwOnly]), 'productpage-v1', reviewsReq())).toBe('default');
    const both = virtualService('reviews', { hosts: ['reviews'], gateways: ['bookinfo-gateway', 'mesh'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v3' } }] }] });
    expect(route(controlPlane([...bookinfo(), ...bookinfoSubsets(), both]), 'productpage-v1', reviewsReq())).toBe('default/reviews#0/-1 → v3:9080');
  });

  it('§1.5 per-match gateways override the top level: a block for a gateway only is skipped by sidecars', () => {
    const vs = virtualService('reviews', {
      hosts: ['reviews'],
      gateways: ['mesh', 'gw'],
      http: [
        { match: [{ gateways: ['gw'] }], route: [{ destination: { host: 'reviews', subset: 'v3' } }] },
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      ],
    });
    expect(route(controlPlane([...bookinfo(), ...bookinfoSubsets(), vs]), 'productpage-v1', reviewsReq())).toBe('default/reviews#1/-1 → v1:9080');
  });

  it('§1.1 exportTo ".": the VirtualService only applies to clients in its own namespace', () => {
    const vs = virtualService('reviews', { hosts: ['reviews'], exportTo: ['.'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] });
    const res: Resource[] = [...bookinfo(), namespace('other'), deployment('client', { namespace: 'other' }), ...bookinfoSubsets(), vs];
    const cp = controlPlane(res);
    expect(route(cp, 'productpage-v1', reviewsReq())).toBe('default/reviews#0/-1 → v2:9080');
    expect(route(cp, 'client', req('http://reviews.default:9080/'), 'other')).toBe('default');
  });

  it('§1.5 sourceLabels is a config-time selector: only matching pods get the rule, and tables are shared per view', () => {
    const vs = virtualService('reviews', {
      hosts: ['reviews'],
      http: [
        { match: [{ sourceLabels: { app: 'productpage' } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      ],
    });
    const cp = controlPlane([...bookinfo(), ...bookinfoSubsets(), vs]);
    expect(route(cp, 'productpage-v1', reviewsReq())).toBe('default/reviews#0/0 → v2:9080');
    expect(route(cp, 'sleep', reviewsReq())).toBe('default/reviews#1/-1 → v1:9080');
    expect(cp.configFor(podOf(cp, 'sleep'))).toBe(cp.configFor(podOf(cp, 'details-v1')));
    expect(cp.configFor(podOf(cp, 'sleep'))).not.toBe(cp.configFor(podOf(cp, 'productpage-v1')));
  });

  it('§1.5 sourceNamespace selects clients by namespace', () => {
    const vs = virtualService('reviews', {
      hosts: ['reviews'],
      http: [{ match: [{ sourceNamespace: 'other' }], route: [{ destination: { host: 'reviews', subset: 'v3' } }] }, { route: [{ destination: { host: 'reviews', subset: 'v1' } }] }],
    });
    const cp = controlPlane([...bookinfo(), namespace('other'), deployment('client', { namespace: 'other' }), ...bookinfoSubsets(), vs]);
    expect(route(cp, 'client', req('http://reviews.default:9080/'), 'other')).toBe('default/reviews#0/0 → v3:9080');
    expect(route(cp, 'productpage-v1', reviewsReq())).toBe('default/reviews#1/-1 → v1:9080');
  });

  it('a VirtualService that yields no routes for a proxy leaves it the default route (no 404)', () => {
    const vs = virtualService('reviews', { hosts: ['reviews'], http: [{ match: [{ sourceLabels: { app: 'nobody' } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }] });
    expect(route(controlPlane([...bookinfo(), ...bookinfoSubsets(), vs]), 'productpage-v1', reviewsReq())).toBe('default');
  });

  it('§1.5 port: a block for another service port is not installed on this one', () => {
    const svc = { ...service('multi'), ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' as const }, { name: 'http-admin', port: 9000, targetPort: 8080, protocol: 'TCP' as const }] };
    const vs = virtualService('multi', {
      hosts: ['multi'],
      http: [{ match: [{ port: 9000 }], directResponse: { status: 403 } }, { route: [{ destination: { host: 'multi', port: { number: 80 } } }] }],
    });
    const cp = controlPlane([namespace('default'), svc, deployment('multi'), deployment('sleep'), vs]);
    expect(route(cp, 'sleep', req('http://multi:9000/'))).toBe('default/multi#0/0 → direct');
    expect(route(cp, 'sleep', req('http://multi/'))).toBe('default/multi#1/-1 → -:80');
  });

  it('§1.3 duplicates: two VirtualServices for one host — the oldest wins and IST0109 is reported', () => {
    const a = virtualService('a', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] });
    const b = virtualService('b', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v3' } }] }] });
    const cp = controlPlane([...bookinfo(), ...bookinfoSubsets(), b.meta.order < a.meta.order ? a : b, a]);
    expect(route(cp, 'productpage-v1', reviewsReq())).toBe('default/a#0/-1 → v1:9080');
    const d = cp.diagnostics.find((x) => x.code === 'IST0109');
    expect(d?.resource).toBe('VirtualService default/b');
  });

  it('§1.3 wildcard hosts: the most specific VirtualService wins', () => {
    const wide = virtualService('wide', { hosts: ['*.default.svc.cluster.local'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v3' } }] }] });
    const exact = virtualService('exact', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }] });
    const cp = controlPlane([...bookinfo(), ...bookinfoSubsets(), wide, exact]);
    expect(route(cp, 'productpage-v1', reviewsReq())).toBe('default/exact#0/-1 → v1:9080');
    expect(route(cp, 'productpage-v1', req('http://ratings:9080/'))).toBe('default/wide#0/-1 → v3:9080');
  });

  it('§1.5 catch-all: rules after a rule without match (or a prefix "/" block) are unreachable (IST0130)', () => {
    const vs = virtualService('details', {
      hosts: ['details'],
      http: [
        { fault: { abort: { httpStatus: 555, percentage: { value: 100 } } }, route: [{ destination: { host: 'details', subset: 'v1' } }] },
        { route: [{ destination: { host: 'details', subset: 'v1' } }] },
      ],
    });
    const cp = controlPlane([...bookinfo(), ...bookinfoSubsets(), vs]);
    const cfg = cp.configFor(podOf(cp, 'productpage-v1'));
    expect(cfg.routes.get(9080)!.vhosts.get('details.default.svc.cluster.local')!.routes.length).toBe(1);
    expect(cp.diagnostics.find((d) => d.code === 'IST0130')?.path).toBe('spec.http[1]');
    const prefix = virtualService('r', {
      hosts: ['reviews'],
      http: [
        { match: [{ uri: { prefix: '/' } }, { headers: { a: { exact: 'b' } } }], route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
        { route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
      ],
    });
    const cp2 = controlPlane([...bookinfo(), ...bookinfoSubsets(), prefix]);
    const routes = cp2.configFor(podOf(cp2, 'productpage-v1')).routes.get(9080)!.vhosts.get('reviews.default.svc.cluster.local')!.routes;
    expect(routes.length).toBe(1);
    expect(routes[0].matches.length).toBe(1);
  });

  it('§1.5 an invalid regex drops that rule (IST0122) and the others still apply', () => {
    const vs = virtualService('reviews', {
      hosts: ['reviews'],
      http: [
        { match: [{ uri: { regex: '/reviews/(\\d+' } }], route: [{ destination: { host: 'reviews', subset: 'v3' } }] },
        { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      ],
    });
    const cp = controlPlane([...bookinfo(), ...bookinfoSubsets(), vs]);
    expect(route(cp, 'productpage-v1', reviewsReq())).toBe('default/reviews#1/-1 → v1:9080');
    const d = cp.diagnostics.find((x) => x.code === 'IST0122');
    expect(d?.path).toBe('spec.http[0].match[0].uri');
  });

  it('§1.6 weights: single destination gets 100 % (KIA1104 note), weight-0 destinations are dropped', () => {
    const vs = virtualService('reviews', {
      hosts: ['reviews'],
      http: [
        { match: [{ headers: { single: {} } }], route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 30 }] },
        { route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 0 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 1 }, { destination: { host: 'reviews', subset: 'v3' }, weight: 3 }] },
      ],
    });
    const cp = controlPlane([...bookinfo(), ...bookinfoSubsets(), vs]);
    const routes = cp.configFor(podOf(cp, 'productpage-v1')).routes.get(9080)!.vhosts.get('reviews.default.svc.cluster.local')!.routes;
    const a0 = routes[0].action;
    const a1 = routes[1].action;
    expect(a0.kind === 'forward' && a0.destinations.map((d) => d.weight)).toEqual([100]);
    expect(a1.kind === 'forward' && a1.destinations.map((d) => `${d.subset}:${d.weight}`)).toEqual(['v2:1', 'v3:3']);
    expect(a1.kind === 'forward' && a1.totalWeight).toBe(4);
    expect(cp.diagnostics.some((d) => d.code === 'KIA1104')).toBe(true);
  });

  it('§9.4: before Istio 1.15 weights not summing to 100 make istiod reject the VirtualService', async () => {
    const { defaultProfile } = await import('../../sim/config/profile.ts');
    const vs = virtualService('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 1 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 1 }] }] });
    const old = controlPlane([...bookinfo(), ...bookinfoSubsets(), vs], defaultProfile('1.14'));
    expect(route(old, 'productpage-v1', reviewsReq())).toBe('default');
    expect(old.diagnostics.some((d) => d.code === 'IST0106')).toBe(true);
    const now = controlPlane([...bookinfo(), ...bookinfoSubsets(), vs], defaultProfile('1.15'));
    expect(route(now, 'productpage-v1', reviewsReq())).toBe('default/reviews#0/-1 → v1:9080+v2:9080');
  });

  it('§1.6 destination port: explicit port, else the service’s only port, else the listener port', () => {
    const multi = { ...service('multi'), ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' as const }, { name: 'http-alt', port: 8000, targetPort: 8080, protocol: 'TCP' as const }] };
    const vs = virtualService('v', {
      hosts: ['front'],
      http: [
        { match: [{ headers: { a: {} } }], route: [{ destination: { host: 'multi', port: { number: 8000 } } }] },
        { match: [{ headers: { b: {} } }], route: [{ destination: { host: 'multi' } }] },
        { route: [{ destination: { host: 'single' } }] },
      ],
    });
    const cp = controlPlane([namespace('default'), service('front', 80), multi, service('single', 7000), deployment('front'), deployment('multi'), deployment('single'), deployment('sleep'), vs]);
    expect(route(cp, 'sleep', req('http://front/', { a: '1' }))).toBe('default/v#0/0 → -:8000');
    expect(route(cp, 'sleep', req('http://front/', { b: '1' }))).toBe('default/v#1/0 → -:80');
    expect(route(cp, 'sleep', req('http://front/'))).toBe('default/v#2/-1 → -:7000');
  });

  it('§1.9 delegate (one level): the delegate rules apply inside the root match, inheriting unset fields', () => {
    const root = virtualService('root', {
      hosts: ['reviews'],
      http: [{ match: [{ uri: { prefix: '/reviews' } }], delegate: { name: 'leaf' }, timeout: '2s' }, { route: [{ destination: { host: 'reviews', subset: 'v1' } }] }],
    });
    const leaf = virtualService('leaf', {
      http: [
        { match: [{ uri: { prefix: '/reviews/special' } }], route: [{ destination: { host: 'reviews', subset: 'v3' } }] },
        { match: [{ uri: { prefix: '/other' } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
        { route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
      ],
    });
    const cp = controlPlane([...bookinfo(), ...bookinfoSubsets(), root, leaf]);
    expect(route(cp, 'productpage-v1', req('http://reviews:9080/reviews/special/1'))).toBe('default/root#0/0 → v3:9080');
    expect(route(cp, 'productpage-v1', req('http://reviews:9080/reviews/0'))).toBe('default/root#1/0 → v2:9080');
    expect(route(cp, 'productpage-v1', req('http://reviews:9080/other'))).toBe('default/root#2/-1 → v1:9080');
    const routes = cp.configFor(podOf(cp, 'productpage-v1')).routes.get(9080)!.vhosts.get('reviews.default.svc.cluster.local')!.routes;
    expect(routes[0].timeoutUs).toBe(2_000_000);
    expect(routes[0].delegate).toBe('default/leaf#0');
    expect(cp.diagnostics.some((d) => d.code === 'MSH0303' && d.resource === 'VirtualService default/leaf')).toBe(true);
  });

  it('§9.3 IST0101: a subset no DestinationRule defines is reported', () => {
    const vs = virtualService('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v4' } }] }] });
    const cp = controlPlane([...bookinfo(), ...bookinfoSubsets(), vs]);
    expect(cp.diagnostics.find((d) => d.code === 'IST0101')?.message).toContain('reviews.default.svc.cluster.local+v4');
  });

  it('ruleName gives the http rule name for reports', () => {
    const vs = virtualService('reviews', { hosts: ['reviews'], http: [{ name: 'jason', match: [{ headers: { x: {} } }], route: [{ destination: { host: 'reviews' } }] }, { name: 'rest', route: [{ destination: { host: 'reviews' } }] }] });
    const cp = controlPlane([...bookinfo(), vs]);
    expect(cp.ruleName('default/reviews', 1)).toBe('rest');
    expect(cp.ruleName('default/nope', 0)).toBe('');
  });
});
