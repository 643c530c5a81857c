/**
 * The trace: the one interface between the simulation and everything that reports on it
 * (metrics, checks, exports, the browser replay). Events hold integers and strings only, so a
 * trace serialises identically everywhere. Each member carries what its kind needs and no more.
 *
 * Bump TRACE_FORMAT when a field's meaning changes or a field is removed.
 */

export const TRACE_FORMAT = 1;

/** A client (traffic generator) request was issued. */
export interface ClientStartEvent {
  kind: 'client.start';
  timeUs: number;
  /** Client request id, unique per run, assigned in issue order. */
  req: number;
  client: string;
  /** Pod the request leaves from, or null for clients outside the mesh. */
  pod: string | null;
}

/** A client request finished (response, error or client timeout). */
export interface ClientEndEvent {
  kind: 'client.end';
  timeUs: number;
  req: number;
  client: string;
  /** HTTP status; 0 = no response (reset, timeout), like curl's 000. */
  code: number;
  flags: string;
  latencyUs: number;
}

/**
 * One upstream attempt as the calling proxy saw it: what an Envoy access-log line or an
 * `istio_requests_total{reporter="source"}` increment records. Emitted when the attempt ends.
 */
export interface UpstreamEvent {
  kind: 'upstream';
  timeUs: number;
  startUs: number;
  /** The client request this belongs to. */
  req: number;
  /** The traffic client that issued it. */
  client: string;
  /** Outbound stream id (one per application call); retries share it. */
  stream: number;
  /** Inbound stream the calling application was serving (0 when a traffic client sent it). */
  parent: number;
  /** 1 for the first try, 2 for the first retry, … (x-envoy-attempt-count). */
  attempt: number;
  /** Calling workload (Deployment name), or the client name for clients outside the mesh. */
  source: string;
  /** Namespace of the calling workload, or null for clients outside the mesh. */
  sourceNamespace: string | null;
  sourcePod: string | null;
  /** Destination service short name, e.g. "reviews". */
  service: string;
  /** Envoy cluster name, e.g. "outbound|9080|v1|reviews.default.svc.cluster.local". */
  cluster: string;
  /** Workload that received the attempt, or null when none did (NR, NC, UH, FI …). */
  destination: string | null;
  destNamespace: string | null;
  destPod: string | null;
  /** The destination pod's `version` label, or null. */
  version: string | null;
  code: number;
  /** Envoy RESPONSE_FLAGS, "-" when none; several joined with ",". */
  flags: string;
  /** "ns/name#rule" of the VirtualService rule used, or null for the default route. */
  route: string | null;
  /**
   * The attempt's connection as Istio's `connection_security_policy` names it: "mutual_tls" when
   * the client sidecar originated Istio mTLS (auto mTLS, or DestinationRule ISTIO_MUTUAL), "none"
   * for plaintext (no client sidecar, DestinationRule DISABLE, the server's PeerAuthentication
   * DISABLE under auto mTLS) and for replies no connection carried (NR, UH, UO, FI …).
   */
  security: 'mutual_tls' | 'none';
}

/** An application finished handling one inbound request. */
export interface AppEndEvent {
  kind: 'app.end';
  timeUs: number;
  pod: string;
  namespace: string;
  stream: number;
  /** When the request reached the app (after the inbound sidecar). */
  arrivalUs: number;
  /** When a worker took it (arrivalUs + queueing delay). */
  startUs: number;
  status: number;
}

/** A timeline action took effect. */
export interface TimelineEvent {
  kind: 'timeline';
  timeUs: number;
  action: string;
  label: string;
}

/** The control plane pushed a new configuration version to a proxy. */
export interface ConfigPushEvent {
  kind: 'config.push';
  timeUs: number;
  proxy: string;
  version: number;
}

/** A pod changed lifecycle state (istio-semantics.md §6.3): pending, starting, ready, crashed, terminating, gone. */
export interface PodStateEvent {
  kind: 'pod.state';
  timeUs: number;
  pod: string;
  state: string;
  restarts: number;
}

/**
 * Sync status of one proxy, like `istioctl proxy-status` (istio-semantics.md §6.1): STALE when
 * istiod sent `version` and the proxy has not applied it yet, SYNCED once it has.
 */
export interface ProxyStatusEvent {
  kind: 'proxy.status';
  timeUs: number;
  proxy: string;
  version: number;
  status: 'STALE' | 'SYNCED';
}

/** Outlier detection ejected a host from one client proxy's cluster (istio-semantics.md §2.5). */
export interface OutlierEjectEvent {
  kind: 'outlier.eject';
  timeUs: number;
  /** Client proxy (pod name) whose cluster state this is. */
  proxy: string;
  cluster: string;
  /** Ejected pod. */
  host: string;
  /** '5xx' (consecutive5xxErrors) or 'gateway' (consecutiveGatewayErrors). */
  reason: string;
  consecutive: number;
  /** Ejection length (baseEjectionTime × multiplier), µs. */
  ejectionUs: number;
  multiplier: number;
}

/**
 * A host reached its consecutive-error threshold but maxEjectionPercent kept it in (§2.5: the
 * strict rule of current Envoy, or the legacy rule once one host is out); its counter restarts.
 */
export interface OutlierSuppressedEvent {
  kind: 'outlier.suppressed';
  timeUs: number;
  proxy: string;
  cluster: string;
  host: string;
  reason: string;
  consecutive: number;
  /** Hosts already ejected and hosts in the cluster when the rule was applied. */
  ejected: number;
  hosts: number;
}

