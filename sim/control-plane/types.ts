/**
 * Compiled xDS-like tables one proxy holds: per outbound port a route table (virtual hosts →
 * ordered routes with precompiled matchers), and clusters with their endpoints and policies.
 * Produced by the control plane, read by the data plane, never mutated after a push.
 */
import type { PodInfo, RegistryService } from './registry.ts';

/** What the router matches on. Header names are lower case. */
export interface RequestHead {
  method: string;
  scheme: 'http' | 'https';
  /** Host as sent, without port ("reviews", "httpbin.org"). */
  host: string;
  /** Destination port the application dialled. */
  port: number;
  /** Path without the query string. */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  headers: Map<string, string>;
}

// Retry conditions as bits (Envoy x-envoy-retry-on vocabulary, istio-semantics.md §1.7).
export const RetryOn = {
  '5xx': 1 << 0,
  'gateway-error': 1 << 1,
  reset: 1 << 2,
  'connect-failure': 1 << 3,
  'retriable-4xx': 1 << 4,
  'refused-stream': 1 << 5,
  'retriable-status-codes': 1 << 6,
  'retriable-headers': 1 << 7,
  'envoy-ratelimited': 1 << 8,
  'http3-post-connect-failure': 1 << 9,
  'reset-before-request': 1 << 10,
  cancelled: 1 << 11,
  'deadline-exceeded': 1 << 12,
  internal: 1 << 13,
  'resource-exhausted': 1 << 14,
  unavailable: 1 << 15,
} as const;
export type RetryOnName = keyof typeof RetryOn;

export interface RetryPolicy {
  /** Number of retries (max tries = 1 + retries). */
  retries: number;
  /** RetryOn bits. */
  retryOn: number;
  /** Upstream status codes retried under `retriable-status-codes`. */
  retriableStatusCodes: readonly number[];
  /** 0 = none. */
  perTryTimeoutUs: number;
  backoffBaseUs: number;
  backoffMaxUs: number;
  /** Envoy previous_hosts predicate: retries avoid hosts already tried. */
  retryPreviousHosts: boolean;
  hostSelectionMaxAttempts: number;
  /** How the policy came about, for the "why" text: "default", "vs", "vs: attempts 0". */
  origin: string;
}

export interface FaultPolicy {
  delay: { delayUs: number; ppm: number } | null;
  abort: { status: number; ppm: number } | null;
}

export interface WeightedCluster {
  cluster: string;
  weight: number;
  /** Destination host as resolved (FQDN when in the registry). */
  host: string;
  subset: string | null;
  port: number;
}

export interface MirrorPolicy {
  cluster: string;
  host: string;
  subset: string | null;
  port: number;
  /** Share of requests mirrored, parts per million. */
  ppm: number;
}

export interface HeaderOps {
  set: [string, string][];
  add: [string, string][];
  remove: string[];
}

export type RouteAction =
  | { kind: 'forward'; destinations: WeightedCluster[]; totalWeight: number }
  | { kind: 'redirect'; status: number; scheme: string | null; authority: string | null; port: number | null; uri: string | null; prefixRewrite: string | null }
  | { kind: 'direct'; status: number; body: string };

export interface CompiledMatch {
  /** Index of the match block in the VirtualService rule. */
  index: number;
  name: string;
  test(req: RequestHead): boolean;
}

export interface CompiledRoute {
  /** "ns/name" of the VirtualService, or null for the default route of a service. */
  vs: string | null;
  /** Index of the http rule in the VirtualService (-1 for default routes). */
  ruleIndex: number;
  name: string;
  /** Empty = matches every request. */
  matches: CompiledMatch[];
  action: RouteAction;
  /** Route timeout covering all attempts; 0 = none. */
  timeoutUs: number;
  /** null = no retries at all (attempts: 0). */
  retry: RetryPolicy | null;
  fault: FaultPolicy | null;
  mirrors: MirrorPolicy[];
  requestHeaders: HeaderOps | null;
  responseHeaders: HeaderOps | null;
  rewrite: { uri: string | null; authority: string | null } | null;
}

export interface VirtualHost {
  /** Envoy-style name "reviews.default.svc.cluster.local:9080". */
  name: string;
  service: RegistryService | null;
  routes: CompiledRoute[];
  /** "ns/name" of the VirtualService bound to this host, if any. */
  vs: string | null;
}

export interface RouteTable {
  port: number;
  /** Lookup by the service FQDN the host resolved to. */
  vhosts: Map<string, VirtualHost>;
}

export type LbPolicy =
  | { kind: 'LEAST_REQUEST' }
  | { kind: 'ROUND_ROBIN' }
  | { kind: 'RANDOM' }
  | { kind: 'PASSTHROUGH' };

export interface Endpoint {
  pod: PodInfo;
  /** Container port the request reaches. */
  port: number;
  weight: number;
}

export interface ClusterConfig {
  /** "outbound|9080|v1|reviews.default.svc.cluster.local". */
  name: string;
  host: string;
  service: RegistryService | null;
  port: number;
  subset: string | null;
  /** Every pod the cluster selects; the data plane skips those not ready or ejected. */
  endpoints: Endpoint[];
  lb: LbPolicy;
}

export interface ProxyConfig {
  /** Config version this proxy holds (increments with every push). */
  version: number;
  routes: Map<number, RouteTable>;
  clusters: Map<string, ClusterConfig>;
}

export function clusterName(port: number, subset: string | null, host: string): string {
  return `outbound|${port}|${subset ?? ''}|${host}`;
}
