/**
 * Timeouts and retries in the client sidecar (istio-semantics.md §1.7).
 */
import { describe, expect, it } from 'vitest';
import type { HTTPRoute } from '../../sim/config/istio-types.ts';
import { defaultProfile } from '../../sim/config/profile.ts';
import type { UpstreamEvent } from '../../sim/trace/events.ts';
import { bookinfo, bookinfoSubsets, req, virtualService } from '../helpers/istio.ts';
import { SidecarMesh, type Script } from './harness.ts';

function mesh(rule: Partial<HTTPRoute> | null, script: Script, profile = defaultProfile()) {
  const vs = rule ? [virtualService('ratings', { hosts: ['ratings'], http: [{ route: [{ destination: { host: 'ratings', subset: 'v1' } }], ...rule }] })] : [];
  return new SidecarMesh([...bookinfo(), ...bookinfoSubsets(), ...vs], { script, profile });
}

const always = (status: number, delayUs = 1000): Script => () => ({ status, delayUs });
const ratings = () => req('http://ratings:9080/ratings/0');
const attempts = (m: SidecarMesh) => m.upstreamEvents() as UpstreamEvent[];

describe('retries (§1.7)', () => {
  it('retries: 503 with retryOn=5xx (attempts=3): 4 tries, last answer returned with URX', () => {
    const m = mesh({ retries: { attempts: 3, retryOn: '5xx' } }, always(503));
    const a = m.send('productpage-v1', ratings());
    m.run();
    expect(a.status).toBe(503);
    expect(a.flags).toBe('URX');
    expect(attempts(m).map((e) => `${e.attempt}:${e.code}:${e.flags}`)).toEqual(['1:503:-', '2:503:-', '3:503:-', '4:503:URX']);
    expect(m.received.map((r) => r.attemptCount)).toEqual(['1', '2', '3', '4']);
  });

  it('x-envoy-attempt-count is 1 on a first try that succeeds', () => {
    const m = mesh(null, always(200));
    m.send('productpage-v1', ratings());
    m.run();
    expect(m.received.map((r) => r.attemptCount)).toEqual(['1']);
  });

  it('§0 default policy (Istio ≥ 1.24): an upstream 503 is not retried', () => {
    const m = mesh(null, always(503));
    const a = m.send('productpage-v1', ratings());
    m.run();
    expect(attempts(m).length).toBe(1);
    expect(a.flags).toBe('-');
  });

  it('§9.4 default policy before Istio 1.24 retried upstream 503 twice', () => {
    const m = mesh(null, always(503), defaultProfile('1.23'));
    const a = m.send('productpage-v1', ratings());
    m.run();
    expect(attempts(m).length).toBe(3);
    expect(a.flags).toBe('URX');
  });

  it('attempts 0 disables retries: a 503 with retryOn 5xx is returned at once', () => {
    const m = mesh({ retries: { attempts: 0, retryOn: '5xx' } }, always(503));
    m.send('productpage-v1', ratings());
    m.run();
    expect(attempts(m).length).toBe(1);
  });

  it('numeric retryOn codes: "500" retries 500 but not 503', () => {
    const m500 = mesh({ retries: { attempts: 2, retryOn: '500' } }, always(500));
    m500.send('productpage-v1', ratings());
    m500.run();
    expect(attempts(m500).length).toBe(3);
    const m503 = mesh({ retries: { attempts: 2, retryOn: '500' } }, always(503));
    m503.send('productpage-v1', ratings());
    m503.run();
    expect(attempts(m503).length).toBe(1);
  });

  it('perTryTimeout with retryOn 5xx: each slow try ends 504 UT and is retried; the last adds URX', () => {
    const m = mesh({ retries: { attempts: 2, perTryTimeout: '100ms', retryOn: '5xx' } }, always(200, 500_000));
    const a = m.send('productpage-v1', ratings());
    m.run();
    expect(attempts(m).map((e) => e.flags)).toEqual(['UT', 'UT', 'UT,URX']);
    expect(a.status).toBe(504);
    // Three 100 ms tries plus back-off (< 25 ms, < 75 ms).
    expect(a.atUs).toBeGreaterThanOrEqual(300_000);
    expect(a.atUs).toBeLessThan(400_000);
  });

  it('perTryTimeout with the default retryOn does not retry: 504 UT after one try', () => {
    const m = mesh({ retries: { attempts: 2, perTryTimeout: '100ms' } }, always(200, 500_000));
    const a = m.send('productpage-v1', ratings());
    m.run();
    expect(attempts(m).length).toBe(1);
    expect(a.status).toBe(504);
    expect(a.flags).toBe('UT');
  });

  it('the route timeout covers all attempts and back-off: 504 UT and no more retries', () => {
    const m = mesh({ timeout: '250ms', retries: { attempts: 5, perTryTimeout: '100ms', retryOn: '5xx' } }, always(200, 500_000));
    const a = m.send('productpage-v1', ratings());
    m.run();
    expect(a.status).toBe(504);
    expect(a.flags).toBe('UT');
    expect(a.atUs).toBe(250_000);
    expect(attempts(m).length).toBeLessThanOrEqual(3);
  });

  it("back-off: retry n waits below (2^n − 1)·base with Envoy's 25 ms base, or the VS backoff", () => {
    const m = mesh({ retries: { attempts: 3, retryOn: '5xx', backoff: '1s' } }, always(503, 0));
    m.send('productpage-v1', ratings());
    m.run();
    const starts = m.received.map((r) => r.atUs);
    const gaps = starts.slice(1).map((t, i) => t - starts[i]);
    expect(gaps[0]).toBeLessThan(1_000_000);
    expect(gaps[1]).toBeLessThan(3_000_000);
    expect(gaps[2]).toBeLessThan(7_000_000);
    expect(Math.max(...gaps)).toBeGreaterThan(25_000);
  });

  it('retryIgnorePreviousHosts: retries avoid the host that failed (previous_hosts predicate)', () => {
    const res = [...bookinfo(), ...bookinfoSubsets(), virtualService('reviews', { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' } }], retries: { attempts: 2, retryOn: '5xx' } }] })];
    let spread = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const m = new SidecarMesh(res, { script: always(503), seed });
      m.send('productpage-v1', req('http://reviews:9080/'));
      m.run();
      if (new Set(m.received.map((r) => r.pod)).size === 3) spread++;
    }
    // With 3 hosts and 5 re-picks per retry a repeat is rare (< 1 % per retry).
    expect(spread).toBeGreaterThanOrEqual(18);
  });
});