/** An ejected host returned to the load-balancing set on an interval sweep (§2.5). */
export interface OutlierUnejectEvent {
  kind: 'outlier.uneject';
  timeUs: number;
  proxy: string;
  cluster: string;
  host: string;
}

// ---- Provenance (detail) events -------------------------------------------------------------
// Emitted only when the data plane runs with `detail: true` (`meshsim run --explain`), so the hot
// path stays cheap. Each records one decision of one outbound stream, in the order Envoy takes
// them (istio-semantics.md §9.1): route match → fault → weighted pick → endpoint → retries/timeouts.

/** The client proxy matched (or failed to match) a route for a stream. */
export interface RouteMatchEvent {
  kind: 'route.match';
  timeUs: number;
  req: number;
  stream: number;
  /** Pod whose sidecar decided. */
  proxy: string;
  /** Host as dialled and destination port. */
  host: string;
  port: number;
  /** Virtual host ("reviews.default.svc.cluster.local:9080"), or null when none exists. */
  vhost: string | null;
  /** "ns/name" of the VirtualService, or null for the default route / no route. */
  virtualService: string | null;
  /** http rule index (-1: default route or none), match block index (-1: rule without match blocks or none). */
  rule: number;
  match: number;
  /** 'forward' | 'redirect' | 'direct' | 'no-route' (404 NR) | 'unknown-host' | 'no-listener'. */
  outcome: string;
  /** Why, in words: the match block's conditions, or what was missing. */
  detail: string;
}

/** The weighted-cluster draw of a route with several destinations (§1.6). */
export interface RoutePickEvent {
  kind: 'route.pick';
  timeUs: number;
  req: number;
  stream: number;
  /** Random value in [0, totalWeight) and the total, as Envoy's weighted_clusters use them. */
  draw: number;
  totalWeight: number;
  /** Chosen destination index, its weight, cluster and subset. */
  index: number;
  weight: number;
  cluster: string;
  subset: string | null;
}

/** A fault filter decision that fired (§1.8): a delay held the request, or an abort answered it. */
export interface FaultEvent {
  kind: 'fault';
  timeUs: number;
  req: number;
  stream: number;
  fault: 'delay' | 'abort';
  /** Configured share, parts per million. */
  ppm: number;
  delayUs: number;
  /** Abort status (0 for delays). */
  status: number;
}

/** The load balancer chose an endpoint for an attempt (§2.3). */
export interface EndpointPickEvent {
  kind: 'lb.pick';
  timeUs: number;
  req: number;
  stream: number;
  attempt: number;
  cluster: string;
  /** "LEAST_REQUEST", "ROUND_ROBIN", "RANDOM", "PASSTHROUGH", "RING_HASH", "MAGLEV". */
  lb: string;
  /** Healthy endpoints the pick chose among. */
  healthy: number;
  /** Chosen pod, or null when there was none (503 UH). */
  endpoint: string | null;
  /** Consistent-hash key, "" when the policy is not consistent hash or the request carried none. */
  hashKey: string;
}

/** An attempt failed in a way the retry policy retries (§1.7). */
export interface RetryEvent {
  kind: 'retry';
  timeUs: number;
  req: number;
  stream: number;
  /** The attempt that failed; the next one is attempt + 1. */
  attempt: number;
  code: number;
  flags: string;
  /** The retryOn condition that matched, e.g. "5xx", "connect-failure", "retriable-status-codes (503)". */
  reason: string;
  backoffUs: number;
}

/** A route timeout or per-try timeout fired (§1.7). */
export interface TimeoutEvent {
  kind: 'timeout';
  timeUs: number;
  req: number;
  stream: number;
  timeout: 'route' | 'per-try';
  timeoutUs: number;
  attempt: number;
}

/** A shadow copy of a stream was sent to a mirror cluster (§1.9). */
export interface MirrorEvent {
  kind: 'mirror';
  timeUs: number;
  req: number;
  stream: number;
  /** Stream id of the shadow copy (its upstream events carry it). */
  shadowStream: number;
  cluster: string;
  /** Host/authority of the copy ("httpbin-shadow"). */
  host: string;
}

export type DetailEvent = RouteMatchEvent | RoutePickEvent | FaultEvent | EndpointPickEvent | RetryEvent | TimeoutEvent | MirrorEvent;

export type TraceEvent =
  | ClientStartEvent
  | ClientEndEvent
  | UpstreamEvent
  | AppEndEvent
  | TimelineEvent
  | ConfigPushEvent
  | ProxyStatusEvent
  | PodStateEvent
  | OutlierEjectEvent
  | OutlierSuppressedEvent
  | OutlierUnejectEvent
  | DetailEvent;

export type TraceEventKind = TraceEvent['kind'];

/**
 * Provenance kinds. They explain decisions already visible in the core events, are emitted only
 * on request (`--explain`), and are left out of the trace hash so that asking for an explanation
 * never changes the run's identity.
 */
export const DETAIL_KINDS: Readonly<Record<DetailEvent['kind'], true>> = {
  'route.match': true,
  'route.pick': true,
  fault: true,
  'lb.pick': true,
  retry: true,
  timeout: true,
  mirror: true,
};

export function isDetailEvent(ev: TraceEvent): ev is DetailEvent {
  return (DETAIL_KINDS as Record<string, true | undefined>)[ev.kind] === true;
}

/** Everything that shaped a run; first line of a JSONL trace. */
export interface TraceHeader {
  kind: 'header';
  format: number;
  meshsimVersion: string;
  scenario: string;
  seed: number;
  istioVersion: string;
  inputHash: string;
  durationUs: number;
}
