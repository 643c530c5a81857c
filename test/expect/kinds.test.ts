/**
 * Every expectation kind passes on a trace that satisfies it and fails, naming the observed value
 * and the bound, on one that does not. Traces are written by hand so the numbers are known.
 */
import { describe, expect, it } from 'vitest';
import { evaluateExpectations, type VerdictReport } from '../../sim/expect/expectations.ts';
import type { ExpectationSpec } from '../../sim/config/types.ts';
import type { TraceEvent } from '../../sim/trace/events.ts';
import { clients, eject, end, push, spec, times, up } from './trace-builders.ts';

function one(s: ExpectationSpec, events: TraceEvent[]): VerdictReport {
  return evaluateExpectations([s], events, clients)[0];
}

/** 100 attempts: `v1` of them to reviews-v1, the rest to reviews-v3. */
const splitTrace = (v1: number, n = 100): TraceEvent[] => times(n, (i) => up({ destination: i < v1 ? 'reviews-v1' : 'reviews-v3', startUs: i * 1000 }));

describe('split (score bound)', () => {
  const check = { kind: 'split', by: 'version', shares: { v1: 0.5, v3: 0.5 }, tolerance: null, confidence: 0.999 } as const;

  it('split: 48 of 100 on v1 passes a 50/50 split at 99.9 % (bound ±16.5 points)', () => {
    const r = one(spec(check), splitTrace(48));
    expect(r.passed).toBe(true);
    expect(r.detail).toContain('v1: observed 48 % (n=100), expected 50 % ± 16.5 % at 99.9 %');
    expect(r.observed).toEqual({ v1: 0.48, v3: 0.52 });
  });

  it('split: 80 of 100 on v1 fails, naming observed share, bound and confidence', () => {
    const r = one(spec(check), splitTrace(80));
    expect(r.passed).toBe(false);
    expect(r.detail).toContain('v1: observed 80 % (n=100), expected 50 % ± 16.5 % at 99.9 % ✗');
  });

  it('split: a version outside the expected split fails (expected 0 %)', () => {
    const r = one(spec({ ...check, shares: { v1: 1 } }), [...splitTrace(99, 99), up({ destination: 'reviews-v2' })]);
    expect(r.passed).toBe(false);
    expect(r.detail).toContain('v2: observed 1 % (n=100), expected 0 % ✗');
  });

  it('split: tolerance widens the band beyond the statistical bound', () => {
    const r = one(spec({ ...check, tolerance: 0.35 }), splitTrace(80));
    expect(r.passed).toBe(true);
    expect(r.detail).toContain('expected 50 % ± 35 % (tolerance)');
  });

  it('split by workload counts destinations; requests that reached no workload count as (none)', () => {
    const events = [...times(9, () => up({ destination: 'reviews-v1' })), up({ destination: null, code: 503, flags: 'NC' })];
    const r = one(spec({ ...check, by: 'workload', shares: { 'reviews-v1': 1 } }), events);
    expect(r.passed).toBe(false);
    expect(r.detail).toContain('(none): observed 10 % (n=10), expected 0 % ✗');
    expect(r.flags).toEqual({ NC: 1 });
  });

  it('split: no requests in scope fails and says so', () => {
    expect(one(spec(check), []).detail).toMatch(/no requests in scope/);
  });

  it('split: fromConfig origin is named in the verdict', () => {
    const r = one(spec({ ...check, origin: 'VirtualService default/reviews rule 0' }), splitTrace(50));
    expect(r.detail).toMatch(/weights from VirtualService default\/reviews rule 0$/);
  });
});

describe('split exact counts', () => {
  const check = { kind: 'splitCounts', by: 'version', counts: { v1: 48, v3: 52 } } as const;
  it('exact: 48/52 matches counts 48/52', () => {
    const r = one(spec(check), splitTrace(48));
    expect(r.passed).toBe(true);
    expect(r.detail).toBe('v1: observed 48, expected 48; v3: observed 52, expected 52 (n=100; exact counts hold for this seed only)');
  });
  it('exact: 49/51 fails against 48/52, naming both counts', () => {
    const r = one(spec(check), splitTrace(49));
    expect(r.passed).toBe(false);
    expect(r.detail).toContain('v1: observed 49, expected 48 ✗; v3: observed 51, expected 52 ✗');
  });
});

