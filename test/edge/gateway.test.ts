/**
 * Gateway binding rules (istio-semantics.md §4) on the compiled tables, and the IST0101
 * diagnostics for references that do not resolve.
 */
import { describe, expect, it } from 'vitest';
import type { GatewaySpec } from '../../sim/config/gateway-schema.ts';
import type { Resource, ResourceMeta } from '../../sim/config/types.ts';
import { lookupGatewayRoute } from '../../sim/control-plane/gateway.ts';
import { deployment, namespace, service } from '../helpers/build.ts';
import { controlPlane, podOf, req, virtualService } from '../helpers/istio.ts';

let order = 50_000;
function gateway(name: string, spec: GatewaySpec, ns = 'default'): Resource {
  const meta: ResourceMeta = { kind: 'Gateway', apiVersion: 'networking.istio.io/v1', name, namespace: ns, labels: {}, annotations: {}, source: { file: '<test>', line: 1, col: 1 }, order: order++, positions: new Map() };
  return { kind: 'Gateway', meta, spec };
}

function ingress(): Resource[] {
  const d = deployment('istio-ingressgateway', { namespace: 'istio-system', app: 'istio-ingressgateway' });
  const labels = { app: 'istio-ingressgateway', istio: 'ingressgateway' };
  return [
    namespace('istio-system', {}),
    { ...d, selector: labels, podLabels: labels },
    { ...service('istio-ingressgateway', 80, { namespace: 'istio-system' }), selector: labels, ports: [{ name: 'http2', port: 80, targetPort: 8080, protocol: 'TCP' }] },
    namespace('default'),
    service('httpbin', 8000),
    deployment('httpbin'),
    namespace('other'),
  ];
}

const server = (hosts: string[], number = 80) => ({ port: { number, name: 'http', protocol: 'HTTP' }, hosts });

function outcome(resources: Resource[], url: string, host?: string): string {
  const cp = controlPlane(resources);
  const pod = podOf(cp, 'istio-ingressgateway', 'istio-system');
  const gw = cp.configFor(pod).gateway;
  if (!gw) return 'no gateway config';
  const look = lookupGatewayRoute(gw, req(url, host ? { host } : {}));
  return look.kind === 'route' ? `route ${look.route.vs}#${look.route.ruleIndex}` : '404 NR';
}

describe('gateway binding (§4)', () => {
  const vs = (hosts: string[], gateways: string[], ns = 'default', prefix = '/status') =>
    virtualService('httpbin', { hosts, gateways, http: [{ match: [{ uri: { prefix } }], route: [{ destination: { host: 'httpbin.default.svc.cluster.local', port: { number: 8000 } } }] }] }, ns);

  it('server port 80 is the listener on targetPort 8080; Host picks the vhost', () => {
    const r = [...ingress(), gateway('gw', { selector: { istio: 'ingressgateway' }, servers: [server(['httpbin.example.com'])] }), vs(['httpbin.example.com'], ['gw'])];
    expect(outcome(r, 'http://x:8080/status/200', 'httpbin.example.com')).toBe('route default/httpbin#0');
    expect(outcome(r, 'http://x:8080/status/200', 'httpbin.example.com:80')).toBe('route default/httpbin#0');
    expect(outcome(r, 'http://x:80/status/200', 'httpbin.example.com')).toBe('404 NR');
    expect(outcome(r, 'http://x:8080/headers', 'httpbin.example.com')).toBe('404 NR');
    expect(outcome(r, 'http://x:8080/status/200', 'other.example.com')).toBe('404 NR');
  });
  it('wildcard server host *.example.com accepts dev.example.com but not example.com', () => {
    const r = [...ingress(), gateway('gw', { selector: { istio: 'ingressgateway' }, servers: [server(['*.example.com'])] }), vs(['*'], ['gw'])];
    expect(outcome(r, 'http://x:8080/status/1', 'dev.example.com')).toBe('route default/httpbin#0');
    expect(outcome(r, 'http://x:8080/status/1', 'example.com')).toBe('404 NR');
  });
  it('a VirtualService not naming the Gateway does not bind', () => {
    const r = [...ingress(), gateway('gw', { selector: { istio: 'ingressgateway' }, servers: [server(['*'])] }), vs(['*'], ['mesh'])];
    expect(outcome(r, 'http://x:8080/status/1', 'a.b')).toBe('404 NR');
  });
  it('namespace part of server hosts: "other/*" binds only VirtualServices from namespace other', () => {
    const r = [...ingress(), gateway('gw', { selector: { istio: 'ingressgateway' }, servers: [server(['other/*'])] }), vs(['*'], ['default/gw'])];
    expect(outcome(r, 'http://x:8080/status/1', 'a.b')).toBe('404 NR');
    const r2 = [...ingress(), gateway('gw', { selector: { istio: 'ingressgateway' }, servers: [server(['other/*'])] }), vs(['*'], ['default/gw'], 'other')];
    expect(outcome(r2, 'http://x:8080/status/1', 'a.b')).toBe('route other/httpbin#0');
  });
  it('"./*" binds VirtualServices of the Gateway\'s own namespace', () => {
    const r = [...ingress(), gateway('gw', { selector: { istio: 'ingressgateway' }, servers: [server(['./*'])] }), vs(['*'], ['gw'])];
    expect(outcome(r, 'http://x:8080/status/1', 'a.b')).toBe('route default/httpbin#0');
  });
  it('a gateway-only VirtualService does not affect sidecars', () => {
    const r = [...ingress(), gateway('gw', { selector: { istio: 'ingressgateway' }, servers: [server(['*'])] }), vs(['httpbin'], ['gw'])];
    const cp = controlPlane(r);
    const vh = cp.configFor(podOf(cp, 'httpbin')).routes.get(8000)!.vhosts.get('httpbin.default.svc.cluster.local')!;
    expect(vh.vs).toBeNull();
  });
});

describe('unresolved references (IST0101)', () => {
  it('VirtualService naming a Gateway that does not exist', () => {
    const cp = controlPlane([...ingress(), virtualService('v', { hosts: ['a.example.com'], gateways: ['missing-gw'], http: [{ route: [{ destination: { host: 'httpbin' } }] }] })]);
    expect(cp.diagnostics.filter((d) => d.code === 'IST0101').map((d) => d.message)).toEqual(['Referenced gateway not found: "default/missing-gw"']);
  });
  it('Gateway whose selector matches no pod', () => {
    const cp = controlPlane([...ingress(), gateway('gw', { selector: { istio: 'egressgateway' }, servers: [server(['*'])] })]);
    expect(cp.diagnostics.filter((d) => d.code === 'IST0101').map((d) => d.message)).toEqual(['Referenced selector not found: "istio=egressgateway" (no gateway pod has these labels)']);
  });
});
