/**
 * Time travel over a columnar trace. The state at simulated time t (cumulative per-edge requests,
 * codes and latency buckets; client requests started and finished; each proxy's config version
 * and sync status; each pod's lifecycle state; which hosts each proxy has ejected) is the nearest
 * keyframe at or before t plus the few events between them. Keyframes are taken every
 * KEYFRAME_EVENTS events and at least every KEYFRAME_US of simulated time, and are flat typed
 * arrays, so taking one or starting from one is a handful of memcpy calls.
 * Pure data, no DOM: checked in Node (test/viz/keyframes.test.ts).
 */
import type { EdgeSummary } from '../../../sim/index.ts';
import type { NumberColumn, TraceView } from './columnar.ts';
import { LATENCY_BUCKETS, bucketQuantileUs, latencyBucket } from './latency-buckets.ts';

export const KEYFRAME_EVENTS = 2048;
export const KEYFRAME_US = 1_000_000;

/** One summary edge: source workload → destination workload by service and version (the summary's edge key). */
export type ReplayEdge = Pick<EdgeSummary, 'source' | 'sourceNamespace' | 'destination' | 'destinationNamespace' | 'service' | 'version'>;

export interface EjectionKey {
  proxy: string;
  cluster: string;
  host: string;
}

export interface ReplayState {
  timeUs: number;
  /** Events applied: trace events [0, next). */
  next: number;
  /** Per edge, `stride` numbers: requests, one count per code in `codes`, LATENCY_BUCKETS buckets. */
  edgeCounts: Float64Array;
  clientStarted: number;
  clientEnded: number;
  /** Per proxy: config version installed (config.push; NaN = none yet), 1 while STALE and the version sent but not applied. */
  proxyVersion: Float64Array;
  proxyStale: Uint8Array;
  proxyPending: Float64Array;
  /** Per pod: lifecycle state as a string-table id (-1 = no event yet) and restarts. */
  podState: Int32Array;
  podRestarts: Float64Array;
  /** Per ejection key: 1 while ejected, and since when. */
  ejected: Uint8Array;
  ejectedSinceUs: Float64Array;
}

function cloneState(s: ReplayState): ReplayState {
  return {
    timeUs: s.timeUs,
    next: s.next,
    edgeCounts: s.edgeCounts.slice(),
    clientStarted: s.clientStarted,
    clientEnded: s.clientEnded,
    proxyVersion: s.proxyVersion.slice(),
    proxyStale: s.proxyStale.slice(),
    proxyPending: s.proxyPending.slice(),
    podState: s.podState.slice(),
    podRestarts: s.podRestarts.slice(),
    ejected: s.ejected.slice(),
    ejectedSinceUs: s.ejectedSinceUs.slice(),
  };
}

/** Interns values into a dense index, in first-seen order. */
class Dense<K> {
  readonly items: K[] = [];
  private readonly index = new Map<string, number>();
  id(key: string, make: () => K): number {
    let i = this.index.get(key);
    if (i === undefined) {
      i = this.items.length;
      this.items.push(make());
      this.index.set(key, i);
    }
    return i;
  }
  find(key: string): number {
    return this.index.get(key) ?? -1;
  }
}

export class ReplayIndex {
  readonly edges: ReplayEdge[];
  /** Distinct response codes, ascending. */
  readonly codes: number[];
  readonly stride: number;
  readonly proxies: string[];
  readonly pods: string[];
  readonly ejections: EjectionKey[];
  readonly endUs: number;
  private readonly keyframes: ReplayState[] = [];

  // Kind ids and per-row facts precomputed once, so applying an event is a few array reads.
  private readonly k: Record<'upstream' | 'start' | 'end' | 'push' | 'status' | 'pod' | 'eject' | 'uneject', number>;
  /** ReplayIndex edge of each upstream row. */
  readonly edgeOfRow: Int32Array;
  private readonly upCode: Int32Array;
  private readonly upBucket: Int32Array;
  private readonly pushProxy: Int32Array;
  private readonly pushVersion: NumberColumn;
  private readonly statusProxy: Int32Array;
  private readonly statusStale: Uint8Array;
  private readonly statusVersion: NumberColumn;
  private readonly podOf: Int32Array;
  private readonly podStateId: Int32Array;
  private readonly podRestartsOf: NumberColumn;
  private readonly ejectOf: Int32Array;
  private readonly ejectTime: NumberColumn;
  private readonly unejectOf: Int32Array;
  private podIndex = new Map<string, number>();
  private proxyIndex = new Map<string, number>();

