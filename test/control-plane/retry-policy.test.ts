import { describe, expect, it } from 'vitest';
import { defaultProfile } from '../../sim/config/profile.ts';
import { convertRetryPolicy, parseRetryOn } from '../../sim/control-plane/retry-policy.ts';
import { RetryOn } from '../../sim/control-plane/types.ts';

const p128 = defaultProfile('1.28');

describe('retries → Envoy retry policy (istio-semantics.md §1.7, istio retry.go ConvertPolicy)', () => {
  it('§0: no retries field ⇒ Istio default: 2 retries on connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes, previous hosts', () => {
    const r = convertRetryPolicy(undefined, p128, false)!;
    expect(r.retries).toBe(2);
    expect(r.retryOn).toBe(RetryOn['connect-failure'] | RetryOn['refused-stream'] | RetryOn.unavailable | RetryOn.cancelled | RetryOn['retriable-status-codes']);
    expect(r.retriableStatusCodes).toEqual([]);
    expect(r.retryPreviousHosts).toBe(true);
    expect(r.hostSelectionMaxAttempts).toBe(5);
    expect(r.backoffBaseUs).toBe(25_000);
    expect(r.backoffMaxUs).toBe(250_000);
    expect(r.perTryTimeoutUs).toBe(0);
  });

  it('§9.4: before Istio 1.24 the default policy also retried upstream 503s', () => {
    expect(convertRetryPolicy(undefined, defaultProfile('1.23'), false)!.retriableStatusCodes).toEqual([503]);
    expect(convertRetryPolicy(undefined, defaultProfile('1.24'), false)!.retriableStatusCodes).toEqual([]);
  });

  it('attempts 0 disables retries entirely (no policy); so does a retries block without attempts', () => {
    expect(convertRetryPolicy({ attempts: 0 }, p128, false)).toBeNull();
    expect(convertRetryPolicy({ perTryTimeout: '1s' }, p128, false)).toBeNull();
  });

  it('attempts sets the number of RETRIES; retryOn omitted keeps the default conditions', () => {
    const r = convertRetryPolicy({ attempts: 3 }, p128, false)!;
    expect(r.retries).toBe(3);
    expect(r.retryOn & RetryOn['connect-failure']).not.toBe(0);
  });

  it('retryOn replaces the conditions; bare status codes become retriable-status-codes', () => {
    const r = convertRetryPolicy({ attempts: 2, retryOn: 'gateway-error,connect-failure,503' }, p128, false)!;
    expect(r.retryOn).toBe(RetryOn['gateway-error'] | RetryOn['connect-failure'] | RetryOn['retriable-status-codes']);
    expect(r.retriableStatusCodes).toEqual([503]);
    const five = convertRetryPolicy({ attempts: 2, retryOn: '5xx' }, defaultProfile('1.22'), false)!;
    expect(five.retriableStatusCodes).toEqual([]);
  });

  it('parseRetryOn: the whole Envoy vocabulary; unknown words and unknown numbers are ignored', () => {
    const all = parseRetryOn(
      '5xx,gateway-error,reset,reset-before-request,connect-failure,retriable-4xx,refused-stream,retriable-status-codes,retriable-headers,envoy-ratelimited,http3-post-connect-failure,cancelled,deadline-exceeded,internal,resource-exhausted,unavailable',
    );
    expect(all.unknown).toEqual([]);
    expect(all.bits).toBe(Object.values(RetryOn).reduce((a, b) => a | b, 0));
    const odd = parseRetryOn('bogus, 555 ,409');
    expect(odd.unknown).toEqual(['bogus', '555']);
    expect(odd.codes).toEqual([409]);
  });

  it('perTryTimeout, backoff (cap 10× base) and retryIgnorePreviousHosts are honoured', () => {
    const r = convertRetryPolicy({ attempts: 2, perTryTimeout: '200ms', backoff: '100ms', retryIgnorePreviousHosts: false }, p128, false)!;
    expect(r.perTryTimeoutUs).toBe(200_000);
    expect(r.backoffBaseUs).toBe(100_000);
    expect(r.backoffMaxUs).toBe(1_000_000);
    expect(r.retryPreviousHosts).toBe(false);
  });

  it('§2.3: with consistent hash the default policy omits the previous-hosts predicate', () => {
    expect(convertRetryPolicy(undefined, p128, true)!.retryPreviousHosts).toBe(false);
    expect(convertRetryPolicy({ attempts: 1, retryIgnorePreviousHosts: true }, p128, true)!.retryPreviousHosts).toBe(true);
  });
});
