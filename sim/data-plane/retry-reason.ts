/**
 * Which retryOn condition made an attempt retriable, in words, for provenance events. Mirrors
 * retry.ts isRetriable (envoy retry_state_impl.cc; istio-semantics.md §1.7); only called when the
 * detail flag is on.
 */
import { RetryOn, type RetryPolicy } from '../control-plane/types.ts';
import { AttemptFailure } from './retry.ts';

export function retryReason(policy: RetryPolicy, failure: AttemptFailure, status: number): string {
  const on = policy.retryOn;
  const has = (name: keyof typeof RetryOn): boolean => (on & RetryOn[name]) !== 0;
  switch (failure) {
    case AttemptFailure.ConnectFailure:
      for (const n of ['connect-failure', 'reset-before-request', '5xx', 'gateway-error', 'reset'] as const) if (has(n)) return `${n} (connection failure)`;
      return 'none';
    case AttemptFailure.Reset:
      for (const n of ['reset', '5xx', 'gateway-error'] as const) if (has(n)) return `${n} (reset before response)`;
      return 'none';
    case AttemptFailure.PerTryTimeout:
      for (const n of ['5xx', 'gateway-error', 'reset'] as const) if (has(n)) return `${n} (per-try timeout)`;
      return 'none';
    case AttemptFailure.Response:
      if (status >= 500 && has('5xx')) return `5xx (${status})`;
      if ((status === 502 || status === 503 || status === 504) && has('gateway-error')) return `gateway-error (${status})`;
      if (status === 409 && has('retriable-4xx')) return 'retriable-4xx (409)';
      if (has('retriable-status-codes') && policy.retriableStatusCodes.indexOf(status) >= 0) return `retriable-status-codes (${status})`;
      return 'none';
  }
}
