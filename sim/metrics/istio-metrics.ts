/**
 * Istio's standard HTTP metrics as a streaming fold over the trace: `istio_requests_total`,
 * `istio_request_duration_milliseconds` (Envoy's default buckets), `istio_request_bytes` and
 * `istio_response_bytes`, with Istio's label names, as a Prometheus scrape every `stepUs` of
 * simulated time would have seen them. The fold holds one accumulator per label set; each closed
 * step is handed to `onStep` (the streaming Prometheus writer) and, unless `keepHistory` is off,
 * also kept as a snapshot for `series()`. Memory: label sets (× steps with history), never requests.
 *
 * What the trace cannot say, and what is assumed instead (the exporter's HELP text repeats it):
 * - reporter="source" is written for callers whose pod has a sidecar; reporter="destination" for
 *   attempts that reached a destination pod with a sidecar and got past its connection handling
 *   (not a UF/UC handshake or plaintext-to-STRICT failure). The destination's view of an attempt
 *   the caller gave up on (UT, DC) is code 0 with flag DC, as the server sidecar logs a downstream
 *   disconnect; caller-side flags (URX, DI) are not in the destination's view. Both reporters
 *   carry the attempt's duration as the calling proxy saw it (no separate server-side time).
 * - connection_security_policy: "unknown" on source reports (as Istio does); on destination
 *   reports what the attempt's connection was (the upstream event's `security`): "mutual_tls"
 *   when the client sidecar originated Istio mTLS, "none" for plaintext — a caller without a
 *   sidecar, a DestinationRule with tls DISABLE, or the server's PeerAuthentication DISABLE.
 * - Sizes: requests carry no body in meshsim, so istio_request_bytes observes 0 per request (what
 *   Istio reports for a GET). istio_response_bytes observes the destination workload's
 *   `responseBytes` (scenario spec) when the response came from its application, and 0 for
 *   replies Envoy generated itself (UH, UO, UT, NR, FI, RBAC denials …), whose short text bodies
 *   are not modelled. Sizes are fixed per label set, so they cost no memory per request.
 */
