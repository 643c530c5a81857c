/**
 * Prometheus text exposition format (version 0.0.4) of the Istio metrics fold: one sample per
 * series per step of simulated time, each with an explicit timestamp (ms of simulated time since
 * the run started, i.e. since the Unix epoch). It reads like the concatenated scrapes of a
 * Prometheus server scraping every `stepUs`, so `rate()` and `histogram_quantile()` over
 * `istio_request_duration_milliseconds_bucket` work on it once loaded (e.g. converted to
 * OpenMetrics for `promtool tsdb create-blocks-from openmetrics`, with timestamps shifted into
 * the retention window).
 */
import { ENVOY_DEFAULT_BUCKETS_MS, ISTIO_LABELS, IstioMetricsFold, type IstioMetricsOptions, type IstioSeries, type LiveSeries } from '../metrics/istio-metrics.ts';
import type { TraceEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';

/** Label value escaping of the text format: backslash, double quote and line feed. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labelText(labels: readonly string[], extra?: [string, string]): string {
  const parts = ISTIO_LABELS.map((name, i) => `${name}="${escapeLabelValue(labels[i])}"`);
  if (extra) parts.push(`${extra[0]}="${escapeLabelValue(extra[1])}"`);
  return `{${parts.join(',')}}`;
}

function num(x: number): string {
  return String(Math.round(x * 1000) / 1000);
}

/**
 * Timestamp (ms) of each step: its end, except the last, which ends with the run. Strictly
 * increasing, so no series has two samples at one time.
 */
export function stepTimestampsMs(stepCount: number, stepUs: number, endUs: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < stepCount; s++) out.push(s < stepCount - 1 ? Math.round(((s + 1) * stepUs) / 1000) : lastStepTimestampMs(s, stepUs, endUs));
  return out;
}

/** The last step's timestamp: the end of the run, yet after the step's start. */
function lastStepTimestampMs(step: number, stepUs: number, endUs: number): number {
  return Math.max(Math.ceil(endUs / 1000), Math.floor((step * stepUs) / 1000) + 1);
}

/** Index of the latest snapshot of `s` at or before step `k`, or -1 when the series is younger. */
function snapshotAt(s: IstioSeries, k: number, from: number): number {
  let i = from;
  while (i + 1 < s.steps.length && s.steps[i + 1] <= k) i++;
  return i >= 0 && s.steps[i] <= k ? i : -1;
}

/** The metric families, in the order they are written; each one's lines form one group, as the format requires. */
export const PROMETHEUS_FAMILIES: readonly { name: string; help: string; type: 'counter' | 'histogram' }[] = [
  { name: 'istio_requests_total', type: 'counter', help: 'Requests as counted by the reporting proxy (meshsim: one per upstream attempt; timestamps are simulated ms since start).' },
  { name: 'istio_request_duration_milliseconds', type: 'histogram', help: "Request duration in ms, Envoy default buckets (meshsim: the calling proxy's view for both reporters)." },
  { name: 'istio_request_bytes', type: 'histogram', help: 'Request body size in bytes (meshsim: requests carry no body, so every request observes 0, as a GET does).' },
  { name: 'istio_response_bytes', type: 'histogram', help: "Response body size in bytes (meshsim: the destination workload's responseBytes for responses from its app; 0 for replies Envoy made itself)." },
];

/** One series' values at one sample time. `bucket` is non-cumulative, +Inf last. */
interface SampleValues {
  count: number;
  sumMs: number;
  bucket: readonly number[];
  responseBytes: number;
}

const LES = [...ENVOY_DEFAULT_BUCKETS_MS.map((b) => String(b)), '+Inf'];

/** A histogram whose every observation is `bytes`: cumulative buckets jump from 0 to count at the first bound ≥ bytes. */
function fixedSizeHistogram(name: string, labels: readonly string[], count: number, bytes: number, ts: number, emit: (line: string) => void): void {
  for (let b = 0; b < LES.length; b++) {
    const inBucket = b === LES.length - 1 || bytes <= ENVOY_DEFAULT_BUCKETS_MS[b];
    emit(`${name}_bucket${labelText(labels, ['le', LES[b]])} ${inBucket ? count : 0} ${ts}`);
  }
  emit(`${name}_sum${labelText(labels)} ${count * bytes} ${ts}`);
  emit(`${name}_count${labelText(labels)} ${count} ${ts}`);
}

