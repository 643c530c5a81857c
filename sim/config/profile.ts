/**
 * Semantics profile per Istio release (istio-semantics.md §9.4). A scenario picks a version and
 * may override single switches.
 */
import type { SemanticsProfile } from './types.ts';
import { parseIstioVersion } from './units.ts';

export const DEFAULT_ISTIO_VERSION = '1.28';

function atLeast(v: [number, number], major: number, minor: number): boolean {
  return v[0] > major || (v[0] === major && v[1] >= minor);
}

/**
 * Defaults for one Istio version ("1.28", "1.22.3").
 * - default LB: ROUND_ROBIN before 1.14, LEAST_REQUEST from 1.14
 * - weights must sum to 100: before 1.15
 * - default retry policy retries 503: before 1.24
 * - inbound reset-before-request retry: from 1.24
 * - first outlier ejection always allowed: before 1.19 (Envoy ≈1.27 made maxEjectionPercent strict)
 * - missing cluster flag: NR before 1.17, NC from 1.17
 * Throws on a version that does not parse (callers validate user input first).
 */
export function defaultProfile(version: string = DEFAULT_ISTIO_VERSION): SemanticsProfile {
  const v = parseIstioVersion(version);
  if (!v) throw new Error(`invalid Istio version "${version}"; expected e.g. "1.28"`);
  return {
    istioVersion: version.trim().replace(/^v/, ''),
    defaultLoadBalancer: atLeast(v, 1, 14) ? 'LEAST_REQUEST' : 'ROUND_ROBIN',
    weightsMustSum100: !atLeast(v, 1, 15),
    defaultRetryOn503: !atLeast(v, 1, 24),
    inboundResetBeforeRequestRetry: atLeast(v, 1, 24),
    legacyFirstEjectionAlwaysAllowed: !atLeast(v, 1, 19),
    missingClusterFlag: atLeast(v, 1, 17) ? 'NC' : 'NR',
    outboundTrafficPolicy: 'ALLOW_ANY',
    rootNamespace: 'istio-system',
    trustDomain: 'cluster.local',
  };
}