describe('latency', () => {
  const trace = times(100, (i) => end({ latencyUs: (i + 1) * 1000, startUs: i * 10_000 }));
  it('latency: p99 of 1..100 ms is 99 ms; "< 100ms" passes', () => {
    const r = one(spec({ kind: 'latency', percentile: 99, op: '<', valueUs: 100_000 }, { client: 'c' }), trace);
    expect(r.passed).toBe(true);
    expect(r.detail).toMatch(/^p99 observed 99\.\d+ ms, expected < 100 ms \(n=100\)$/);
  });
  it('latency: p50 "< 20ms" fails with the observed p50', () => {
    const r = one(spec({ kind: 'latency', percentile: 50, op: '<', valueUs: 20_000 }, { client: 'c' }), trace);
    expect(r.passed).toBe(false);
    expect(r.detail).toMatch(/^p50 observed 50\.\d+ ms, expected < 20 ms/);
  });
  it('latency: mean is exact (50.5 ms); max is the largest sample', () => {
    expect(one(spec({ kind: 'latency', percentile: 50, statistic: 'mean', op: '<=', valueUs: 50_500 }), trace)).toMatchObject({ passed: true, detail: 'mean observed 50.5 ms, expected <= 50.5 ms (n=100)' });
    expect(one(spec({ kind: 'latency', percentile: 100, op: '<', valueUs: 100_000 }), trace)).toMatchObject({ passed: false, detail: 'max observed 100 ms, expected < 100 ms (n=100)' });
  });
});

describe('codes and flags', () => {
  const trace = [...times(95, () => up({ code: 200 })), ...times(5, () => up({ code: 503, flags: 'UO', destination: null }))];
  it('codes: 503 share ">= 5%" passes at 5 %', () => {
    expect(one(spec({ kind: 'code', code: '503', op: '>=', fraction: 0.05, count: null }, { edge: { service: 'reviews' } }), trace)).toMatchObject({
      passed: true,
      detail: '503 observed 5 % (5 of n=100), expected >= 5 %',
    });
  });
  it('codes: a flag share "< 1%" fails at 5 %', () => {
    expect(one(spec({ kind: 'code', code: 'UO', op: '<', fraction: 0.01, count: null }, { edge: { service: 'reviews' } }), trace)).toMatchObject({
      passed: false,
      detail: 'UO observed 5 % (5 of n=100), expected < 1 %',
    });
  });
  it('codes: "== 10%" uses the score bound (5 of 100 is outside 10 % ± 9.9 %? no: inside)', () => {
    const r = one(spec({ kind: 'code', code: '503', op: '==', fraction: 0.1, count: null }, { edge: { service: 'reviews' } }), trace);
    expect(r.detail).toBe('503 observed 5 % (5 of n=100), expected 10 % ± 9.9 % at 99.9 %');
    expect(r.passed).toBe(true);
    const strict = one(spec({ kind: 'code', code: '503', op: '==', fraction: 0.3, count: null }, { edge: { service: 'reviews' } }), trace);
    expect(strict.passed).toBe(false);
    expect(strict.detail).toBe('503 observed 5 % (5 of n=100), expected 30 % ± 15.1 % at 99.9 %');
  });
  it('counts: "503 == 0" fails with 5 and passes on a clean trace', () => {
    const check = { kind: 'code', code: '503', op: '==', fraction: null, count: 0 } as const;
    expect(one(spec(check, { edge: { service: 'reviews' } }), trace)).toMatchObject({ passed: false, detail: '503 observed 5 of n=100, expected == 0' });
    expect(one(spec(check, { edge: { service: 'reviews' } }), trace.slice(0, 95)).passed).toBe(true);
  });
});

describe('success and error rates (Flagger meaning)', () => {
  const trace = [...times(97, () => end({ code: 200 })), end({ code: 503 }), end({ code: 0, flags: 'DC' }), end({ code: 404 })];
  it("successRate is Flagger's request-success-rate: non-5xx share (404 and code 0 count as success)", () => {
    expect(one(spec({ kind: 'successRate', op: '>=', fraction: 0.99 }, { client: 'c' }), trace)).toMatchObject({
      passed: true,
      detail: 'success rate (non-5xx) observed 99 % (99 of n=100), expected >= 99 %',
    });
  });
  it('successRate ">= 99.5%" fails at 99 %', () => {
    expect(one(spec({ kind: 'successRate', op: '>=', fraction: 0.995 }, { client: 'c' }), trace).passed).toBe(false);
  });
  it('errorRate counts 5xx and no answer (code 0): 2 %', () => {
    expect(one(spec({ kind: 'errorRate', op: '<', fraction: 0.01 }, { client: 'c' }), trace)).toMatchObject({
      passed: false,
      detail: 'error rate (5xx or no answer) observed 2 % (2 of n=100), expected < 1 %',
    });
    expect(one(spec({ kind: 'errorRate', op: '<=', fraction: 0.02 }, { client: 'c' }), trace).passed).toBe(true);
  });
});

