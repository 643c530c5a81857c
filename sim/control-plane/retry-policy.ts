/**
 * VirtualService `retries` → the Envoy retry policy istiod generates (istio-semantics.md §1.7;
 * istio/istio pilot/pkg/networking/core/route/retry/retry.go ConvertPolicy):
 * - no `retries` ⇒ the default policy (retry-defaults.ts);
 * - `attempts` ≤ 0 (also when omitted) ⇒ no retry policy at all;
 * - otherwise the default with overrides: attempts; `retryOn` replaces retry_on and the status
 *   codes (bare numbers become retriable_status_codes and add `retriable-status-codes`);
 *   `perTryTimeout`; `retryIgnorePreviousHosts` (explicit false drops the predicate); `backoff`
 *   sets Envoy's base interval (the cap stays 10× base).
 * Unknown retryOn words are ignored, as Envoy's parser does.
 */
import type { HTTPRetry } from '../config/istio-types.ts';
import type { SemanticsProfile } from '../config/types.ts';
import { parseDuration } from '../domain/time.ts';
import { defaultRetryPolicy, DEFAULT_RETRY_ON } from './retry-defaults.ts';
import { RetryOn, type RetryOnName, type RetryPolicy } from './types.ts';

/** Status codes Go's http.StatusText knows: istio only treats these numbers as status codes. */
const KNOWN_STATUS = new Set([
  100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400, 401, 402,
  403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425, 426, 428, 429, 431,
  451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

export interface ParsedRetryOn {
  bits: number;
  codes: number[];
  /** Words Envoy does not know (ignored). */
  unknown: string[];
}

export function parseRetryOn(text: string): ParsedRetryOn {
  let bits = 0;
  const codes: number[] = [];
  const unknown: string[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part === '') continue;
    if (/^\d+$/.test(part) && KNOWN_STATUS.has(Number(part))) {
      codes.push(Number(part));
      continue;
    }
    const bit = (RetryOn as Record<string, number>)[part];
    if (bit === undefined) unknown.push(part);
    else bits |= bit;
  }
  if (codes.length > 0) bits |= RetryOn['retriable-status-codes'];
  return { bits, codes, unknown };
}

/** retryOn bits back to Envoy words, in the vocabulary's order. */
export function retryOnText(bits: number, codes: readonly number[]): string {
  const words: string[] = [];
  for (const name of Object.keys(RetryOn) as RetryOnName[]) if ((bits & RetryOn[name]) !== 0) words.push(name);
  if (codes.length > 0) words.push(`codes ${codes.join('/')}`);
  return words.join(',');
}

export function convertRetryPolicy(retries: HTTPRetry | undefined, profile: SemanticsProfile, consistentHash: boolean): RetryPolicy | null {
  const out = defaultRetryPolicy(profile, consistentHash);
  if (!retries) return out;
  const attempts = retries.attempts ?? 0;
  if (attempts <= 0) return null;
  out.retries = attempts;
  const origin: string[] = [`attempts ${attempts}`];
  if (retries.retryOn !== undefined && retries.retryOn !== '') {
    const parsed = parseRetryOn(retries.retryOn);
    out.retryOn = parsed.bits;
    out.retriableStatusCodes = parsed.codes;
    origin.push(`retryOn ${retries.retryOn}`);
  } else {
    origin.push(`retryOn ${DEFAULT_RETRY_ON} (default)`);
  }
  if (retries.perTryTimeout !== undefined) {
    const d = parseDuration(retries.perTryTimeout);
    if (d.ok) {
      out.perTryTimeoutUs = d.us;
      origin.push(`perTryTimeout ${retries.perTryTimeout}`);
    }
  }
  if (retries.retryIgnorePreviousHosts !== undefined) {
    out.retryPreviousHosts = retries.retryIgnorePreviousHosts;
    origin.push(`retryIgnorePreviousHosts ${retries.retryIgnorePreviousHosts}`);
  }
  if (retries.backoff !== undefined) {
    const d = parseDuration(retries.backoff);
    if (d.ok && d.us > 0) {
      out.backoffBaseUs = d.us;
      out.backoffMaxUs = 10 * d.us;
      origin.push(`backoff ${retries.backoff}`);
    }
  }
  out.origin = `VirtualService retries: ${origin.join(', ')}`;
  return out;
}

/** One-line description for explanations. */
export function describeRetryPolicy(p: RetryPolicy | null): string {
  if (!p) return 'no retries (attempts 0)';
  const per = p.perTryTimeoutUs > 0 ? `, perTryTimeout ${p.perTryTimeoutUs / 1000}ms` : '';
  return `${p.retries} retries on ${retryOnText(p.retryOn, p.retriableStatusCodes)}${per} [${p.origin}]`;
}
