/**
 * explainRoute: "where would this request go?" from config alone (DESIGN.md `meshsim route`,
 * istio-semantics.md §1.3–1.10).
 */
import { describe, expect, it } from 'vitest';
import { explainRoute } from '../../sim/data-plane/explain.ts';
import { meshsim } from '../helpers/cli.ts';
import { bookinfo, bookinfoSubsets, controlPlane, destinationRule, podOf, req, virtualService } from '../helpers/istio.ts';

const testV2 = () =>
  virtualService('reviews', {
    hosts: ['reviews'],
    http: [{ match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] }, { route: [{ destination: { host: 'reviews', subset: 'v1' } }] }],
  });

describe('explainRoute', () => {
  const cp = controlPlane([...bookinfo(), ...bookinfoSubsets(), testV2()]);
  const pp = podOf(cp, 'productpage-v1');

  it('§8.1 jason → reviews v2 by rule 0, match block 0', () => {
    const { explanation, lines } = explainRoute(cp, pp, req('http://reviews:9080/reviews/0', { 'end-user': 'jason' }));
    expect(explanation).toEqual({
      proxy: 'productpage-v1-0.default',
      virtualService: 'default/reviews',
      rule: 0,
      match: 0,
      destinations: [{ host: 'reviews.default.svc.cluster.local', subset: 'v2', port: 9080, weightPercent: 100 }],
      result: null,
    });
    expect(lines.join('\n')).toContain('header end-user exact "jason"');
    expect(lines.join('\n')).toContain('reviews-v2-0');
  });

  it('§8.1 anonymous → reviews v1 by rule 1 (no match block)', () => {
    const { explanation } = explainRoute(cp, pp, req('http://reviews:9080/reviews/0'));
    expect(explanation.rule).toBe(1);
    expect(explanation.match).toBeNull();
    expect(explanation.destinations.map((d) => d.subset)).toEqual(['v1']);
  });

  it('default route when no VirtualService applies', () => {
    const { explanation } = explainRoute(cp, pp, req('http://details:9080/details/0'));
    expect(explanation.virtualService).toBeNull();
    expect(explanation.destinations).toEqual([{ host: 'details.default.svc.cluster.local', subset: null, port: 9080, weightPercent: 100 }]);
  });

  it('weights are reported as percentages of the total', () => {
    const vs = virtualService('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 1 }, { destination: { host: 'reviews', subset: 'v3' }, weight: 2 }] }] });
    const e = explainRoute(controlPlane([...bookinfo(), ...bookinfoSubsets(), vs]), pp, req('http://reviews:9080/')).explanation;
    expect(e.destinations.map((d) => d.weightPercent)).toEqual([33.33, 66.67]);
  });

  it('§1.10 outcomes decided by config: 404 NR, 503 NC, 503 UH, abort FI, redirect, direct response', () => {
    const res = (http: object[]) => controlPlane([...bookinfo(), ...bookinfoSubsets(), destinationRule('x', { host: 'ratings', subsets: [{ name: 'v9', labels: { version: 'v9' } }] }), virtualService('ratings', { hosts: ['ratings'], http: http as never })]);
    const result = (http: object[]) => {
      const c = res(http);
      return explainRoute(c, podOf(c, 'productpage-v1'), req('http://ratings:9080/r')).explanation.result;
    };
    expect(result([{ match: [{ uri: { prefix: '/nope' } }], route: [{ destination: { host: 'ratings' } }] }])).toEqual({ code: 404, flag: 'NR' });
    expect(result([{ route: [{ destination: { host: 'ratings', subset: 'v7' } }] }])).toEqual({ code: 503, flag: 'NC' });
    expect(result([{ route: [{ destination: { host: 'ratings', subset: 'v9' } }] }])).toEqual({ code: 503, flag: 'UH' });
    expect(result([{ fault: { abort: { httpStatus: 500, percentage: { value: 100 } } }, route: [{ destination: { host: 'ratings', subset: 'v1' } }] }])).toEqual({ code: 500, flag: 'FI' });
    expect(result([{ fault: { abort: { httpStatus: 500, percentage: { value: 50 } } }, route: [{ destination: { host: 'ratings', subset: 'v1' } }] }])).toBeNull();
    expect(result([{ redirect: { uri: '/x' } }])).toEqual({ code: 301, flag: '-' });
    expect(result([{ directResponse: { status: 204 } }])).toEqual({ code: 204, flag: '-' });
  });
});

describe('explainRoute without a client sidecar', () => {
  it('§6.2: a pod without a sidecar gets no Istio routing: kube-proxy to the Service', async () => {
    const { deployment } = await import('../helpers/build.ts');
    const plain = deployment('legacy');
    plain.podLabels = { ...plain.podLabels, 'sidecar.istio.io/inject': 'false' };
    const cp = controlPlane([...bookinfo(), plain, ...bookinfoSubsets(), testV2()]);
    const e = explainRoute(cp, podOf(cp, 'legacy'), req('http://reviews:9080/', { 'end-user': 'jason' })).explanation;
    expect(e.virtualService).toBeNull();
    expect(e.destinations).toEqual([{ host: 'reviews.default.svc.cluster.local', subset: null, port: 9080, weightPercent: 100 }]);
  });
});

describe('explainRoute from a gateway pod (§4, §8.9): Host header and listener pick the vhost', () => {
  const route = (url: string) =>
    meshsim(['route', 'scenarios/edge/istio-ingressgateway.yaml', 'scenarios/edge/httpbin.yaml', 'scenarios/edge/httpbin-gateway.yaml', '--from', 'istio-system/istio-ingressgateway', '--url', url, '--json']);

  it('§8.9 step 1: /status/200 for httpbin.example.com goes to httpbin by the gateway-bound VirtualService', () => {
    const r = route('http://httpbin.example.com/status/200');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      proxy: 'istio-ingressgateway-0.istio-system',
      virtualService: 'default/httpbin',
      rule: 0,
      destinations: [{ host: 'httpbin.default.svc.cluster.local', subset: null, port: 8000, weightPercent: 100 }],
      result: null,
    });
  });

  it('§8.9: /headers (no matching rule) and another host (no bound VirtualService) are 404 NR at the gateway', () => {
    expect(JSON.parse(route('http://httpbin.example.com/headers').stdout).result).toEqual({ code: 404, flag: 'NR' });
    const other = JSON.parse(route('http://other.example.com/status/200').stdout);
    expect(other).toMatchObject({ virtualService: null, result: { code: 404, flag: 'NR' } });
  });

  it('the Service port (80) is mapped to the container port the Gateway server listens on (8080); a port without a server refuses the connection', () => {
    const text = meshsim(['route', 'scenarios/edge/istio-ingressgateway.yaml', 'scenarios/edge/httpbin.yaml', 'scenarios/edge/httpbin-gateway.yaml', '--from', 'istio-system/istio-ingressgateway', '--url', 'http://httpbin.example.com/status/200']).stdout;
    expect(text).toContain('listener  port 80 of Service istio-system/istio-ingressgateway → container port 8080');
    expect(JSON.parse(route('http://httpbin.example.com:8443/').stdout).result).toEqual({ code: 0, flag: 'UF' });
  });
});