describe('requests, never reaches, retries, ejections', () => {
  it('requests: an edge with "== 0" passes when nothing flows and fails when something does', () => {
    const check = { kind: 'requests', op: '==', count: 0 } as const;
    const scope = { edge: { from: 'productpage-v1', to: 'reviews-v3' } };
    expect(one(spec(check, scope), splitTrace(100)).passed).toBe(true);
    expect(one(spec(check, scope), splitTrace(90))).toMatchObject({ passed: false, detail: 'requests observed 10, expected == 0' });
  });

  it('neverReaches: passes when no attempt reaches the workload; fails with the count and the first time', () => {
    const check = { kind: 'neverReaches' as const, workloads: ['reviews-v3'] };
    expect(one(spec(check, { client: 'c' }), splitTrace(100))).toMatchObject({ passed: true, detail: 'reviews-v3 reached 0 times (n=100 attempts in scope)' });
    const r = one(spec(check, { client: 'c' }), splitTrace(97));
    expect(r.passed).toBe(false);
    expect(r.detail).toBe('reviews-v3 reached 3 times (first attempt started at 97 ms), expected 0 ✗ (n=100 attempts in scope)');
  });

  it('neverReaches with a client scope looks at every hop of that client, not the first only', () => {
    const deep = [up({ source: 'reviews-v2', service: 'ratings', destination: 'ratings-v1' })];
    expect(one(spec({ kind: 'neverReaches', workloads: ['ratings-v1'] }, { client: 'c' }), deep).passed).toBe(false);
  });

  it('retries: attempts > 1 counted; "<= 1" fails at 2, a share of attempts works too', () => {
    const trace = [up({ attempt: 1, code: 503 }), up({ attempt: 2, code: 503 }), up({ attempt: 3 }), ...times(7, () => up())];
    expect(one(spec({ kind: 'retries', op: '<=', count: 1, fraction: null }), trace)).toMatchObject({ passed: false, detail: 'retries observed 2 (of n=10 attempts), expected <= 1' });
    expect(one(spec({ kind: 'retries', op: '<=', count: 2, fraction: null }), trace).passed).toBe(true);
    expect(one(spec({ kind: 'retries', op: '<', fraction: 0.25, count: null }), trace)).toMatchObject({ passed: true, detail: 'retries observed 20 % (2 of n=10), expected < 25 %' });
  });

  it('ejections: counts outlier.eject events in scope (workload / edge.to = ejected host, edge.from = ejecting proxy, edge.service = cluster)', () => {
    const check = { kind: 'ejections', op: '==', count: 0 } as const;
    expect(one(spec(check), splitTrace(50))).toMatchObject({ passed: true, detail: 'ejections observed 0, expected == 0' });
    // reviews-v3-0 and reviews-v1-0 are known from the attempts productpage-v1-0 sent them.
    const trace = [...splitTrace(50), eject(200_000, 'reviews-v3-0'), eject(300_000, 'reviews-v1-0'), eject(400_000, 'reviews-v3-0')];
    expect(one(spec(check), trace)).toMatchObject({ passed: false, detail: 'ejections observed 3, expected == 0' });
    expect(one(spec(check, { workload: 'reviews-v3' }), trace)).toMatchObject({ detail: 'ejections observed 2, expected == 0' });
    expect(one(spec(check, { edge: { to: 'reviews-v1' } }), trace)).toMatchObject({ detail: 'ejections observed 1, expected == 0' });
    expect(one(spec(check, { edge: { from: 'productpage-v1', service: 'reviews' } }), trace)).toMatchObject({ detail: 'ejections observed 3, expected == 0' });
    expect(one(spec(check, { edge: { from: 'reviews-v2' } }), trace)).toMatchObject({ passed: true, detail: 'ejections observed 0, expected == 0' });
    expect(one(spec(check, { edge: { service: 'ratings' } }), trace)).toMatchObject({ passed: true });
    expect(one(spec(check, { workload: 'reviews-v3', window: { fromUs: 350_000, toUs: 1e9 } }), trace)).toMatchObject({ detail: 'ejections observed 1, expected == 0' });
    // The attempt that triggers an ejection is traced after it: a pod seen only later still counts.
    const late = [eject(0, 'reviews-v2-0'), up({ destination: 'reviews-v2', startUs: 10 })];
    expect(one(spec(check, { workload: 'reviews-v2' }), late)).toMatchObject({ detail: 'ejections observed 1, expected == 0' });
  });
});

