/**
 * Sidecar injection (istio-semantics.md §6.2), PeerAuthentication precedence (§5.1), auto mTLS and
 * DestinationRule tls overrides (§2.7), and the server's inbound verdict.
 */
import { describe, expect, it } from 'vitest';
import type { PeerAuthenticationSpec } from '../../sim/config/security-schema.ts';
import type { DeploymentResource, PeerAuthenticationResource, Resource } from '../../sim/config/types.ts';
import { defaultProfile } from '../../sim/config/profile.ts';
import { injectsSidecar, Registry, type PodInfo } from '../../sim/control-plane/registry.ts';
import { peerModeAt, SecurityConfig } from '../../sim/control-plane/security/index.ts';
import type { ClusterConfig } from '../../sim/control-plane/types.ts';
import { clientSendsMtls, inboundVerdict } from '../../sim/data-plane/inbound-security.ts';
import { deployment, namespace } from '../helpers/build.ts';
import { req } from '../helpers/istio.ts';

let order = 0;
function pa(name: string, ns: string, spec: PeerAuthenticationSpec): PeerAuthenticationResource {
  return {
    kind: 'PeerAuthentication',
    meta: { kind: 'PeerAuthentication', apiVersion: 'security.istio.io/v1', name, namespace: ns, labels: {}, annotations: {}, source: { file: '<test>', line: 1, col: 1 }, order: order++, positions: new Map() },
    spec,
  };
}

function world(extra: Resource[]): { registry: Registry; sec: SecurityConfig; pod: (ns: string, d: string) => PodInfo } {
  const resources: Resource[] = [
    namespace('foo'),
    namespace('bar'),
    namespace('legacy', {}),
    deployment('httpbin', { namespace: 'foo', sa: 'httpbin' }),
    deployment('httpbin', { namespace: 'bar', sa: 'httpbin' }),
    deployment('sleep', { namespace: 'foo', sa: 'sleep' }),
    deployment('sleep', { namespace: 'legacy', sa: 'sleep' }),
    ...extra,
  ];
  const registry = new Registry(resources);
  const sec = new SecurityConfig(resources, defaultProfile(), []);
  return { registry, sec, pod: (ns, d) => registry.pods.find((p) => p.namespace === ns && p.deployment === d)! };
}

describe('sidecar injection (§6.2)', () => {
  const d = (labels: Record<string, string> = {}, annotations: Record<string, string> = {}): DeploymentResource => ({ ...deployment('x'), podLabels: { app: 'x', ...labels }, podAnnotations: annotations });
  it.each([
    ['namespace istio-injection=enabled', d(), { 'istio-injection': 'enabled' }, true],
    ['namespace istio.io/rev=<rev>', d(), { 'istio.io/rev': 'canary' }, true],
    ['no namespace label', d(), {}, false],
    ['namespace istio-injection=disabled beats istio.io/rev', d(), { 'istio-injection': 'disabled', 'istio.io/rev': 'x' }, false],
    ['pod label sidecar.istio.io/inject=false beats the namespace', d({ 'sidecar.istio.io/inject': 'false' }), { 'istio-injection': 'enabled' }, false],
    ['pod label sidecar.istio.io/inject=true without namespace label', d({ 'sidecar.istio.io/inject': 'true' }), {}, true],
    ['pod annotation sidecar.istio.io/inject=false', d({}, { 'sidecar.istio.io/inject': 'false' }), { 'istio-injection': 'enabled' }, false],
  ] as const)('%s → %s', (_name, dep, nsLabels, want) => {
    expect(injectsSidecar(dep, nsLabels)).toBe(want);
  });
});

