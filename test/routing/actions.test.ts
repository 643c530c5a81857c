/**
 * Route actions (istio-semantics.md §1.4, §1.9): redirect, direct response, rewrite, header
 * operations and mirroring.
 */
import { describe, expect, it } from 'vitest';
import type { HTTPRoute } from '../../sim/config/istio-types.ts';
import type { Resource } from '../../sim/config/types.ts';
import type { UpstreamEvent } from '../../sim/trace/events.ts';
import { redirectLocation } from '../../sim/data-plane/headers.ts';
import { lookupRoute } from '../../sim/data-plane/router.ts';
import { runScenario } from '../../sim/run.ts';
import * as b from '../helpers/build.ts';
import { bookinfo, bookinfoSubsets, controlPlane, podOf, req, versionSubsets, virtualService } from '../helpers/istio.ts';
import { SidecarMesh } from './harness.ts';
import { withinBinomial } from './stats.ts';

function ratingsMesh(rules: HTTPRoute[], extra: Resource[] = []) {
  return new SidecarMesh([...bookinfo(), ...bookinfoSubsets(), ...extra, virtualService('ratings', { hosts: ['ratings'], http: rules })]);
}

const v1 = [{ destination: { host: 'ratings', subset: 'v1' } }];

describe('redirect and direct response (§1.9)', () => {
  it('redirect answers 301 by default from the client proxy; other codes as configured', () => {
    const m = ratingsMesh([{ match: [{ uri: { exact: '/old' } }], redirect: { uri: '/new' } }, { match: [{ uri: { exact: '/tmp' } }], redirect: { uri: '/x', redirectCode: 307 } }]);
    const a = m.send('productpage-v1', req('http://ratings:9080/old'));
    const c = m.send('productpage-v1', req('http://ratings:9080/tmp'));
    m.run();
    expect([a.status, c.status]).toEqual([301, 307]);
    expect(m.received.length).toBe(0);
  });

  it('redirect location: uri replaces the path; authority, scheme and port rewrite; derivePort', () => {
    const cp = controlPlane([
      ...bookinfo(),
      virtualService('ratings', {
        hosts: ['ratings'],
        http: [
          { match: [{ uri: { exact: '/a' } }], redirect: { uri: '/b' } },
          { match: [{ uri: { exact: '/s' } }], redirect: { scheme: 'https', authority: 'secure.example.com' } },
          { match: [{ uri: { exact: '/p' } }], redirect: { authority: 'h', port: 8443 } },
          { match: [{ uri: { exact: '/d' } }], redirect: { authority: 'h', derivePort: 'FROM_REQUEST_PORT' } },
        ],
      }),
    ]);
    const loc = (path: string) => {
      const head = req(`http://ratings:9080${path}?q=1`);
      const look = lookupRoute(cp.configFor(podOf(cp, 'productpage-v1')), cp.ctx.registry, 'default', head);
      if (look.kind !== 'route' || look.route.action.kind !== 'redirect') throw new Error('no redirect');
      return redirectLocation(look.route.action, head, look.matched);
    };
    expect(loc('/a')).toBe('http://ratings:9080/b?q=1');
    expect(loc('/s')).toBe('https://secure.example.com/s?q=1');
    expect(loc('/p')).toBe('http://h:8443/p?q=1');
    expect(loc('/d')).toBe('http://h:9080/d?q=1');
  });

  it('directResponse answers with its status and never reaches a workload', () => {
    const m = ratingsMesh([{ directResponse: { status: 418, body: { string: 'teapot' } } }]);
    const a = m.send('productpage-v1', req('http://ratings:9080/'));
    m.run();
    expect(a.status).toBe(418);
    expect(m.received.length).toBe(0);
  });
});

