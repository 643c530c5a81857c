/**
 * Prometheus text exposition format (version 0.0.4) of the Istio metrics fold: one sample per
 * series per step of simulated time, each with an explicit timestamp (ms of simulated time since
 * the run started, i.e. since the Unix epoch). It reads like the concatenated scrapes of a
 * Prometheus server scraping every `stepUs`, so `rate()` and `histogram_quantile()` over
 * `istio_request_duration_milliseconds_bucket` work on it once loaded (e.g. converted to
 * OpenMetrics for `promtool tsdb create-blocks-from openmetrics`, with timestamps shifted into
 * the retention window).
 */
import { ENVOY_DEFAULT_BUCKETS_MS, ISTIO_LABELS, type IstioMetricsFold, type IstioSeries } from '../metrics/istio-metrics.ts';

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
  for (let s = 0; s < stepCount; s++) {
    const end = ((s + 1) * stepUs) / 1000;
    out.push(s < stepCount - 1 ? Math.round(end) : Math.max(Math.ceil(endUs / 1000), Math.floor((s * stepUs) / 1000) + 1));
  }
  return out;
}

/** Index of the latest snapshot of `s` at or before step `k`, or -1 when the series is younger. */
function snapshotAt(s: IstioSeries, k: number, from: number): number {
  let i = from;
  while (i + 1 < s.steps.length && s.steps[i + 1] <= k) i++;
  return i >= 0 && s.steps[i] <= k ? i : -1;
}

/** Writes the exposition text line by line (streaming to a file; nothing is held whole). */
export function writePrometheus(fold: IstioMetricsFold, emit: (line: string) => void): void {
  const series = fold.series();
  const ts = stepTimestampsMs(fold.stepCount, fold.stepUs, fold.endUs);
  const les = [...ENVOY_DEFAULT_BUCKETS_MS.map((b) => String(b)), '+Inf'];

  emit('# HELP istio_requests_total Requests as counted by the reporting proxy (meshsim: one per upstream attempt; timestamps are simulated ms since start).');
  emit('# TYPE istio_requests_total counter');
  let cursor = series.map(() => -1);
  for (let k = 0; k < ts.length; k++) {
    for (let i = 0; i < series.length; i++) {
      const j = snapshotAt(series[i], k, cursor[i]);
      cursor[i] = j;
      if (j >= 0) emit(`istio_requests_total${labelText(series[i].labels)} ${series[i].counts[j]} ${ts[k]}`);
    }
  }

  emit('# HELP istio_request_duration_milliseconds Request duration in ms, Envoy default buckets (meshsim: the calling proxy\'s view for both reporters).');
  emit('# TYPE istio_request_duration_milliseconds histogram');
  cursor = series.map(() => -1);
  for (let k = 0; k < ts.length; k++) {
    for (let i = 0; i < series.length; i++) {
      const s = series[i];
      const j = snapshotAt(s, k, cursor[i]);
      cursor[i] = j;
      if (j < 0) continue;
      let cumulative = 0;
      for (let b = 0; b < les.length; b++) {
        cumulative += s.buckets[j][b];
        emit(`istio_request_duration_milliseconds_bucket${labelText(s.labels, ['le', les[b]])} ${cumulative} ${ts[k]}`);
      }
      emit(`istio_request_duration_milliseconds_sum${labelText(s.labels)} ${num(s.sumsMs[j])} ${ts[k]}`);
      emit(`istio_request_duration_milliseconds_count${labelText(s.labels)} ${s.counts[j]} ${ts[k]}`);
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
