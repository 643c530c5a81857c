/**
 * Istio's default HTTP retry policy for outbound routes without `retries` (istio-semantics.md §0,
 * §1.7; istio/istio pilot/pkg/networking/core/route/retry/retry.go DefaultPolicy): 2 retries on
 * connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes; previous-hosts
 * predicate with 5 host-selection attempts; Envoy back-off 25 ms base, 250 ms cap.
 * Before Istio 1.24 the retriable status codes also held 503 (profile switch defaultRetryOn503).
 * With consistent-hash load balancing the previous-hosts predicate is left out
 * (DefaultConsistentHashPolicy), so a retry goes back to the same hashed host.
 */
import type { SemanticsProfile } from '../config/types.ts';
import { RetryOn, type RetryPolicy } from './types.ts';

export const DEFAULT_BACKOFF_BASE_US = 25_000;
export const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';

export function defaultRetryPolicy(profile: SemanticsProfile, consistentHash = false): RetryPolicy {
  return {
    retries: 2,
    retryOn:
      RetryOn['connect-failure'] | RetryOn['refused-stream'] | RetryOn.unavailable | RetryOn.cancelled | RetryOn['retriable-status-codes'],
    retriableStatusCodes: profile.defaultRetryOn503 ? [503] : [],
    perTryTimeoutUs: 0,
    backoffBaseUs: DEFAULT_BACKOFF_BASE_US,
    backoffMaxUs: 10 * DEFAULT_BACKOFF_BASE_US,
    retryPreviousHosts: !consistentHash,
    hostSelectionMaxAttempts: 5,
    origin:
      (profile.defaultRetryOn503 ? 'istio default (incl. 503, Istio < 1.24)' : 'istio default') +
      (consistentHash ? ', no previous-hosts predicate (consistent hash)' : ''),
  };
}
