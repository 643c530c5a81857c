/**
 * Envoy's retry decision for one failed attempt (envoyproxy/envoy source/common/router/
 * retry_state_impl.cc, wouldRetryFromHeaders / wouldRetryFromReset; istio-semantics.md §1.7).
 */
import type { Rng } from '../engine/rng.ts';
import { RetryOn, type RetryPolicy } from '../control-plane/types.ts';

export const enum AttemptFailure {
  /** The upstream answered with a status. */
  Response = 0,
  /** TCP connect refused or timed out. */
  ConnectFailure = 1,
  /** Connection reset after connect, before response headers. */
  Reset = 2,
  /** perTryTimeout fired. */
  PerTryTimeout = 3,
}

const RESET_LIKE = RetryOn['5xx'] | RetryOn['gateway-error'] | RetryOn.reset;

/** Would this outcome be retried under `policy` (ignoring how many retries are left)? */
export function isRetriable(policy: RetryPolicy, failure: AttemptFailure, status: number): boolean {
  const on = policy.retryOn;
  switch (failure) {
    case AttemptFailure.ConnectFailure:
      return (on & (RESET_LIKE | RetryOn['connect-failure'] | RetryOn['reset-before-request'])) !== 0;
    case AttemptFailure.Reset:
    case AttemptFailure.PerTryTimeout:
      return (on & RESET_LIKE) !== 0;
    case AttemptFailure.Response:
      if (status >= 500 && (on & RetryOn['5xx']) !== 0) return true;
      if ((status === 502 || status === 503 || status === 504) && (on & RetryOn['gateway-error']) !== 0) return true;
      if (status === 409 && (on & RetryOn['retriable-4xx']) !== 0) return true;
      if ((on & RetryOn['retriable-status-codes']) !== 0 && policy.retriableStatusCodes.indexOf(status) >= 0) return true;
      return false;
  }
}

/**
 * Envoy's fully jittered exponential back-off: before retry n (1-based) wait a uniform draw in
 * [0, min((2^n − 1)·base, max)).
 */
export function backoffUs(policy: RetryPolicy, retryNumber: number, rng: Rng): number {
  const ceiling = Math.min((2 ** retryNumber - 1) * policy.backoffBaseUs, policy.backoffMaxUs);
  return ceiling > 0 ? rng.int(ceiling) : 0;
}