/** The sample lines of one family for one series at one time. */
function familyLines(family: number, labels: readonly string[], v: SampleValues, ts: number, emit: (line: string) => void): void {
  const name = PROMETHEUS_FAMILIES[family].name;
  switch (family) {
    case 0:
      emit(`${name}${labelText(labels)} ${v.count} ${ts}`);
      return;
    case 1: {
      let cumulative = 0;
      for (let b = 0; b < LES.length; b++) {
        cumulative += v.bucket[b];
        emit(`${name}_bucket${labelText(labels, ['le', LES[b]])} ${cumulative} ${ts}`);
      }
      emit(`${name}_sum${labelText(labels)} ${num(v.sumMs)} ${ts}`);
      emit(`${name}_count${labelText(labels)} ${v.count} ${ts}`);
      return;
    }
    case 2:
      fixedSizeHistogram(name, labels, v.count, 0, ts, emit);
      return;
    default:
      fixedSizeHistogram(name, labels, v.count, v.responseBytes, ts, emit);
  }
}

function familyHeader(family: number, emit: (line: string) => void): void {
  const f = PROMETHEUS_FAMILIES[family];
  emit(`# HELP ${f.name} ${f.help}`);
  emit(`# TYPE ${f.name} ${f.type}`);
}

/**
 * Writes the exposition text of a fold that kept its history, line by line. The CLI streams
 * instead (PrometheusStream); this reads a finished fold, for tests and library users.
 */
export function writePrometheus(fold: IstioMetricsFold, emit: (line: string) => void): void {
  const series = fold.series();
  const ts = stepTimestampsMs(fold.stepCount, fold.stepUs, fold.endUs);
  for (let family = 0; family < PROMETHEUS_FAMILIES.length; family++) {
    familyHeader(family, emit);
    const cursor = series.map(() => -1);
    for (let k = 0; k < ts.length; k++) {
      for (let i = 0; i < series.length; i++) {
        const s = series[i];
        const j = snapshotAt(s, k, cursor[i]);
        cursor[i] = j;
        if (j >= 0) familyLines(family, s.labels, { count: s.counts[j], sumMs: s.sumsMs[j], bucket: s.buckets[j], responseBytes: s.responseBytes }, ts[k], emit);
      }
    }
  }
}

/**
 * The Prometheus export as a trace sink that writes while the run goes: each step's samples go
 * out as the step closes, so memory holds one accumulator per label set and nothing per step.
 * The text format wants each family's lines together, so lines go to `emit(family, line)` and
 * the caller keeps one stream per family (PROMETHEUS_FAMILIES order) and concatenates them.
 * Output equals `writePrometheus` over a fold with history.
 */
export class PrometheusStream implements TraceSink {
  readonly fold: IstioMetricsFold;
  private closingLast = false;

  constructor(
    opts: Omit<IstioMetricsOptions, 'keepHistory' | 'onStep'>,
    private readonly emit: (family: number, line: string) => void,
  ) {
    this.fold = new IstioMetricsFold({ ...opts, keepHistory: false, onStep: (k, series) => this.stepClosed(k, series) });
    for (let family = 0; family < PROMETHEUS_FAMILIES.length; family++) familyHeader(family, (line) => emit(family, line));
  }

  write(ev: TraceEvent): void {
    this.fold.write(ev);
  }

  /** Writes the last step (it ends with the run); call once after the run. */
  finish(): void {
    this.closingLast = true;
    this.fold.finish();
  }

  private stepClosed(k: number, series: readonly LiveSeries[]): void {
    const stepUs = this.fold.stepUs;
    const ts = this.closingLast ? lastStepTimestampMs(k, stepUs, this.fold.endUs) : Math.round(((k + 1) * stepUs) / 1000);
    for (let family = 0; family < PROMETHEUS_FAMILIES.length; family++) {
      const emit = (line: string) => this.emit(family, line);
      for (const s of series) familyLines(family, s.labels, { count: s.count, sumMs: s.sumUs / 1000, bucket: s.bucket, responseBytes: s.responseBytes }, ts, emit);
    }
  }
}

/**
 * PromQL's histogram_quantile over cumulative buckets (upper bounds ascending, last +Inf):
 * linear interpolation inside the bucket that holds the rank, the lowest bucket starting at 0,
 * and the highest finite bound returned when the rank falls into +Inf.
 */
export function histogramQuantile(q: number, bounds: readonly number[], cumulative: readonly number[]): number {
  const total = cumulative[cumulative.length - 1];
  if (total === 0) return Number.NaN;
  const rank = q * total;
  let b = 0;
  while (b < cumulative.length - 1 && cumulative[b] < rank) b++;
  if (b === bounds.length) return bounds[bounds.length - 1];
  const lower = b === 0 ? 0 : bounds[b - 1];
  const below = b === 0 ? 0 : cumulative[b - 1];
  const inBucket = cumulative[b] - below;
  return inBucket === 0 ? bounds[b] : lower + (bounds[b] - lower) * ((rank - below) / inBucket);
}