describe('proxyConfig', () => {
  const trace = [push('productpage-v1-0', 1, 0), push('reviews-v1-0', 1, 0), push('productpage-v1-0', 2, 30_000_000), push('reviews-v1-0', 2, 36_000_000)];
  it('proxyConfig: every proxy runs version 2 by 40s', () => {
    expect(one(spec({ kind: 'proxyConfig', version: 2, byUs: 40_000_000 }), trace)).toMatchObject({
      passed: true,
      detail: 'all 2 proxies ran version 2 by 40s (the last got it at 36s)',
    });
  });
  it('proxyConfig: by 35s one proxy still runs version 1, named with when it caught up', () => {
    expect(one(spec({ kind: 'proxyConfig', version: 'latest', byUs: 35_000_000 }), trace)).toMatchObject({
      passed: false,
      detail: '1 of 2 proxies did not run the latest version (2) by 35s: reviews-v1-0 (version 1 at 35s, reached it at 36s)',
    });
  });
  it('proxyConfig: a workload scope keeps that workload\'s pods; a version never pushed fails', () => {
    expect(one(spec({ kind: 'proxyConfig', version: 2, byUs: 35_000_000 }, { workload: 'productpage-v1' }), trace).passed).toBe(true);
    expect(one(spec({ kind: 'proxyConfig', version: 3, byUs: 35_000_000 }), trace).detail).toMatch(/version 3 was never pushed: the run pushed versions 1–2/);
  });
});

describe('scopes', () => {
  it('edge: from/service/to narrow upstream attempts', () => {
    const trace = [up({ source: 'productpage-v1', service: 'reviews' }), up({ source: 'reviews-v2', service: 'ratings', destination: 'ratings-v1' })];
    const r = one(spec({ kind: 'requests', op: '==', count: 1 }, { edge: { from: 'reviews-v2', service: 'ratings', to: 'ratings-v1' } }), trace);
    expect(r.passed).toBe(true);
  });
  it('rule: only attempts routed by "ns/name#index"', () => {
    const trace = [...times(3, () => up({ route: 'default/reviews#0' })), ...times(2, () => up({ route: 'default/reviews#1' }))];
    expect(one(spec({ kind: 'requests', op: '==', count: 2 }, { rule: { virtualService: 'default/reviews', index: 1 } }), trace).passed).toBe(true);
  });
  it('workload: requests served by a workload, as its callers saw them', () => {
    const trace = [up({ destination: 'reviews-v3', latencyUs: 50_000 }), up({ destination: 'reviews-v1', latencyUs: 1000 })];
    const r = one(spec({ kind: 'latency', percentile: 100, op: '<', valueUs: 10_000 }, { workload: 'reviews-v3' }), trace);
    expect(r).toMatchObject({ passed: false, detail: 'max observed 50 ms, expected < 10 ms (n=1)' });
  });
  it('window: during [from, to) keeps requests that started inside it', () => {
    const trace = times(60, (i) => up({ startUs: i * 1_000_000 }));
    expect(one(spec({ kind: 'requests', op: '==', count: 10 }, { edge: { service: 'reviews' }, window: { fromUs: 30_000_000, toUs: 40_000_000 } }), trace).passed).toBe(true);
    expect(one(spec({ kind: 'requests', op: '==', count: 15 }, { edge: { service: 'reviews' }, window: { fromUs: 45_000_000, toUs: 3600_000_000 } }), trace).passed).toBe(true);
  });
  it('client split without an edge looks at the client\'s first hop', () => {
    const trace = [up({ source: 'productpage-v1', destination: 'reviews-v1' }), up({ source: 'reviews-v1', service: 'ratings', destination: 'ratings-v1', version: 'v9' })];
    const r = one(spec({ kind: 'split', by: 'version', shares: { v1: 1 }, tolerance: null, confidence: 0.999 }, { client: 'c' }), trace);
    expect(r.passed).toBe(true);
  });
});