describe('PeerAuthentication precedence (§5.1: workload > namespace > mesh > PERMISSIVE)', () => {
  it('no policy ⇒ PERMISSIVE', () => {
    const w = world([]);
    expect(peerModeAt(w.sec.inboundFor(w.pod('foo', 'httpbin')), 8080)).toBe('PERMISSIVE');
  });
  it('mesh-wide STRICT in the root namespace applies everywhere', () => {
    const w = world([pa('default', 'istio-system', { mtls: { mode: 'STRICT' } })]);
    expect(peerModeAt(w.sec.inboundFor(w.pod('bar', 'httpbin')), 8080)).toBe('STRICT');
  });
  it('namespace policy beats mesh-wide; other namespaces keep the mesh mode', () => {
    const w = world([pa('default', 'istio-system', { mtls: { mode: 'STRICT' } }), pa('default', 'foo', { mtls: { mode: 'PERMISSIVE' } })]);
    expect(peerModeAt(w.sec.inboundFor(w.pod('foo', 'httpbin')), 8080)).toBe('PERMISSIVE');
    expect(peerModeAt(w.sec.inboundFor(w.pod('bar', 'httpbin')), 8080)).toBe('STRICT');
  });
  it('workload policy (selector) beats the namespace policy (§8.12 precedence: overwrite-example DISABLE)', () => {
    const w = world([pa('default', 'foo', { mtls: { mode: 'STRICT' } }), pa('overwrite-example', 'foo', { selector: { matchLabels: { app: 'httpbin' } }, mtls: { mode: 'DISABLE' } })]);
    expect(peerModeAt(w.sec.inboundFor(w.pod('foo', 'httpbin')), 8080)).toBe('DISABLE');
    expect(peerModeAt(w.sec.inboundFor(w.pod('foo', 'sleep')), 8080)).toBe('STRICT');
  });
  it('UNSET inherits from the parent level', () => {
    const w = world([pa('default', 'foo', { mtls: { mode: 'STRICT' } }), pa('wl', 'foo', { selector: { matchLabels: { app: 'httpbin' } }, mtls: { mode: 'UNSET' } })]);
    expect(peerModeAt(w.sec.inboundFor(w.pod('foo', 'httpbin')), 8080)).toBe('STRICT');
  });
  it('portLevelMtls overrides per workload port only', () => {
    const w = world([pa('httpbin', 'bar', { selector: { matchLabels: { app: 'httpbin' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { '8080': { mode: 'DISABLE' } } })]);
    const sec = w.sec.inboundFor(w.pod('bar', 'httpbin'));
    expect(peerModeAt(sec, 8080)).toBe('DISABLE');
    expect(peerModeAt(sec, 9000)).toBe('STRICT');
  });
  it('the oldest namespace-wide policy wins', () => {
    const w = world([pa('a', 'foo', { mtls: { mode: 'STRICT' } }), pa('b', 'foo', { mtls: { mode: 'DISABLE' } })]);
    expect(w.sec.inboundFor(w.pod('foo', 'httpbin')).peerPolicy).toBe('foo/a');
  });
});

describe('client TLS (§2.7) and the inbound verdict (§5.1)', () => {
  const cluster = (tls?: 'DISABLE' | 'ISTIO_MUTUAL' | 'SIMPLE'): ClusterConfig =>
    ({ name: 'c', host: 'h', service: null, port: 8000, subset: null, endpoints: [], lb: { kind: 'LEAST_REQUEST' }, policy: tls ? { tls: { mode: tls } } : {} }) as ClusterConfig;
  const verdict = (w: ReturnType<typeof world>, from: PodInfo, to: PodInfo, mtls: boolean) =>
    inboundVerdict(w.sec.inboundFor(to), { head: req('http://httpbin.foo:8000/ip'), mtls, sourcePod: from, destPod: to, port: 8080, trustDomain: 'cluster.local', nowUs: 0, tokens: null }).kind;

  it('auto mTLS: mTLS to endpoints with a sidecar, plaintext to those without, plaintext to DISABLE servers', () => {
    const w = world([pa('d', 'bar', { mtls: { mode: 'DISABLE' } })]);
    expect(clientSendsMtls(cluster(), w.pod('foo', 'httpbin'), w.sec.inboundFor(w.pod('foo', 'httpbin')), 8080)).toBe(true);
    expect(clientSendsMtls(cluster(), w.pod('legacy', 'sleep'), w.sec.inboundFor(w.pod('legacy', 'sleep')), 8080)).toBe(false);
    expect(clientSendsMtls(cluster(), w.pod('bar', 'httpbin'), w.sec.inboundFor(w.pod('bar', 'httpbin')), 8080)).toBe(false);
  });
  it('DR tls overrides auto mTLS: DISABLE ⇒ plaintext, ISTIO_MUTUAL ⇒ mTLS even to a pod without sidecar', () => {
    const w = world([]);
    expect(clientSendsMtls(cluster('DISABLE'), w.pod('foo', 'httpbin'), undefined, 8080)).toBe(false);
    expect(clientSendsMtls(cluster('ISTIO_MUTUAL'), w.pod('legacy', 'sleep'), undefined, 8080)).toBe(true);
    expect(clientSendsMtls(cluster('SIMPLE'), w.pod('foo', 'httpbin'), undefined, 8080)).toBe(false);
  });
  it('STRICT resets plaintext, accepts mTLS; PERMISSIVE accepts both; DISABLE cannot terminate mTLS; no sidecar fails the handshake', () => {
    const w = world([pa('default', 'foo', { mtls: { mode: 'STRICT' } }), pa('default', 'bar', { mtls: { mode: 'DISABLE' } })]);
    const legacy = w.pod('legacy', 'sleep');
    const sleep = w.pod('foo', 'sleep');
    expect(verdict(w, legacy, w.pod('foo', 'httpbin'), false)).toBe('reset');
    expect(verdict(w, sleep, w.pod('foo', 'httpbin'), true)).toBe('pass');
    expect(verdict(w, sleep, w.pod('bar', 'httpbin'), true)).toBe('reset');
    expect(verdict(w, legacy, w.pod('bar', 'httpbin'), false)).toBe('pass');
    expect(verdict(w, sleep, legacy, true)).toBe('connect-failure');
  });
  it('the peer principal flows with mTLS only', () => {
    const w = world([]);
    const x = { head: req('http://httpbin.foo:8000/ip'), sourcePod: w.pod('foo', 'sleep'), destPod: w.pod('foo', 'httpbin'), port: 8080, trustDomain: 'cluster.local', nowUs: 0, tokens: null };
    expect(inboundVerdict(w.sec.inboundFor(x.destPod), { ...x, mtls: true })).toEqual({ kind: 'pass', principal: 'cluster.local/ns/foo/sa/sleep' });
    expect(inboundVerdict(w.sec.inboundFor(x.destPod), { ...x, mtls: false })).toEqual({ kind: 'pass', principal: '' });
  });
});