import type { TraceEvent, UpstreamEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';

/** Envoy's default histogram buckets (ms), as Istio's duration metric uses them. */
export const ENVOY_DEFAULT_BUCKETS_MS: readonly number[] = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

/** Label names in the order Istio's stats filter writes them. */
export const ISTIO_LABELS = [
  'reporter',
  'source_workload',
  'source_workload_namespace',
  'source_app',
  'source_version',
  'destination_service',
  'destination_service_name',
  'destination_service_namespace',
  'destination_workload',
  'destination_workload_namespace',
  'destination_app',
  'destination_version',
  'request_protocol',
  'response_code',
  'response_flags',
  'connection_security_policy',
] as const;

export type IstioLabel = (typeof ISTIO_LABELS)[number];

/** `app` and `version` pod labels of a workload ("namespace/deployment"). */
export interface WorkloadLabels {
  namespace: string;
  name: string;
  app: string | null;
  version: string | null;
}

/** What the fold needs to know about a pod: does Envoy run beside the app? */
export interface PodSidecar {
  hasSidecar: boolean;
}

/** A workload's response body: its size, and the statuses its application answers with. */
export interface ResponseBody {
  bytes: number;
  statuses: readonly number[];
}

export interface IstioMetricsOptions {
  /** Simulated time between two samples of every series (a scrape interval). */
  stepUs: number;
  workloads: readonly WorkloadLabels[];
  /** Pods by "namespace/pod": sidecars decide which reporters exist. Unknown pods count as injected. */
  pods?: ReadonlyMap<string, PodSidecar>;
  /** Response bodies by workload ("namespace/deployment"); absent = 0 bytes. */
  bodies?: ReadonlyMap<string, ResponseBody>;
  /** Keep a snapshot of every series at every step for `series()` (default true). */
  keepHistory?: boolean;
  /** Called as each step closes, with every series so far (sorted by labels) and its cumulative values. */
  onStep?: (step: number, series: readonly LiveSeries[]) => void;
}

/** A series' running totals, as `onStep` sees them. */
export interface LiveSeries {
  readonly labels: readonly string[];
  readonly count: number;
  readonly sumUs: number;
  /** Non-cumulative counts per ENVOY_DEFAULT_BUCKETS_MS bucket, +Inf last. */
  readonly bucket: readonly number[];
  /** Response body bytes of every request of this series (fixed per label set). */
  readonly responseBytes: number;
}

/** One series: its labels in ISTIO_LABELS order, and its cumulative values at each step it changed. */
export interface IstioSeries {
  labels: readonly string[];
  /** Steps (0-based) where the series changed, ascending, with the cumulative values at that step's end. */
  steps: number[];
  counts: number[];
  /** Sum of durations in ms. */
  sumsMs: number[];
  /** Non-cumulative bucket counts per snapshot: ENVOY_DEFAULT_BUCKETS_MS.length + 1 (+Inf) each. */
  buckets: number[][];
  /** Response body bytes of every request of this series. */
  responseBytes: number;
}

class SeriesAcc implements LiveSeries {
  count = 0;
  sumUs = 0;
  readonly bucket = new Array<number>(ENVOY_DEFAULT_BUCKETS_MS.length + 1).fill(0);
  dirty = false;
  constructor(
    readonly out: IstioSeries,
    readonly key: string,
  ) {}
  get labels(): readonly string[] {
    return this.out.labels;
  }
  get responseBytes(): number {
    return this.out.responseBytes;
  }
}

/** Flags only the calling proxy raises: the destination's sidecar never sees them. */
const CALLER_ONLY_FLAGS = new Set(['URX', 'DI']);
/** Flags of replies Envoy makes itself: no application body. */
const LOCAL_REPLY_FLAGS = new Set(['UH', 'UT', 'UF', 'UC', 'UR', 'UO', 'NR', 'NC', 'FI', 'DC', 'RL', 'UAEX', 'LR', 'LH']);

/** The destination sidecar's view of an attempt's outcome, or null when it saw no HTTP request. */
export function destinationOutcome(code: number, flags: string): { code: number; flags: string } | null {
  if (flags === '-') return { code, flags };
  const parts = flags.split(',');
  if (parts.includes('UF') || parts.includes('UC')) return null;
  if (parts.includes('UT') || parts.includes('DC')) return { code: 0, flags: 'DC' };
  const kept = parts.filter((f) => !CALLER_ONLY_FLAGS.has(f));
  return { code, flags: kept.length === 0 ? '-' : kept.join(',') };
}

/** Body bytes of a response with these labels: the app's own body, or 0 for Envoy's local replies. */
export function responseBodyBytes(body: ResponseBody | undefined, code: number, flags: string): number {
  if (body === undefined || code === 0) return 0;
  if (flags !== '-' && flags.split(',').some((f) => LOCAL_REPLY_FLAGS.has(f))) return 0;
  return body.statuses.includes(code) ? body.bytes : 0;
}

/** Bucket index of a duration in µs: the first `le` it does not exceed. */
function bucketIndex(us: number): number {
  const ms = us / 1000;
  const b = ENVOY_DEFAULT_BUCKETS_MS;
  for (let i = 0; i < b.length; i++) if (ms <= b[i]) return i;
  return b.length;
}

/** "outbound|9080|v1|reviews.default.svc.cluster.local" → the FQDN; anything else as is. */
export function serviceFqdn(cluster: string, fallback: string): string {
  const parts = cluster.split('|');
  return parts.length === 4 && parts[3] !== '' ? parts[3] : fallback;
}

export class IstioMetricsFold implements TraceSink {
  private readonly acc = new Map<string, SeriesAcc>();
  /** Every series, kept sorted by key: the order `onStep` and `series()` give them in. */
  private readonly sorted: SeriesAcc[] = [];
  private readonly keepHistory: boolean;
  private finished = false;
  private readonly index = new Map<string | number, unknown>();
  private readonly dirty: SeriesAcc[] = [];
  private readonly labelsOf = new Map<string, WorkloadLabels>();
  private step = 0;
  private lastUs = 0;

  constructor(private readonly opts: IstioMetricsOptions) {
    if (!(opts.stepUs > 0)) throw new Error('IstioMetricsFold: stepUs must be > 0');
    for (const w of opts.workloads) this.labelsOf.set(`${w.namespace}/${w.name}`, w);
    this.keepHistory = opts.keepHistory ?? true;
  }

  write(ev: TraceEvent): void {
    if (ev.kind !== 'upstream') return;
    this.advance(ev.timeUs);
    if (ev.sourceNamespace !== null && this.hasSidecar(ev.sourceNamespace, ev.sourcePod)) this.add(this.seriesFor(ev, 'source'), ev);
    if (ev.destination !== null && ev.destNamespace !== null && this.hasSidecar(ev.destNamespace, ev.destPod) && (ev.flags === '-' || destinationOutcome(ev.code, ev.flags) !== null)) {
      this.add(this.seriesFor(ev, 'destination'), ev);
    }
  }

  /** namespace → pod → has a sidecar; filled on first sight so the hot path builds no key strings. */
  private readonly sidecars = new Map<string, Map<string, boolean>>();

  private hasSidecar(namespace: string, pod: string | null): boolean {
    if (pod === null) return false;
    let byPod = this.sidecars.get(namespace);
    if (!byPod) this.sidecars.set(namespace, (byPod = new Map()));
    let has = byPod.get(pod);
    if (has === undefined) byPod.set(pod, (has = this.opts.pods?.get(`${namespace}/${pod}`)?.hasSidecar ?? true));
    return has;
  }

  /** Trace events arrive in time order; crossing a step boundary closes every step in between. */
  private advance(timeUs: number): void {
    this.lastUs = Math.max(this.lastUs, timeUs);
    const k = Math.floor(timeUs / this.opts.stepUs);
    while (this.step < k) {
      this.closeStep();
      this.step++;
    }
  }

  private closeStep(): void {
    if (this.keepHistory) this.snapshot();
    else {
      for (const a of this.dirty) a.dirty = false;
      this.dirty.length = 0;
    }
    this.opts.onStep?.(this.step, this.sorted);
  }

  /**
   * Closes the last step (the one holding the last event) and reports it to `onStep`; call once
   * after the run. Events after it are refused.
   */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.closeStep();
  }

  private snapshot(): void {
    for (const a of this.dirty) {
      const o = a.out;
      // A second snapshot of the same step (series() read mid-run) replaces the first.
      if (o.steps.length > 0 && o.steps[o.steps.length - 1] === this.step) {
        o.steps.pop();
        o.counts.pop();
        o.sumsMs.pop();
        o.buckets.pop();
      }
      o.steps.push(this.step);
      o.counts.push(a.count);
      o.sumsMs.push(a.sumUs / 1000);
      o.buckets.push(a.bucket.slice());
      a.dirty = false;
    }
    this.dirty.length = 0;
  }

  /**
   * The series of an event, found through nested maps keyed by fields the trace already holds
   * (reporter, calling namespace and pod, destination namespace and pod, cluster, code, security, flags), so the hot path allocates
   * nothing; labels are built only when a series is first seen.
   */
  private seriesFor(ev: UpstreamEvent, reporter: 'source' | 'destination'): SeriesAcc {
    // Pod names repeat across namespaces (sleep-0 in foo and in bar), so namespaces are on the path too.
    // The same pods may talk mTLS and plaintext in one run (a DestinationRule applied mid-run).
    const path: (string | number)[] = [reporter, ev.sourceNamespace ?? '', ev.sourcePod ?? ev.source, ev.destNamespace ?? '', ev.destPod ?? '', ev.cluster, ev.code, ev.security, ev.flags];
    let m: Map<string | number, unknown> = this.index;
    for (let i = 0; i < path.length - 1; i++) {
      let next = m.get(path[i]) as Map<string | number, unknown> | undefined;
      if (!next) m.set(path[i], (next = new Map()));
      m = next;
    }
    let a = m.get(path[path.length - 1]) as SeriesAcc | undefined;
    if (!a) {
      const labels = this.labels(ev, reporter);
      const key = labels.join('\u0000');
      // Several pods of one workload share a series.
      a = this.acc.get(key);
      if (!a) {
        const destination = ev.destNamespace === null ? undefined : this.opts.bodies?.get(`${ev.destNamespace}/${ev.destination}`);
        const code = Number(labels[ISTIO_LABELS.indexOf('response_code')]);
        const flags = labels[ISTIO_LABELS.indexOf('response_flags')];
        a = new SeriesAcc({ labels, steps: [], counts: [], sumsMs: [], buckets: [], responseBytes: responseBodyBytes(destination, code, flags) }, key);
        this.acc.set(key, a);
        this.insertSorted(a);
      }
      m.set(path[path.length - 1], a);
    }
    return a;
  }

  private insertSorted(a: SeriesAcc): void {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid].key < a.key) lo = mid + 1;
      else hi = mid;
    }
    this.sorted.splice(lo, 0, a);
  }

  private add(a: SeriesAcc, ev: UpstreamEvent): void {
    if (this.finished) throw new Error('IstioMetricsFold: event after finish()');
    const us = ev.timeUs - ev.startUs;
    a.count++;
    a.sumUs += us;
    a.bucket[bucketIndex(us)]++;
    if (!a.dirty) {
      a.dirty = true;
      this.dirty.push(a);
    }
  }

  private labels(ev: UpstreamEvent, reporter: 'source' | 'destination'): string[] {
    const src = ev.sourceNamespace === null ? undefined : this.labelsOf.get(`${ev.sourceNamespace}/${ev.source}`);
    const dst = ev.destNamespace === null ? undefined : this.labelsOf.get(`${ev.destNamespace}/${ev.destination}`);
    const fqdn = serviceFqdn(ev.cluster, ev.service);
    const fqdnParts = fqdn.split('.');
    const inMesh = fqdn.endsWith('.svc.cluster.local') && fqdnParts.length === 5;
    const security = reporter === 'source' ? 'unknown' : ev.security;
    const outcome = reporter === 'source' ? { code: ev.code, flags: ev.flags } : destinationOutcome(ev.code, ev.flags)!;
    const values: Record<IstioLabel, string> = {
      reporter,
      source_workload: ev.sourceNamespace === null ? 'unknown' : ev.source,
      source_workload_namespace: ev.sourceNamespace ?? 'unknown',
      source_app: src?.app ?? 'unknown',
      source_version: src?.version ?? 'unknown',
      destination_service: fqdn,
      destination_service_name: inMesh ? fqdnParts[0] : ev.service,
      destination_service_namespace: inMesh ? fqdnParts[1] : 'unknown',
      destination_workload: ev.destination ?? 'unknown',
      destination_workload_namespace: ev.destNamespace ?? 'unknown',
      destination_app: dst?.app ?? 'unknown',
      destination_version: ev.version ?? 'unknown',
      request_protocol: 'http',
      response_code: String(outcome.code),
      response_flags: outcome.flags,
      connection_security_policy: security,
    };
    return ISTIO_LABELS.map((l) => values[l]);
  }

  /** Number of steps covering the run so far (the last one may be partial). */
  get stepCount(): number {
    return this.step + 1;
  }

  /** Simulated time of the last event folded. */
  get endUs(): number {
    return this.lastUs;
  }

  get stepUs(): number {
    return this.opts.stepUs;
  }

  /** Closes the current step and returns every series sorted by its labels (stable output); needs history. */
  series(): IstioSeries[] {
    if (!this.keepHistory) throw new Error('IstioMetricsFold: series() needs keepHistory');
    this.snapshot();
    return this.sorted.map((a) => a.out);
  }
}
