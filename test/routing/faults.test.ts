/**
 * Fault injection in the caller's sidecar (istio-semantics.md §1.8).
 */
import { describe, expect, it } from 'vitest';
import type { HTTPFaultInjection } from '../../sim/config/istio-types.ts';
import { faultPolicy } from '../../sim/control-plane/routes.ts';
import { runScenario } from '../../sim/run.ts';
import * as b from '../helpers/build.ts';
import { bookinfo, bookinfoSubsets, virtualService } from '../helpers/istio.ts';
import { withinBinomial } from './stats.ts';

function run(fault: HTTPFaultInjection, opts: { rate?: number; stopUs?: number; retries?: object; status?: number } = {}) {
  const vs = virtualService('ratings', { hosts: ['ratings'], http: [{ fault, route: [{ destination: { host: 'ratings', subset: 'v1' } }], ...(opts.retries ? { retries: opts.retries } : {}) }] });
  const s = b.scenario({
    resources: [...bookinfo(), ...bookinfoSubsets(), vs],
    traffic: [b.openTraffic('c', 'sleep', 'http://ratings:9080/ratings/0', opts.rate ?? 50, { stopUs: opts.stopUs ?? 2_000_000 })],
    zeroLatency: true,
  });
  return runScenario(s).summary;
}

describe('fault policy compile (§1.8)', () => {
  it('percentage.value becomes parts per million; omitted percentage = no fault; deprecated int percent is honoured for delay', () => {
    expect(faultPolicy({ delay: { fixedDelay: '7s', percentage: { value: 100 } } })!.delay).toEqual({ delayUs: 7_000_000, ppm: 1_000_000 });
    expect(faultPolicy({ delay: { fixedDelay: '2s', percentage: { value: 0.1 } } })!.delay!.ppm).toBe(1000);
    expect(faultPolicy({ delay: { fixedDelay: '2s' } })).toBeNull();
    expect(faultPolicy({ delay: { fixedDelay: '2s', percent: 50 } })!.delay!.ppm).toBe(500_000);
    expect(faultPolicy({ abort: { httpStatus: 500 } })).toBeNull();
    expect(faultPolicy({ abort: { httpStatus: 500, percentage: { value: 100 } } })!.abort!.status).toBe(500);
    expect(faultPolicy({ delay: { exponentialDelay: '1s', percentage: { value: 100 } } })).toBeNull();
  });
});

describe('fault injection at run time (§1.8)', () => {
  it('abort at 100 %: the proxy answers with the status and FI, the upstream is never contacted', () => {
    const sum = run({ abort: { httpStatus: 500, percentage: { value: 100 } } });
    const edges = sum.edges.filter((e) => e.service === 'ratings');
    expect(edges.length).toBe(1);
    expect(edges[0].destination).toBeNull();
    expect(edges[0].flags).toEqual({ FI: edges[0].requests });
    expect(edges[0].codes).toEqual({ '500': edges[0].requests });
  });

  it('aborted requests are not retried, even with a retry policy that retries 5xx', () => {
    const sum = run({ abort: { httpStatus: 503, percentage: { value: 100 } } }, { retries: { attempts: 3, retryOn: '5xx' } });
    const client = sum.clients[0];
    const e = sum.edges.find((x) => x.service === 'ratings')!;
    expect(e.requests).toBe(client.requests);
  });

  it('delay at 100 %: the response comes fixedDelay later with flag DI', () => {
    const sum = run({ delay: { fixedDelay: '2s', percentage: { value: 100 } } }, { rate: 10, stopUs: 1_000_000 });
    const e = sum.edges.find((x) => x.service === 'ratings')!;
    expect(e.flags).toEqual({ DI: e.requests });
    expect(e.codes).toEqual({ '200': e.requests });
    expect(sum.clients[0].latencyMs.p50).toBeGreaterThanOrEqual(2000);
    expect(sum.clients[0].latencyMs.max).toBeLessThan(2010);
  });

  it('a delay is not cut by the route timeout of the same route (the timer starts after the fault filter)', () => {
    const vs = virtualService('ratings', {
      hosts: ['ratings'],
      http: [{ fault: { delay: { fixedDelay: '1s', percentage: { value: 100 } } }, timeout: '500ms', route: [{ destination: { host: 'ratings', subset: 'v1' } }] }],
    });
    const s = b.scenario({ resources: [...bookinfo(), ...bookinfoSubsets(), vs], traffic: [b.openTraffic('c', 'sleep', 'http://ratings:9080/', 10, { stopUs: 1_000_000 })], zeroLatency: true });
    const e = runScenario(s).summary.edges.find((x) => x.service === 'ratings')!;
    expect(e.codes).toEqual({ '200': e.requests });
  });

  it('delay and abort are independent per-request draws at their percentages', () => {
    const sum = run(
      { delay: { fixedDelay: '1ms', percentage: { value: 30 } }, abort: { httpStatus: 500, percentage: { value: 50 } } },
      { rate: 400, stopUs: 10_000_000 },
    );
    const e = sum.edges.filter((x) => x.service === 'ratings');
    const n = e.reduce((a, x) => a + x.requests, 0);
    const count = (flag: string) => e.reduce((a, x) => a + (x.flags[flag] ?? 0), 0);
    const aborted = count('FI') + count('DI,FI');
    const delayed = count('DI') + count('DI,FI');
    expect(withinBinomial(aborted, n, 0.5)).toBe(true);
    expect(withinBinomial(delayed, n, 0.3)).toBe(true);
    expect(withinBinomial(count('DI,FI'), n, 0.15)).toBe(true);
  });
});
