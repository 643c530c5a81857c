/**
 * What sim/config hands to the rest of the simulator. Raw YAML never leaves sim/config:
 * everything here has defaults applied, durations in integer microseconds and sources attached
 * (style-anchors §3.6: raw → resolved → compiled).
 */
import type { Diagnostic, SourceLocation } from '../domain/diagnostics.ts';
import type { DestinationRuleSpec, VirtualServiceSpec } from './istio-types.ts';
import type { AuthorizationPolicyResource, PeerAuthenticationResource, RequestAuthenticationResource } from './security-schema.ts';
import type { GatewayResource } from './gateway-schema.ts';
import type { ServiceEntryResource } from './service-entry-schema.ts';
import type { ResolvedToken } from './security-schema.ts';

export interface ResourceMeta {
  kind: string;
  apiVersion: string;
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Where the document starts (its `kind:` line). */
  source: SourceLocation;
  /**
   * Position in load order. Stands in for creationTimestamp wherever Istio says "oldest wins"
   * (duplicate VirtualServices, PeerAuthentications); later timeline applies get larger numbers.
   */
  order: number;
  /**
   * Field path → source location for fields the compile step may complain about (e.g.
   * "spec.http[0].route[1].destination.subset"). Filled for every scalar and collection in the spec.
   */
  positions: ReadonlyMap<string, SourceLocation>;
}

export interface NamespaceResource {
  kind: 'Namespace';
  meta: ResourceMeta;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
}

export interface DeploymentResource {
  kind: 'Deployment';
  meta: ResourceMeta;
  replicas: number;
  /** spec.selector.matchLabels */
  selector: Record<string, string>;
  podLabels: Record<string, string>;
  podAnnotations: Record<string, string>;
  /** spec.template.spec.serviceAccountName, "default" when omitted. */
  serviceAccount: string;
  containerPorts: ContainerPort[];
  /** Pod locality from the istio-locality label or nodeSelector topology keys (manifests.ts podLocality); absent/null = none. */
  locality?: { region: string; zone: string; subzone: string } | null;
}

export interface ServicePort {
  name: string;
  port: number;
  /** Number, or the name of a container port. Defaults to `port`. */
  targetPort: number | string;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  appProtocol?: string;
}

export interface ServiceResource {
  kind: 'Service';
  meta: ResourceMeta;
  selector: Record<string, string>;
  ports: ServicePort[];
}

export interface ServiceAccountResource {
  kind: 'ServiceAccount';
  meta: ResourceMeta;
}

export interface VirtualServiceResource {
  kind: 'VirtualService';
  meta: ResourceMeta;
  spec: VirtualServiceSpec;
}

export interface DestinationRuleResource {
  kind: 'DestinationRule';
  meta: ResourceMeta;
  spec: DestinationRuleSpec;
}

/** A kind meshsim reads but does not model yet; kept so later layers (and warnings) can see it. */
export interface OtherResource {
  kind: 'Other';
  meta: ResourceMeta;
  spec: unknown;
}

export type Resource =
  | NamespaceResource
  | DeploymentResource
  | ServiceResource
  | ServiceAccountResource
  | VirtualServiceResource
  | DestinationRuleResource
  | PeerAuthenticationResource
  | AuthorizationPolicyResource
  | RequestAuthenticationResource
  | GatewayResource
  | ServiceEntryResource
  | OtherResource;

export type { AuthorizationPolicyResource, GatewayResource, PeerAuthenticationResource, RequestAuthenticationResource, ServiceEntryResource };

/** Key used for "same kind/namespace/name replaces" (DESIGN.md, `--apply`). */
export function resourceKey(r: Resource): string {
  return `${r.meta.kind}/${r.meta.namespace}/${r.meta.name}`;
}