  constructor(
    readonly view: TraceView,
    opts: { keyframeEvents?: number; keyframeUs?: number } = {},
  ) {
    const v = view;
    this.k = {
      upstream: v.kindId('upstream'),
      start: v.kindId('client.start'),
      end: v.kindId('client.end'),
      push: v.kindId('config.push'),
      status: v.kindId('proxy.status'),
      pod: v.kindId('pod.state'),
      eject: v.kindId('outlier.eject'),
      uneject: v.kindId('outlier.uneject'),
    };

    // Edges and codes, in first-seen order; codes then sorted so the layout reads naturally.
    const up = v.columns('upstream');
    const cols = ['source', 'sourceNamespace', 'destination', 'destNamespace', 'service', 'version'].map((f) => up.ids(f));
    const edges = new Dense<ReplayEdge>();
    this.edgeOfRow = new Int32Array(up.rows);
    for (let r = 0; r < up.rows; r++) {
      const key = `${cols[0][r]},${cols[1][r]},${cols[2][r]},${cols[3][r]},${cols[4][r]},${cols[5][r]}`;
      this.edgeOfRow[r] = edges.id(key, () => ({
        source: v.string(cols[0][r]) ?? '',
        sourceNamespace: v.string(cols[1][r]),
        destination: v.string(cols[2][r]),
        destinationNamespace: v.string(cols[3][r]),
        service: v.string(cols[4][r]) ?? '',
        version: v.string(cols[5][r]),
      }));
    }
    this.edges = edges.items;
    const code = up.num('code');
    this.codes = [...new Set(code)].filter((c) => !Number.isNaN(c)).sort((a, b) => a - b);
    const codeSlot = new Map(this.codes.map((c, i) => [c, i]));
    this.upCode = Int32Array.from(code, (c) => codeSlot.get(c) ?? 0);
    const start = up.num('startUs');
    const end = up.num('timeUs');
    this.upBucket = new Int32Array(up.rows);
    for (let r = 0; r < up.rows; r++) this.upBucket[r] = latencyBucket(end[r] - start[r]);
    this.stride = 1 + this.codes.length + LATENCY_BUCKETS;

    // Proxies (config.push and proxy.status), pods, ejection keys.
    const proxies = new Dense<string>();
    const push = v.columns('config.push');
    const pushProxyIds = push.ids('proxy');
    this.pushProxy = Int32Array.from(pushProxyIds, (id) => proxies.id(String(id), () => v.string(id) ?? ''));
    this.pushVersion = push.num('version');
    const status = v.columns('proxy.status');
    const statusProxyIds = status.ids('proxy');
    this.statusProxy = Int32Array.from(statusProxyIds, (id) => proxies.id(String(id), () => v.string(id) ?? ''));
    this.statusVersion = status.num('version');
    const staleId = v.trace.strings.indexOf('STALE');
    this.statusStale = Uint8Array.from(status.ids('status'), (id) => (id === staleId ? 1 : 0));
    this.proxies = proxies.items;
    this.proxies.forEach((p, i) => this.proxyIndex.set(p, i));

    const pods = new Dense<string>();
    const pod = v.columns('pod.state');
    this.podOf = Int32Array.from(pod.ids('pod'), (id) => pods.id(String(id), () => v.string(id) ?? ''));
    this.podStateId = pod.ids('state');
    this.podRestartsOf = pod.num('restarts');
    this.pods = pods.items;
    this.pods.forEach((p, i) => this.podIndex.set(p, i));

    const ejections = new Dense<EjectionKey>();
    const keyOf = (cols: KindLike, r: number): number => {
      const p = cols.ids('proxy')[r];
      const c = cols.ids('cluster')[r];
      const h = cols.ids('host')[r];
      return ejections.id(`${p},${c},${h}`, () => ({ proxy: v.string(p) ?? '', cluster: v.string(c) ?? '', host: v.string(h) ?? '' }));
    };
    const ej = v.columns('outlier.eject');
    this.ejectOf = Int32Array.from({ length: ej.rows }, (_, r) => keyOf(ej, r));
    this.ejectTime = ej.num('timeUs');
    const unej = v.columns('outlier.uneject');
    this.unejectOf = Int32Array.from({ length: unej.rows }, (_, r) => keyOf(unej, r));
    this.ejections = ejections.items;

    this.endUs = v.count === 0 ? 0 : v.trace.timeUs[v.count - 1];
    this.buildKeyframes(opts.keyframeEvents ?? KEYFRAME_EVENTS, opts.keyframeUs ?? KEYFRAME_US);
  }

  private emptyState(): ReplayState {
    return {
      timeUs: 0,
      next: 0,
      edgeCounts: new Float64Array(this.edges.length * this.stride),
      clientStarted: 0,
      clientEnded: 0,
      proxyVersion: new Float64Array(this.proxies.length).fill(NaN),
      proxyStale: new Uint8Array(this.proxies.length),
      proxyPending: new Float64Array(this.proxies.length).fill(NaN),
      podState: new Int32Array(this.pods.length).fill(-1),
      podRestarts: new Float64Array(this.pods.length),
      ejected: new Uint8Array(this.ejections.length),
      ejectedSinceUs: new Float64Array(this.ejections.length),
    };
  }