describe('over time (always / eventually)', () => {
  // Version v1 for the first 30 s, then v3: a shift at 30 s, 10 requests per second.
  const shift = times(600, (i) => up({ startUs: i * 100_000, destination: i < 300 ? 'reviews-v1' : 'reviews-v3' }));
  const onV3 = { kind: 'split', by: 'version', shares: { v3: 1 }, tolerance: null, confidence: 0.999 } as const;
  const bucket = 5_000_000;

  it('eventually: holds from 30s on, naming when it settled', () => {
    const r = one(spec(onV3, {}, { mode: 'eventually', bucketUs: bucket }), shift);
    expect(r.passed).toBe(true);
    expect(r.detail).toMatch(/^eventually: holds from 30s on \(6 of 12 buckets of 5s with data\); last \[55s, 60s\): v3: observed 100 %/);
    expect(r.buckets?.filter((b) => b.passed)).toHaveLength(6);
  });
  it('eventually: fails when the last bucket does not hold', () => {
    const r = one(spec(onV3, {}, { mode: 'eventually', bucketUs: bucket }), shift.slice(0, 300));
    expect(r.passed).toBe(false);
    expect(r.detail).toMatch(/^eventually: does not hold at the end; last of 6 buckets of 5s with data \[25s, 30s\): v3: observed 0 %/);
  });
  it('always: fails in the buckets before the shift, naming the first', () => {
    const r = one(spec(onV3, {}, { mode: 'always', bucketUs: bucket }), shift);
    expect(r.passed).toBe(false);
    expect(r.detail).toMatch(/^always: fails in 6 of 12 buckets of 5s with data; first \[0s, 5s\): v3: observed 0 % \(n=50\), expected 100 % exactly/);
  });
  it('always: holds after the shift; buckets without requests are skipped', () => {
    const gap = shift.filter((e) => e.startUs < 40_000_000 || e.startUs >= 50_000_000);
    const r = one(spec(onV3, { window: { fromUs: 30_000_000, toUs: 60_000_000 } }, { mode: 'always', bucketUs: bucket }), gap);
    expect(r.passed).toBe(true);
    expect(r.detail).toMatch(/^always: holds in all 4 buckets of 5s with data/);
  });
  it('always splits the error budget over buckets (Bonferroni): 12 buckets at 99.9 % test each at 99.99 %', () => {
    const even = times(600, (i) => up({ startUs: i * 100_000, destination: i % 2 === 0 ? 'reviews-v1' : 'reviews-v3' }));
    const r = one(spec({ kind: 'split', by: 'version', shares: { v1: 0.5, v3: 0.5 }, tolerance: null, confidence: 0.999 }, {}, { mode: 'always', bucketUs: bucket }), even);
    expect(r.passed).toBe(true);
    // z for 1 − 0.001/12 is 3.94: ±27.8 points at n=50 (±23.3 without the correction).
    expect(r.detail).toContain('expected 50 % ± 27.8 % at 99.9 %');
  });
  it('always: a latency bound per bucket', () => {
    const slowLate = times(100, (i) => end({ startUs: i * 1_000_000, latencyUs: i < 50 ? 5000 : 500_000 }));
    const r = one(spec({ kind: 'latency', percentile: 99, op: '<', valueUs: 100_000 }, { client: 'c' }, { mode: 'always', bucketUs: 10_000_000 }), slowLate);
    expect(r.passed).toBe(false);
    expect(r.detail).toMatch(/first \[50s, 60s\): p99 observed 500(\.\d+)? ms, expected < 100 ms/);
  });
});

describe('reports', () => {
  it('a report carries the kind, n, codes, flags and the source location for hints', () => {
    const r = one(spec({ kind: 'requests', op: '>', count: 0 }, { edge: { service: 'reviews' } }), [up(), up({ code: 503, flags: 'NC', destination: null })]);
    expect(r).toMatchObject({ kind: 'requests', n: 2, codes: { '200': 1, '503': 1 }, flags: { NC: 1 }, source: { file: 'sc.yaml', line: 3, col: 5 } });
  });
});