/** "Kind ns/name", or "Kind name" for cluster-scoped kinds. */
export function resourceLabel(kind: string, namespace: string, name: string): string {
  return namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}`;
}

export function resourceName(r: Resource): string {
  return `${r.meta.kind} ${r.meta.namespace}/${r.meta.name}`;
}

// ---- Semantics profile --------------------------------------------------------------------

/**
 * Switches for behaviour that changed between Istio releases (istio-semantics.md §9.4).
 * `istioVersion` sets them all; a scenario may override each one.
 */
export interface SemanticsProfile {
  istioVersion: string;
  /** LEAST_REQUEST from 1.14 on, ROUND_ROBIN before. */
  defaultLoadBalancer: 'LEAST_REQUEST' | 'ROUND_ROBIN';
  /** Before 1.15 multi-destination weights had to sum to 100. */
  weightsMustSum100: boolean;
  /** Before 1.24 the default retry policy also retried upstream 503s. */
  defaultRetryOn503: boolean;
  /** From ≈1.24 the inbound sidecar retries reset-before-request twice. */
  inboundResetBeforeRequestRetry: boolean;
  /** Envoy before ≈1.27 always allowed the first outlier ejection regardless of maxEjectionPercent. */
  legacyFirstEjectionAlwaysAllowed: boolean;
  /** Older Envoy reported a missing cluster as NR rather than NC. */
  missingClusterFlag: 'NC' | 'NR';
  outboundTrafficPolicy: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  rootNamespace: string;
  trustDomain: string;
}

// ---- Workloads ----------------------------------------------------------------------------

/** A sampled duration; every sample is rounded to whole microseconds at once. */
export type Distribution =
  | { kind: 'constant'; valueUs: number }
  | { kind: 'uniform'; minUs: number; maxUs: number }
  | { kind: 'exponential'; meanUs: number }
  /** Lognormal fixed by its median and 99th percentile. */
  | { kind: 'lognormal'; medianUs: number; p99Us: number }
  /** Histogram: bucket i covers (upperUs[i-1], upperUs[i]] with the given weight; uniform inside. */
  | { kind: 'empirical'; upperUs: number[]; weights: number[] };

export interface ParsedUrl {
  scheme: 'http' | 'https';
  /** Host as written ("reviews", "reviews.default.svc.cluster.local", "httpbin.org"). */
  host: string;
  port: number;
  /** Path without the query string. */
  path: string;
  /** Raw query string without '?', "" when none. */
  query: string;
}

export interface CallSpec {
  url: ParsedUrl;
  method: string;
  /** Fixed request headers this call adds. */
  headers: [string, string][];
  /** The application's own timeout per attempt; 0 = none. */
  timeoutUs: number;
  /** Application-level attempts (1 = no app retry). */
  attempts: number;
  /**
   * When an attempt counts as failed for the app's retry loop: 'error' (5xx, reset or timeout) or 'non-2xx'.
   * Bookinfo's productpage retries reviews on any non-200.
   */
  retryWhen: 'error' | 'non-2xx';
  source: SourceLocation | null;
}

/** One step of the downstream call plan: calls inside a step run in parallel, steps run in order. */
export interface CallStep {
  parallel: CallSpec[];
}

export interface WorkloadBehaviour {
  /** Deployment this behaviour belongs to. */
  namespace: string;
  deployment: string;
  serviceTime: Distribution;
  /** Requests processed at once per pod (thread/greenlet pool); 0 = unlimited. */
  concurrency: number;
  /** Requests allowed to wait for a worker per pod; beyond it the app answers `queueFullStatus`. 0 = unlimited. */
  queueLimit: number;
  queueFullStatus: number;
  /** Probability in parts per million that the app answers `errorStatus` instead of its normal status. */
  errorPpm: number;
  errorStatus: number;
  /** Normal response status. */
  status: number;
  calls: CallStep[];
  /** Incoming headers copied onto every downstream call (e.g. end-user, x-request-id). */
  propagateHeaders: string[];
  /** What the app answers when a downstream call finally failed: 'continue' keeps `status`. */
  onCallFailure: { kind: 'continue' } | { kind: 'status'; status: number };
  /** Response body size in bytes, used by byte metrics. */
  responseBytes: number;
  source: SourceLocation | null;
}

// ---- Traffic ------------------------------------------------------------------------------

export type LoadModel =
  /** Open loop: arrivals do not wait for responses. */
  | { kind: 'open'; ratePerSec: number; arrival: 'poisson' | 'constant' }
  /**
   * Closed loop like fortio: `connections` workers each send the next request when the previous
   * answered; `qps` total target rate, 0 = as fast as possible.
   */
  | { kind: 'closed'; connections: number; qps: number };

export interface TrafficSpec {
  name: string;
  /** In-mesh client workload (its pods' sidecars carry the requests); null = outside the mesh. */
  from: { namespace: string; deployment: string } | null;
  method: string;
  url: ParsedUrl;
  headers: [string, string][];
  load: LoadModel;
  /** Stop after this many requests; 0 = no limit. */
  requests: number;
  startUs: number;
  /** Generation stops at this time (exclusive); requests in flight still finish. */
  stopUs: number;
  /** Client-side timeout; 0 = none. A request that times out ends with code 0 (like curl's 000). */
  timeoutUs: number;
  source: SourceLocation | null;
}

// ---- Timeline ------------------------------------------------------------------------------

/** A Deployment named by a timeline action. */
export interface DeploymentRef {
  namespace: string;
  deployment: string;
}

interface TimelineBase {
  atUs: number;
  /** Human text for the `timeline` trace event ("kill pod reviews-v3-0"). */
  label: string;
  source: SourceLocation | null;
}

/**
 * One timeline entry, resolved (scenarios/README.md, "Timeline"). Pod names are resolved at load
 * time by simulating the Deployment controller on names only (sim/config/pod-plan.ts), so the run
 * just executes them: `pods` are the pods acted on, `create` the pods the action brings up
 * (ReplicaSet replacements, scale-up, the new ReplicaSet of a rolling update).
 */
export type TimelineAction =
  | (TimelineBase & { kind: 'apply'; resources: Resource[] })
  | (TimelineBase & { kind: 'delete'; keys: string[] })
  /** JSON merge patch (RFC 7386) of one resource, resolved to the patched resource. */
  | (TimelineBase & { kind: 'patch'; resources: Resource[] })
  /** Delete pods (grace period, then gone); the ReplicaSet creates `create` in their place. */
  | (TimelineBase & { kind: 'kill'; pods: string[]; create: string[]; gracePeriodUs: number; readinessDelayUs: number })
  /** The container exits; kubelet restarts it after the CrashLoopBackOff back-off. */
  | (TimelineBase & { kind: 'crash'; pods: string[]; readinessDelayUs: number })
  /** Scale a Deployment: `create` come up (pending → starting → ready), `pods` (highest-numbered) terminate. */
  | (TimelineBase & { kind: 'scale'; target: DeploymentRef; replicas: number; pods: string[]; create: string[]; readinessDelayUs: number })
  /** Rolling update: `create` replace `pods` within maxSurge / maxUnavailable (counts of pods). */
  | (TimelineBase & { kind: 'restart'; target: DeploymentRef; pods: string[]; create: string[]; maxSurge: number; maxUnavailable: number; readinessDelayUs: number })
  /**
   * Extra service time for every request the apps start in [atUs, atUs + forUs): one pod, or with
   * `workload` every pod of the Deployment (pods it gets later included; `pods` is then empty).
   */
  | (TimelineBase & { kind: 'slow'; pods: string[]; workload: DeploymentRef | null; extraUs: number; forUs: number | null })
  /** The apps answer `status` for `ratioPpm` of the requests they start in the window (targets as for slow). */
  | (TimelineBase & { kind: 'fail'; pods: string[]; workload: DeploymentRef | null; status: number; ratioPpm: number; forUs: number | null })
  /** Connections from pods of `from` to pods of `to` fail (UF) in the window (forUs). */
  | (TimelineBase & { kind: 'partition'; from: DeploymentRef; to: DeploymentRef; forUs: number | null })
  /** Rate of one traffic client: a step (overUs 0) or a linear ramp over `overUs`. */
  | (TimelineBase & { kind: 'traffic'; client: string; ratePerSec: number; overUs: number });

/** Resources a timeline action adds or replaces (apply, patch); [] for other actions. */
export function timelineResources(a: TimelineAction): readonly Resource[] {
  return a.kind === 'apply' || a.kind === 'patch' ? a.resources : [];
}

/** Resource keys a timeline action deletes; [] for other actions. */
export function timelineDeletes(a: TimelineAction): readonly string[] {
  return a.kind === 'delete' ? a.keys : [];
}

/** True for actions that change configuration istiod watches (and so push a new version). */
export function changesConfig(a: TimelineAction): boolean {
  return a.kind === 'apply' || a.kind === 'delete' || a.kind === 'patch';
}

// ---- Expectations --------------------------------------------------------------------------
// The language is documented in docs/expectations.md; sim/expect folds these over the trace.

export type Comparison = '<' | '<=' | '>' | '>=' | '==';

export interface ExpectationScope {
  /** Client (traffic entry) name. */
  client?: string;
  /** Edge selector; any field may be left out. */
  edge?: { from?: string; service?: string; to?: string };
  /** One VirtualService http rule: upstream attempts whose route is "ns/name#index". */
  rule?: { virtualService: string; index: number };
  /** Requests served by this workload (Deployment), as the callers' proxies saw them. */
  workload?: string;
  /** Only requests that started in [fromUs, toUs). */
  window?: { fromUs: number; toUs: number };
}

/** `always` / `eventually` over time buckets of the window (docs/expectations.md, "Over time"). */
export interface ExpectationTemporal {
  mode: 'always' | 'eventually';
  bucketUs: number;
}

export type ExpectationCheck =
  /**
   * Shares of the scope's requests by destination version or workload; fractions sum to 1.
   * `origin` names the VirtualService rule the shares were read from (`split: fromConfig`).
   */
  | { kind: 'split'; by: 'version' | 'workload'; shares: Record<string, number>; tolerance: number | null; confidence: number; origin?: string }
  /** `exact` mode: the number of requests per version or workload, for one fixed seed. */
  | { kind: 'splitCounts'; by: 'version' | 'workload'; counts: Record<string, number> }
  /**
   * Latency at `percentile` (50, 90, 95, 99, 99.9; 100 = max). When `statistic` is 'mean' the check
   * compares the mean latency instead and `percentile` is only a fallback (50).
   */
  | { kind: 'latency'; percentile: number; op: Comparison; valueUs: number; statistic?: 'percentile' | 'mean' }
  /**
   * Requests with the given code (or flag) compared as a fraction or a count. Fractions compared
   * with `==` use the score bound at `confidence` (default 99.9%); thresholds compare as observed.
   */
  | { kind: 'code'; code: string; op: Comparison; fraction: number | null; count: number | null; confidence?: number }
  /** Share of 5xx answers or no answer (code 0). */
  | { kind: 'errorRate'; op: Comparison; fraction: number; confidence?: number }
  /** Flagger's request-success-rate: share of answers that are not 5xx. */
  | { kind: 'successRate'; op: Comparison; fraction: number; confidence?: number }
  | { kind: 'requests'; op: Comparison; count: number }
  /** No upstream attempt in scope reached any of these workloads. */
  | { kind: 'neverReaches'; workloads: string[] }
  /** Upstream attempts with attempt > 1, as a count or (fraction set) as a share of attempts. */
  | { kind: 'retries'; op: Comparison; count: number | null; fraction: number | null; confidence?: number }
  /** Outlier ejections (`outlier.eject` trace events). */
  | { kind: 'ejections'; op: Comparison; count: number }
  /** Every proxy in scope runs config version >= `version` ('latest': the last one pushed) by `byUs`. */
  | { kind: 'proxyConfig'; version: number | 'latest'; byUs: number };

export interface ExpectationSpec {
  name: string;
  scope: ExpectationScope;
  check: ExpectationCheck;
  /** Judge the check per time bucket instead of once over the whole window. */
  temporal?: ExpectationTemporal;
  source: SourceLocation | null;
}

// ---- Whole scenario ------------------------------------------------------------------------

export interface Budgets {
  /** Hard cap on processed engine events. */
  maxEvents: number;
  /** Hard cap on simulated time (µs) including the drain after traffic stops. */
  maxSimTimeUs: number;
  /** Hard cap on requests in flight at once (client requests plus downstream calls). */
  maxInFlight: number;
  /**
   * Largest trace file (bytes) a front end may write. Only writers of trace files read it, so it
   * is absent unless the scenario sets it; they apply DEFAULT_MAX_TRACE_BYTES (limits.ts) then.
   */
  maxTraceBytes?: number;
}

export interface SidecarLatency {
  /** Added by the client sidecar on the way out and the way back. */
  outbound: Distribution;
  /** Added by the server sidecar on the way in and the way out. */
  inbound: Distribution;
  /** One-way pod-to-pod network latency. */
  network: Distribution;
}

export interface ResolvedScenario {
  name: string;
  description: string;
  /** Scenario file path as given ("<inline>" for programmatic scenarios). */
  file: string;
  seed: number;
  /** Traffic runs for this long; in-flight requests then drain. */
  durationUs: number;
  profile: SemanticsProfile;
  resources: Resource[];
  workloads: WorkloadBehaviour[];
  traffic: TrafficSpec[];
  timeline: TimelineAction[];
  expectations: ExpectationSpec[];
  budgets: Budgets;
  latency: SidecarLatency;
  /** Warnings and infos found while loading (errors throw InputError instead). */
  diagnostics: Diagnostic[];
  /** FNV-1a hash of every input file's bytes, in load order. */
  inputHash: string;
  /** JWTs clients may present, by token text (`spec.tokens`; RequestAuthentication). */
  tokens?: ReadonlyMap<string, ResolvedToken>;
  /**
   * How timeline changes reach the sidecars (istio-semantics.md §6.1): 'default' = istiod debounce
   * 100 ms after the last change / 10 s max, then a per-proxy apply delay of 50–500 ms; absent or
   * null = at once. From `spec.mesh.propagation`; RunOptions.propagation overrides it.
   */
  propagation?: 'default' | { debounceUs: number; debounceMaxUs: number; pushDelayMinUs: number; pushDelayMaxUs: number } | null;
  /**
   * Pods the run needs per Deployment ("ns/name" → count) when the timeline creates pods (scale up,
   * kill replacements, rolling updates); pods beyond `replicas` start absent. Absent = replicas.
   */
  podSlots?: Record<string, number>;
  /**
   * Deployments a timeline `apply` creates (absent at t=0): their pods exist from that moment
   * (scenarios/README.md, "Timeline"). Absent = none.
   */
  laterDeployments?: DeploymentResource[];
  /**
   * Sidecar injection of the pods the timeline creates ("ns/pod" → injected), decided from the
   * namespace labels in force when each is created (§6.2). Absent = none created.
   */
  podSidecars?: Record<string, boolean>;
}
