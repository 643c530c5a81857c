/**
 * Istio's standard HTTP metrics as a streaming fold over the trace: `istio_requests_total` and
 * `istio_request_duration_milliseconds` (Envoy's default buckets), with Istio's label names, as
 * a Prometheus scrape every `stepUs` of simulated time would have seen them. Memory grows with
 * label sets × steps, never with requests.
 *
 * What the trace cannot say, and what is assumed instead (the exporter's HELP text repeats it):
 * - reporter="source" is written for callers with a sidecar; reporter="destination" for every
 *   attempt that reached a workload. Both carry the attempt's duration as the calling proxy saw
 *   it (the trace has no separate server-side time).
 * - connection_security_policy: "unknown" on source reports (as Istio does); on destination
 *   reports "mutual_tls" when the caller has a sidecar (auto mTLS, the default), else "none".
 * - request/response sizes are not in the trace, so istio_request_bytes/istio_response_bytes are
 *   not produced.
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

export interface IstioMetricsOptions {
  /** Simulated time between two samples of every series (a scrape interval). */
  stepUs: number;
  workloads: readonly WorkloadLabels[];
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
}

class SeriesAcc {
  count = 0;
  sumUs = 0;
  readonly bucket = new Array<number>(ENVOY_DEFAULT_BUCKETS_MS.length + 1).fill(0);
  dirty = false;
  constructor(readonly out: IstioSeries) {}
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
  private readonly index = new Map<string | number, unknown>();
  private readonly dirty: SeriesAcc[] = [];
  private readonly labelsOf = new Map<string, WorkloadLabels>();
  private step = 0;
  private lastUs = 0;

  constructor(private readonly opts: IstioMetricsOptions) {
    if (!(opts.stepUs > 0)) throw new Error('IstioMetricsFold: stepUs must be > 0');
    for (const w of opts.workloads) this.labelsOf.set(`${w.namespace}/${w.name}`, w);
  }

  write(ev: TraceEvent): void {
    if (ev.kind !== 'upstream') return;
    this.advance(ev.timeUs);
    if (ev.sourceNamespace !== null) this.add(this.seriesFor(ev, 'source'), ev);
    if (ev.destination !== null) this.add(this.seriesFor(ev, 'destination'), ev);
  }

  /** Trace events arrive in time order; crossing a step boundary snapshots what changed. */
  private advance(timeUs: number): void {
    this.lastUs = Math.max(this.lastUs, timeUs);
    const k = Math.floor(timeUs / this.opts.stepUs);
    if (k > this.step) {
      this.snapshot();
      this.step = k;
    }
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
   * (reporter, calling pod, destination pod, cluster, code, flags), so the hot path allocates
   * nothing; labels are built only when a series is first seen.
   */
  private seriesFor(ev: UpstreamEvent, reporter: 'source' | 'destination'): SeriesAcc {
    const path: (string | number)[] = [reporter, ev.sourcePod ?? ev.source, ev.destPod ?? '', ev.cluster, ev.code, ev.flags];
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
        a = new SeriesAcc({ labels, steps: [], counts: [], sumsMs: [], buckets: [] });
        this.acc.set(key, a);
      }
      m.set(path[path.length - 1], a);
    }
    return a;
  }

  private add(a: SeriesAcc, ev: UpstreamEvent): void {
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
    const security = reporter === 'source' ? 'unknown' : ev.sourceNamespace !== null ? 'mutual_tls' : 'none';
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
      response_code: String(ev.code),
      response_flags: ev.flags,
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

  /** Closes the current step and returns every series sorted by its labels (stable output). */
  series(): IstioSeries[] {
    this.snapshot();
    return [...this.acc.keys()].sort().map((k) => this.acc.get(k)!.out);
  }
}
