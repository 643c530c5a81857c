/**
 * Which upstream attempts are on the wire at simulated time t, for the moving dots. An attempt
 * is in flight while startUs ≤ t < its end (the upstream event's time), so a dot's progress along
 * its edge is (t − start) / (end − start): dots of slow calls crawl, and busy edges carry many —
 * density follows rate and speed follows latency without extra bookkeeping.
 *
 * Attempts are indexed once by start time, in chunks that know their latest end; a query walks
 * back from t over at most the longest attempt's duration and skips every chunk that has fully
 * ended (one slow timeout must not make each frame scan the whole run). More than `cap` attempts
 * in flight are thinned with an even stride, so the picture keeps its proportions at 10k requests
 * per simulated second. No DOM.
 */
import type { TraceView } from './columnar.ts';

export const CHUNK = 256;

export interface InFlightIndex {
  /** Upstream rows sorted by start time, their start and end times in that order. */
  rows: Uint32Array;
  startUs: Float64Array;
  endUs: Float64Array;
  /** Latest end within each CHUNK of the sorted rows. */
  chunkEndUs: Float64Array;
  maxDurationUs: number;
}

export function buildInFlightIndex(view: TraceView): InFlightIndex {
  const up = view.columns('upstream');
  const start = up.num('startUs');
  const end = up.num('timeUs');
  const rows = Uint32Array.from({ length: up.rows }, (_, i) => i);
  // Upstream events are emitted at their end, so start order differs from row order; a typed sort
  // on (start, row) keeps ties deterministic.
  rows.sort((a, b) => start[a] - start[b] || a - b);
  const sorted = Float64Array.from(rows, (r) => start[r]);
  const endSorted = Float64Array.from(rows, (r) => end[r]);
  const chunkEndUs = new Float64Array(Math.ceil(rows.length / CHUNK));
  let maxDurationUs = 0;
  for (let j = 0; j < rows.length; j++) {
    maxDurationUs = Math.max(maxDurationUs, endSorted[j] - sorted[j]);
    const c = (j / CHUNK) | 0;
    if (endSorted[j] > chunkEndUs[c]) chunkEndUs[c] = endSorted[j];
  }
  return { rows, startUs: sorted, endUs: endSorted, chunkEndUs, maxDurationUs };
}

export interface InFlightQuery {
  /** Upstream rows in flight at t (after thinning), in start order. */
  rows: Int32Array;
  count: number;
  /** How many were in flight before thinning. */
  total: number;
}

/** Rows in flight at `tUs`, at most `cap` of them. `scratch` is reused between frames. */
export function inFlightAt(ix: InFlightIndex, tUs: number, cap: number, scratch: { buf: Int32Array }): InFlightQuery {
  const s = ix.startUs;
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid] <= tUs) lo = mid + 1;
    else hi = mid;
  }
  const from = tUs - ix.maxDurationUs;
  let n = 0;
  for (let j = lo - 1; j >= 0 && s[j] >= from; j--) {
    if (j % CHUNK === CHUNK - 1 || j === lo - 1) {
      // Entering a chunk (from its top): skip it whole when everything in it has ended.
      const c = (j / CHUNK) | 0;
      if (ix.chunkEndUs[c] <= tUs) {
        j = c * CHUNK;
        continue;
      }
    }
    if (ix.endUs[j] > tUs) {
      if (n === scratch.buf.length) {
        const bigger = new Int32Array(scratch.buf.length * 2);
        bigger.set(scratch.buf);
        scratch.buf = bigger;
      }
      scratch.buf[n++] = ix.rows[j];
    }
  }
  scratch.buf.subarray(0, n).reverse();
  if (n <= cap) return { rows: scratch.buf.subarray(0, n), count: n, total: n };
  const out = new Int32Array(cap);
  const step = n / cap;
  for (let i = 0; i < cap; i++) out[i] = scratch.buf[Math.floor(i * step)];
  return { rows: out, count: cap, total: n };
}
