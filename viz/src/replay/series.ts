/**
 * Time series for the charts under the graph, folded once from the columnar trace into fixed
 * bins: client latency percentiles, client response codes by class, and attempts per second per
 * graph edge. The charts are drawn once; only their shared time cursor moves. No DOM.
 */
import type { TraceView } from './columnar.ts';
import { LATENCY_BUCKETS, bucketQuantileUs, latencyBucket } from './latency-buckets.ts';

export const CODE_CLASSES = ['2xx', '3xx', '4xx', '5xx', 'no response'] as const;
export type CodeClass = (typeof CODE_CLASSES)[number];

export function codeClass(code: number): CodeClass {
  if (code >= 200 && code < 300) return '2xx';
  if (code >= 300 && code < 400) return '3xx';
  if (code >= 400 && code < 500) return '4xx';
  if (code >= 500) return '5xx';
  return 'no response';
}

export interface Series {
  binUs: number;
  bins: number;
  /** Client latency per bin (ms; NaN when no request finished in the bin). */
  p50Ms: Float64Array;
  p90Ms: Float64Array;
  p99Ms: Float64Array;
  /** Requests finished per bin by class, CODE_CLASSES order. */
  codes: Float64Array[];
  /** Attempts per second per graph edge id. */
  rpsByEdge: Map<string, Float64Array>;
}

/** `edgeIdOfReplayEdge[i]` maps ReplayIndex edge i to its graph edge; `edgeOfRow` maps upstream rows to ReplayIndex edges. */
export function buildSeries(view: TraceView, endUs: number, bins: number, edgeOfRow: Int32Array, edgeIdOfReplayEdge: readonly string[]): Series {
  const binUs = Math.max(1, Math.ceil(Math.max(1, endUs) / bins));
  const binOf = (t: number): number => Math.min(bins - 1, Math.max(0, Math.floor(t / binUs)));

  const end = view.columns('client.end');
  const endTime = end.num('timeUs');
  const latency = end.num('latencyUs');
  const code = end.num('code');
  const hist = new Float64Array(bins * LATENCY_BUCKETS);
  const codes = CODE_CLASSES.map(() => new Float64Array(bins));
  for (let r = 0; r < end.rows; r++) {
    const b = binOf(endTime[r]);
    hist[b * LATENCY_BUCKETS + latencyBucket(latency[r])]++;
    codes[CODE_CLASSES.indexOf(codeClass(code[r]))][b]++;
  }
  const p50Ms = new Float64Array(bins);
  const p90Ms = new Float64Array(bins);
  const p99Ms = new Float64Array(bins);
  for (let b = 0; b < bins; b++) {
    let n = 0;
    for (const c of codes) n += c[b];
    const q = (x: number): number => (n === 0 ? NaN : bucketQuantileUs(hist, b * LATENCY_BUCKETS, x) / 1000);
    p50Ms[b] = q(0.5);
    p90Ms[b] = q(0.9);
    p99Ms[b] = q(0.99);
  }

  const up = view.columns('upstream');
  const upTime = up.num('timeUs');
  const rpsByEdge = new Map<string, Float64Array>();
  const perSecond = 1_000_000 / binUs;
  for (let r = 0; r < up.rows; r++) {
    const id = edgeIdOfReplayEdge[edgeOfRow[r]];
    let s = rpsByEdge.get(id);
    if (!s) rpsByEdge.set(id, (s = new Float64Array(bins)));
    s[binOf(upTime[r])] += perSecond;
  }
  return { binUs, bins, p50Ms, p90Ms, p99Ms, codes, rpsByEdge };
}
