/**
 * Labs 06–08 (timeouts and retries, circuit breaking, outlier detection): the starting files
 * and the common mistakes fail with the hint written for them, typos are located at file:line
 * with the fix, and each step's answer leaves the next step failing for the right reason.
 * (labs.test.ts proves for every lab that the solutions pass and keep the trace invariants.)
 */
import { describe, expect, it } from 'vitest';
import { checkWith, edit, labFile, lineOf, WS } from './lab-harness.ts';

describe('lab 06-timeouts-retries (istio-semantics.md §8.5, §1.7)', () => {
  const ID = '06-timeouts-retries';
  const F = 'virtual-services.yaml';
  const start = labFile(ID, 'start', F);
  const step1 = labFile(ID, 'solution', F, 1);
  const step2 = labFile(ID, 'solution', F, 2);
  const check = (step: number, text: string) => checkWith(ID, step, { [F]: text });

  it('start: no timeout, so no 504 UT on web → catalog and pages take 2 s', () => {
    const c = check(1, start);
    expect(c.passed).toBe(false);
    expect(c.hints).toEqual([expect.stringMatching(/^No 504 UT on web → catalog: .*`timeout: 0\.5s`/)]);
  });

  it('a timeout above the app\'s own 3 s changes nothing (§8.5 note): the same hint says so', () => {
    const c = check(1, edit(step1, 'timeout: 0.5s', 'timeout: 4s'));
    expect(c.passed).toBe(false);
    expect(c.hints[0]).toMatch(/A timeout of 3 s or more changes nothing/);
  });

  it('step 2 without retries: sleep never retries payments', () => {
    const c = check(2, step1);
    expect(c.passed).toBe(false);
    expect(c.hints[0]).toMatch(/^sleep's sidecar never retried/);
  });

  it('retryOn "503" does not retry a per-try timeout: 504 UT, and the hint names retryOn 5xx', () => {
    const c = check(2, edit(step2, 'retryOn: 5xx\n---\n# The team', 'retryOn: "503"\n---\n# The team'));
    expect(c.passed).toBe(false);
    expect(c.hints).toEqual([expect.stringMatching(/^Calls end in 504 UT: a per-try timeout fired and was not retried\. retryOn must\s+include `5xx`/)]);
  });

  it('retries without perTryTimeout: the hung calls still hang (p99), the hint asks for perTryTimeout', () => {
    const c = check(2, edit(step2, '      perTryTimeout: 200ms\n', ''));
    expect(c.passed).toBe(false);
    expect(c.verdicts.find((v) => v.name.startsWith('no payment waits for a hung attempt'))?.passed).toBe(false);
    expect(c.hints[0]).toMatch(/Add `perTryTimeout: 200ms`/);
  });

  it('step 3 with every layer retrying: 64 tries at inventory per checkout, the storm hint', () => {
    const c = check(3, step2);
    expect(c.passed).toBe(false);
    const edge = c.run!.summary.edges.find((e) => e.source === 'orders' && e.service === 'inventory')!;
    expect(edge.requests).toBe(64 * 50);
    expect(c.hints[0]).toMatch(/^Retry storm: every layer retries/);
  });

  it('step 3 with no retries anywhere: "one layer still retries" fails with its hint', () => {
    const none = labFile(ID, 'solution', F).replace(/ {4}retries:\n {6}attempts: 3\n {6}retryOn: 5xx\n/g, '');
    const c = check(3, none);
    expect(c.passed).toBe(false);
    expect(c.hints).toEqual([expect.stringMatching(/^Nothing retries any more/)]);
  });

  it('a misspelled field: file, line and "did you mean \'perTryTimeout\'"', () => {
    const bad = edit(step2, 'perTryTimeout: 200ms', 'perTryTimout: 200ms');
    const c = check(2, bad);
    expect(c.passed).toBe(false);
    expect(c.hints.join('\n')).toContain(`${WS}/${F}:${lineOf(bad, 'perTryTimout')}:`);
    expect(c.hints.join('\n')).toMatch(/did you mean 'perTryTimeout'/);
  });

  it('wrong indentation: file, line and "indentation"', () => {
    const bad = edit(step1, '    timeout: 0.5s\n', '    timeout: 0.5s\n   retries: {}\n');
    const c = check(1, bad);
    expect(c.passed).toBe(false);
    expect(c.run).toBeNull();
    expect(c.hints.join('\n')).toMatch(new RegExp(`${WS}/${F}:\\d+:\\d+: .*indentation`));
  });
});

describe('lab 07-circuit-breaking (istio-semantics.md §8.6, §2.4)', () => {
  const ID = '07-circuit-breaking';
  const F = 'destination-rule-httpbin.yaml';
  const solution = labFile(ID, 'solution', F);
  const check = (text: string) => checkWith(ID, 1, { [F]: text });
  const UO_HINT = /^No 503 UO: http1MaxPendingRequests\/maxConnections are not set on the DestinationRule\s+the traffic uses/;

  it('start: no limits, no 503 UO — the hint names both fields and the DestinationRule', () => {
    const c = check(labFile(ID, 'start', F));
    expect(c.passed).toBe(false);
    expect(c.hints).toEqual([expect.stringMatching(UO_HINT)]);
  });

  it('only maxConnections: the extra requests wait instead of overflowing (no UO)', () => {
    const c = check(edit(solution, '        http1MaxPendingRequests: 1\n', ''));
    expect(c.passed).toBe(false);
    expect(c.run!.summary.edges.every((e) => (e.flags.UO ?? 0) === 0)).toBe(true);
    expect(c.hints).toEqual([expect.stringMatching(UO_HINT)]);
  });

  it('limits on a subset that no route uses do not apply: the same hint (not under a subset)', () => {
    const subset = [
      'apiVersion: networking.istio.io/v1',
      'kind: DestinationRule',
      'metadata:',
      '  name: httpbin',
      'spec:',
      '  host: httpbin',
      '  subsets:',
      '  - name: v1',
      '    labels:',
      '      version: v1',
      '    trafficPolicy:',
      '      connectionPool:',
      '        tcp:',
      '          maxConnections: 1',
      '        http:',
      '          http1MaxPendingRequests: 1',
      '          maxRequestsPerConnection: 1',
      '',
    ].join('\n');
    const c = check(subset);
    expect(c.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
    expect(c.passed).toBe(false);
    expect(c.hints[0]).toMatch(/not under a\s+subset/);
  });

  it('the solution gives the task\'s pending overflow at c=3 (UO on every 503, none reached httpbin)', () => {
    const c = check(solution);
    expect(c.passed).toBe(true);
    const local = c.run!.summary.edges.find((e) => e.source === 'fortio-deploy' && e.destination === null)!;
    expect(local.codes).toEqual({ '503': local.requests });
    expect(local.flags).toEqual({ UO: local.requests });
  });

  it('a misspelled field: file, line and "did you mean \'http1MaxPendingRequests\'"', () => {
    const bad = edit(solution, 'http1MaxPendingRequests: 1', 'http1MaxPendingRequest: 1');
    const c = check(bad);
    expect(c.passed).toBe(false);
    expect(c.hints.join('\n')).toContain(`${WS}/${F}:${lineOf(bad, 'http1MaxPendingRequest:')}:`);
    expect(c.hints.join('\n')).toMatch(/did you mean 'http1MaxPendingRequests'/);
  });
});

describe('lab 08-outlier-detection (istio-semantics.md §2.5)', () => {
  const ID = '08-outlier-detection';
  const F = 'destination-rule-httpbin.yaml';
  const solution = labFile(ID, 'solution', F);
  const check = (text: string) => checkWith(ID, 1, { [F]: text });

  it('start: nothing ejected, about a third of the calls fail', () => {
    const c = check(labFile(ID, 'start', F));
    expect(c.passed).toBe(false);
    expect(c.hints).toEqual([expect.stringMatching(/^Nothing was ejected.*`maxEjectionPercent: 100`/s)]);
  });

  it('maxEjectionPercent left at its 10% default ejects nobody with three pods (current Envoy)', () => {
    const c = check(edit(solution, '      maxEjectionPercent: 100\n', ''));
    expect(c.passed).toBe(false);
    expect(c.verdicts.find((v) => v.name === "sleep's sidecar ejects the failing pod")?.passed).toBe(false);
    expect(c.hints[0]).toMatch(/10% of three pods\s+is less than one pod/);
  });

  it('the solution ejects the bad pod at its first 503 and the error rate drops from ~1/3 to < 2%', () => {
    const before = check(labFile(ID, 'start', F));
    const after = check(solution);
    const rate = (c: typeof after) => {
      const cl = c.run!.summary.clients[0];
      return (cl.codes['503'] ?? 0) / cl.requests;
    };
    // 1 pod of 3 fails: with n ≈ 400 the share lies within 1/3 ± 0.1 (well over 4 sigma).
    expect(Math.abs(rate(before) - 1 / 3)).toBeLessThan(0.1);
    expect(rate(after)).toBeLessThan(0.02);
  });

  it('a misspelled field: file, line and "did you mean \'consecutive5xxErrors\'"', () => {
    const bad = edit(solution, 'consecutive5xxErrors: 1', 'consecutive5xxError: 1');
    const c = check(bad);
    expect(c.passed).toBe(false);
    expect(c.hints.join('\n')).toContain(`${WS}/${F}:${lineOf(bad, 'consecutive5xxError:')}:`);
    expect(c.hints.join('\n')).toMatch(/did you mean 'consecutive5xxErrors'/);
  });
});