describe('rewrite and header operations (§1.4, §1.9)', () => {
  it('rewrite.uri replaces the matched prefix; x-envoy-original-path keeps the old path', () => {
    const m = ratingsMesh([{ match: [{ uri: { prefix: '/v1/ratings' } }], rewrite: { uri: '/ratings' }, route: v1 }, { match: [{ uri: { exact: '/e' } }], rewrite: { uri: '/whole' }, route: v1 }]);
    m.send('productpage-v1', req('http://ratings:9080/v1/ratings/7'));
    m.send('productpage-v1', req('http://ratings:9080/e'));
    m.run();
    expect(m.received.map((r) => r.head.path)).toEqual(['/ratings/7', '/whole']);
    expect(m.received[0].head.headers.get('x-envoy-original-path')).toBe('/v1/ratings/7');
  });

  it('uriRegexRewrite substitutes with RE2 groups; rewrite.authority sets the host', () => {
    const m = ratingsMesh([{ rewrite: { uriRegexRewrite: { match: '^/service/([^/]+)(/.*)$', rewrite: '\\2/instance/\\1' }, authority: 'ratings.internal' }, route: v1 }]);
    m.send('productpage-v1', req('http://ratings:9080/service/foo/v1/api'));
    m.run();
    expect(m.received[0].head.path).toBe('/v1/api/instance/foo');
    expect(m.received[0].head.host).toBe('ratings.internal');
  });

  it('request headers: set overwrites, add appends, remove deletes; destination level applies after route level', () => {
    const m = ratingsMesh([
      {
        headers: { request: { set: { 'x-a': 'route' }, add: { 'x-list': 'r' }, remove: ['x-drop'] } },
        route: [{ destination: { host: 'ratings', subset: 'v1' }, headers: { request: { set: { 'x-a': 'dest', 'x-b': 'dest' } } } }],
      },
    ]);
    m.send('productpage-v1', req('http://ratings:9080/', { 'x-a': 'client', 'x-list': 'c', 'x-drop': '1' }));
    m.run();
    const h = m.received[0].head.headers;
    expect(h.get('x-a')).toBe('dest');
    expect(h.get('x-b')).toBe('dest');
    expect(h.get('x-list')).toBe('c,r');
    expect(h.has('x-drop')).toBe(false);
  });

  it('the application’s own request is left untouched by rewrites (the sidecar sends a copy)', () => {
    const m = ratingsMesh([{ rewrite: { uri: '/x' }, headers: { request: { set: { 'x-a': '1' } } }, route: v1 }]);
    const head = req('http://ratings:9080/orig');
    m.send('productpage-v1', head);
    m.run();
    expect(head.path).toBe('/orig');
    expect(head.headers.has('x-a')).toBe(false);
  });
});

describe('mirroring (§1.9, §8.7)', () => {
  const httpbin = (): Resource[] => [
    b.namespace('default'),
    { ...b.service('httpbin', 8000), ports: [{ name: 'http', port: 8000, targetPort: 8080, protocol: 'TCP' }] },
    b.deployment('httpbin-v1', { app: 'httpbin', version: 'v1' }),
    b.deployment('httpbin-v2', { app: 'httpbin', version: 'v2' }),
    b.deployment('sleep'),
    versionSubsets('httpbin', ['v1', 'v2']),
  ];
  const mirrorVs = (pct?: number) =>
    virtualService('httpbin', {
      hosts: ['httpbin'],
      http: [{ route: [{ destination: { host: 'httpbin', subset: 'v1' }, weight: 100 }], mirror: { host: 'httpbin', subset: 'v2' }, ...(pct === undefined ? {} : { mirrorPercentage: { value: pct } }) }],
    });

  it('every request also reaches v2 with host "-shadow"; the client only gets v1’s answer', () => {
    const m = new SidecarMesh([...httpbin(), mirrorVs(100)], { script: (pod) => ({ status: pod.deployment === 'httpbin-v2' ? 500 : 200, delayUs: 1000 }) });
    const answers = [0, 1, 2].map(() => m.send('sleep', req('http://httpbin:8000/headers')));
    m.run();
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const v2 = m.received.filter((r) => r.pod.startsWith('httpbin-v2'));
    expect(v2.length).toBe(3);
    expect(v2.every((r) => r.head.host === 'httpbin-shadow')).toBe(true);
    expect(m.received.filter((r) => r.pod.startsWith('httpbin-v1')).every((r) => r.head.host === 'httpbin')).toBe(true);
  });

  it('the copy never delays the main response', () => {
    const m = new SidecarMesh([...httpbin(), mirrorVs()], { script: (pod) => ({ status: 200, delayUs: pod.deployment === 'httpbin-v2' ? 5_000_000 : 1000 }) });
    const a = m.send('sleep', req('http://httpbin:8000/'));
    m.run();
    expect(a.atUs).toBe(1000);
    const events = m.upstreamEvents() as UpstreamEvent[];
    expect(events.map((e) => `${e.version}:${e.code}`).sort()).toEqual(['v1:200', 'v2:200']);
    expect(events.find((e) => e.version === 'v2')!.route).toBeNull();
  });

  it('mirrorPercentage samples copies per request; explicit 0 means no mirroring', () => {
    const zero = new SidecarMesh([...httpbin(), mirrorVs(0)]);
    zero.send('sleep', req('http://httpbin:8000/'));
    zero.run();
    expect(zero.received.length).toBe(1);
    const s = b.scenario({ resources: [...httpbin(), mirrorVs(25)], traffic: [b.openTraffic('c', 'sleep', 'http://httpbin:8000/', 200, { stopUs: 5_000_000 })] });
    const edges = runScenario(s).summary.edges.filter((e) => e.service === 'httpbin');
    const v1n = edges.find((e) => e.version === 'v1')!.requests;
    const v2n = edges.find((e) => e.version === 'v2')!.requests;
    expect(withinBinomial(v2n, v1n, 0.25)).toBe(true);
  });
});
