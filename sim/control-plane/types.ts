/**
 * Compiled xDS-like tables one proxy holds: per outbound port a route table (virtual hosts →
 * ordered routes with precompiled matchers), and clusters with their endpoints and policies.
 * Produced by the control plane, read by the data plane, never mutated after a push.
 */
import type { TrafficPolicy } from '../config/istio-types.ts';
import type { PodInfo, RegistryService } from './registry.ts';
import type { Re2 } from './re2/index.ts';
import type { GatewayRoutes } from './gateway.ts';

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

/**
 * Fault filter config of a route (istio-semantics.md §1.8). Percentages are parts per million;
 * a fault with ppm 0 is dropped at compile time.
 */
export interface FaultPolicy {
  delay: { delayUs: number; ppm: number } | null;
  /** `status` is the HTTP status the proxy answers (gRPC aborts answer 200 with a grpc-status). */
  abort: { status: number; ppm: number; grpcStatus: string | null } | null;
}

export interface HeaderOps {
  set: [string, string][];
  add: [string, string][];
  remove: string[];
}

export interface WeightedCluster {
  cluster: string;
  weight: number;
  /** Destination host as resolved (FQDN when in the registry). */
  host: string;
  subset: string | null;
  port: number;
  /** Destination-level header operations (§1.6), applied after the route's. */
  requestHeaders?: HeaderOps | null;
  responseHeaders?: HeaderOps | null;
  /** Host rewrite from destination-level `headers.request.set[":authority"|host]`. */
  authority?: string | null;
}

/**
 * A mirror target (§1.9). The shadow copy runs through `route`: the mirror cluster, no retries,
 * the parent route's timeout, and never a VirtualService name (so rule hits are not counted twice).
 */
export interface MirrorPolicy {
  cluster: string;
  host: string;
  subset: string | null;
  port: number;
  /** Share of requests mirrored, parts per million. */
  ppm: number;
  route: CompiledRoute;
}

export type RouteAction =
  | { kind: 'forward'; destinations: WeightedCluster[]; totalWeight: number }
  | {
      kind: 'redirect';
      status: number;
      scheme: string | null;
      authority: string | null;
      /** Explicit port, 0 = the scheme's default; null = keep the request's port. */
      port: number | null;
      uri: string | null;
      prefixRewrite: string | null;
    }
  | { kind: 'direct'; status: number; body: string };

/** How the matched path is replaced by `rewrite.uri` (Envoy prefix_rewrite acts on the matched part). */
export const enum PathMatchKind {
  /** No uri condition: Envoy's implicit prefix "/". */
  None = 0,
  Exact = 1,
  Prefix = 2,
  Regex = 3,
}

export interface CompiledMatch {
  /** Index of the match block in the VirtualService rule. */
  index: number;
  name: string;
  /** How the uri was matched, and the prefix length a `rewrite.uri` replaces. */
  pathKind: PathMatchKind;
  prefixLength: number;
  /** True when nothing but prefix "/" (or regex ".*") is asked: later rules are unreachable. */
  catchAll: boolean;
  test(req: RequestHead): boolean;
  /** The conditions in words, for explanations. */
  describe(): string;
}

export interface RewritePolicy {
  /** `rewrite.uri`: replaces the matched prefix (or the whole path for exact/regex matches). */
  uri: string | null;
  /** `rewrite.uriRegexRewrite`: RE2 global replace on the path. */
  regex: Re2 | null;
  regexRewrite: string | null;
  /** Host/authority rewrite (`rewrite.authority`, or route-level `headers.request.set[":authority"]`). */
  authority: string | null;
}

export interface CompiledRoute {
  /** "ns/name" of the VirtualService, or null for the default route of a service. */
  vs: string | null;
  /** Index of the http rule in the VirtualService (after delegate expansion; -1 for default routes). */
  ruleIndex: number;
  name: string;
  /** "ns/name#i" of the delegate rule this route came from, if any. */
  delegate?: string | null;
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
  rewrite: RewritePolicy | null;
  /** Retry policy in words (for explanations). */
  retryText?: string;
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

/** Where a consistent-hash key comes from (DestinationRule loadBalancer.consistentHash, §2.3). */
export type HashKey =
  | { kind: 'header'; name: string }
  /** With a ttl Envoy generates the cookie when absent, so the client address decides. */
  | { kind: 'cookie'; name: string; ttlUs: number | null }
  | { kind: 'source-ip' }
  | { kind: 'query'; name: string };

export interface HashPolicy {
  key: HashKey;
  /** Ring hash (default, `size` = minimumRingSize, 1024) or maglev (`size` = tableSize, 65537). */
  table: 'ring' | 'maglev';
  size: number;
}

/** A DestinationRule traffic policy after subset and port-level merging (§2.2). */
export type EffectiveTrafficPolicy = Omit<TrafficPolicy, 'portLevelSettings'>;

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
  /** Simple policy; also the fallback when a consistent-hash request carries no key. */
  lb: LbPolicy;
  /** Consistent-hash load balancing, or null/absent for the simple policies. */
  hash?: HashPolicy | null;
  /** The merged DestinationRule policy in force for this cluster (connection pool, outlier, tls …). */
  policy?: EffectiveTrafficPolicy;
  /** "ns/name" of the DestinationRule(s) that shaped this cluster, or null. */
  destinationRule?: string | null;
  /** Subset labels narrowing the service's pods, when this is a subset cluster. */
  subsetLabels?: Readonly<Record<string, string>> | null;
}

export interface ProxyConfig {
  /** Config version this proxy holds (increments with every push). */
  version: number;
  /** The proxy view these tables were compiled for ("ns|selector bits"); pods with equal views share tables. */
  view?: string;
  routes: Map<number, RouteTable>;
  clusters: Map<string, ClusterConfig>;
  /** Gateway proxies only: listeners with Host-based vhosts from gateway-bound VirtualServices (gateway.ts). */
  gateway?: GatewayRoutes | null;
}

export function clusterName(port: number, subset: string | null, host: string): string {
  return `outbound|${port}|${subset ?? ''}|${host}`;
}