  private buildKeyframes(everyEvents: number, everyUs: number): void {
    const s = this.emptyState();
    this.keyframes.push(cloneState(s));
    const times = this.view.trace.timeUs;
    let nextAtUs = everyUs;
    for (let i = 0; i < this.view.count; i++) {
      // Snapshot before event i once enough events or simulated time have passed.
      if ((i > 0 && i % everyEvents === 0) || times[i] >= nextAtUs) {
        s.timeUs = times[i - 1] ?? 0;
        this.keyframes.push(cloneState(s));
        while (nextAtUs <= times[i]) nextAtUs += everyUs;
      }
      this.apply(s, i);
    }
  }

  get keyframeCount(): number {
    return this.keyframes.length;
  }

  private apply(s: ReplayState, i: number): void {
    const k = this.view.trace.kindOf[i];
    const r = this.view.trace.rowOf[i];
    const kk = this.k;
    if (k === kk.upstream) {
      const base = this.edgeOfRow[r] * this.stride;
      const c = s.edgeCounts;
      c[base]++;
      c[base + 1 + this.upCode[r]]++;
      c[base + 1 + this.codes.length + this.upBucket[r]]++;
    } else if (k === kk.start) s.clientStarted++;
    else if (k === kk.end) s.clientEnded++;
    else if (k === kk.push) s.proxyVersion[this.pushProxy[r]] = this.pushVersion[r];
    else if (k === kk.status) {
      const p = this.statusProxy[r];
      // STALE: sent, not applied (§6.1); the installed version changes only with config.push.
      s.proxyStale[p] = this.statusStale[r];
      s.proxyPending[p] = this.statusStale[r] ? this.statusVersion[r] : NaN;
    } else if (k === kk.pod) {
      s.podState[this.podOf[r]] = this.podStateId[r];
      s.podRestarts[this.podOf[r]] = this.podRestartsOf[r];
    } else if (k === kk.eject) {
      s.ejected[this.ejectOf[r]] = 1;
      s.ejectedSinceUs[this.ejectOf[r]] = this.ejectTime[r];
    } else if (k === kk.uneject) s.ejected[this.unejectOf[r]] = 0;
    s.next = i + 1;
  }

  /** State after every event with time ≤ tUs (a fresh copy the caller may keep). */
  stateAt(tUs: number): ReplayState {
    const n = this.view.upperBound(tUs);
    // Last keyframe with next ≤ n.
    let lo = 0;
    let hi = this.keyframes.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.keyframes[mid].next <= n) lo = mid;
      else hi = mid - 1;
    }
    const s = cloneState(this.keyframes[lo]);
    for (let i = s.next; i < n; i++) this.apply(s, i);
    s.timeUs = tUs;
    return s;
  }

  /**
   * Edges as the run summary lists them, counted between two states (`from` null = from the
   * start): requests, codes and latency percentiles from the replay's buckets. Edges with no
   * requests in the window are left out. Flags are not tracked (empty).
   */
  edgeSummaries(to: ReplayState, from: ReplayState | null = null): EdgeSummary[] {
    const out: EdgeSummary[] = [];
    const st = this.stride;
    const nCodes = this.codes.length;
    const buckets = new Float64Array(LATENCY_BUCKETS);
    for (let e = 0; e < this.edges.length; e++) {
      const base = e * st;
      const requests = to.edgeCounts[base] - (from ? from.edgeCounts[base] : 0);
      if (requests <= 0) continue;
      const codes: Record<string, number> = {};
      for (let c = 0; c < nCodes; c++) {
        const n = to.edgeCounts[base + 1 + c] - (from ? from.edgeCounts[base + 1 + c] : 0);
        if (n > 0) codes[String(this.codes[c])] = n;
      }
      for (let b = 0; b < LATENCY_BUCKETS; b++) buckets[b] = to.edgeCounts[base + 1 + nCodes + b] - (from ? from.edgeCounts[base + 1 + nCodes + b] : 0);
      const ms = (q: number): number => Math.round(bucketQuantileUs(buckets, 0, q)) / 1000;
      const p99 = ms(0.99);
      out.push({ ...this.edges[e], requests, codes, flags: {}, latencyMs: { mean: ms(0.5) /* no sums are kept; the median stands in */, p50: ms(0.5), p90: ms(0.9), p99, max: p99 } });
    }
    return out;
  }

  proxyId(name: string): number {
    return this.proxyIndex.get(name) ?? -1;
  }

  podId(name: string): number {
    return this.podIndex.get(name) ?? -1;
  }
}

interface KindLike {
  ids(field: string): Int32Array;
}
