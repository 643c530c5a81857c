/**
 * The data plane skips the inbound verdict when `inboundIsOpen` says no rule can act (hot path,
 * issue #10). That shortcut must agree with `inboundVerdict` (istio-semantics.md §5.1, §2.7, §9.1)
 * in every case it covers: it may only say "open" where the full chain passes without claims.
 */
import { describe, expect, it } from 'vitest';
import type { PodInfo } from '../../sim/control-plane/registry.ts';
import type { InboundSecurity, PeerMode } from '../../sim/control-plane/security/index.ts';
import { inboundIsOpen, inboundVerdict } from '../../sim/data-plane/inbound-security.ts';
import { req } from '../helpers/istio.ts';

const pod = (over: Partial<PodInfo>): PodInfo => ({
  id: 1,
  name: 'httpbin-0',
  namespace: 'foo',
  deployment: 'httpbin',
  labels: {},
  serviceAccount: 'httpbin',
  version: null,
  app: 'httpbin',
  hasSidecar: true,
  ip: '10.0.0.2',
  namedPorts: {},
  ...over,
});
const client = pod({ id: 0, name: 'sleep-0', deployment: 'sleep', serviceAccount: 'sleep', ip: '10.0.0.1' });

const modes: PeerMode[] = ['PERMISSIVE', 'STRICT', 'DISABLE'];
function securities(): (InboundSecurity | undefined)[] {
  const out: (InboundSecurity | undefined)[] = [undefined];
  for (const mode of modes) {
    out.push({ mode, portModes: null, peerPolicy: null, authz: null, jwt: null });
    for (const portMode of modes) out.push({ mode, portModes: new Map([[8080, portMode]]), peerPolicy: 'foo/pa', authz: null, jwt: null });
  }
  // Any JWT or authorization rule closes the fast path, whatever it says.
  out.push({ mode: 'PERMISSIVE', portModes: null, peerPolicy: null, authz: { allow: [], deny: [], audit: [], custom: [] } as unknown as InboundSecurity['authz'], jwt: null });
  out.push({ mode: 'PERMISSIVE', portModes: null, peerPolicy: null, authz: null, jwt: { rules: [], policies: ['foo/ra'] } as unknown as InboundSecurity['jwt'] });
  return out;
}

describe('inbound fast path agrees with the full inbound verdict', () => {
  it('open ⇒ the verdict passes without claims; closed without rules ⇒ the verdict does not pass', () => {
    let open = 0;
    let closed = 0;
    for (const sec of securities()) {
      for (const dest of [pod({}), pod({ hasSidecar: false }), pod({ gateway: true })]) {
        for (const mtls of [false, true]) {
          for (const port of [8080, 9090]) {
            const fast = inboundIsOpen(sec, dest, mtls, port);
            const v = inboundVerdict(sec, { head: req('http://httpbin.foo:8000/ip'), mtls, sourcePod: client, destPod: dest, port, trustDomain: 'cluster.local', nowUs: 0, tokens: null });
            const ctx = JSON.stringify({ sec: sec && { ...sec, portModes: sec.portModes && [...sec.portModes] }, dest: { sidecar: dest.hasSidecar, gateway: dest.gateway }, mtls, port });
            if (fast) {
              open++;
              expect(v.kind, ctx).toBe('pass');
              expect(v.kind === 'pass' ? v.claims ?? null : 'x', ctx).toBeNull();
            } else {
              closed++;
              if (sec === undefined || (sec.jwt === null && sec.authz === null)) expect(v.kind, ctx).not.toBe('pass');
            }
          }
        }
      }
    }
    // Both branches are exercised.
    expect(open).toBeGreaterThan(20);
    expect(closed).toBeGreaterThan(20);
  });
});
