/**
 * Behavioural diff: what a configuration change does to traffic. Two run summaries of the same
 * scenario and seed (so the same arrivals) are compared per flow — a calling workload's requests
 * to one service — and per client: how much traffic moved between destinations, which flows
 * appeared or vanished, how codes and latency percentiles changed.
 *
 * Shares are compared with a two-proportion z test at 99.9 %, so a PR comment can tell a real
 * shift from the noise of a different random draw.
 */
import { LatencyHistogram } from '../metrics/histogram.ts';
import { latencySummary, type ClientSummary, type EdgeSummary, type LatencySummaryMs } from '../metrics/summary.ts';
import type { TraceEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';
import { zForConfidence } from './stats.ts';

export const DIFF_FORMAT = 1;
const CONFIDENCE = 0.999;

/** What the diff needs from a run: its summary, and latency per flow when a FlowLatencyFold watched it. */
export interface TrafficView {
  clients: ClientSummary[];
  edges: EdgeSummary[];
  flowLatency?: ReadonlyMap<string, LatencySummaryMs>;
}

const flowKey = (source: string, service: string): string => `${source}\u0000${service}`;

/**
 * Latency per flow (calling workload → service, whatever destination answered). The summary keeps
 * latency per edge only, and percentiles of several edges cannot be merged afterwards.
 */
export class FlowLatencyFold implements TraceSink {
  private readonly flows = new Map<string, LatencyHistogram>();
  write(ev: TraceEvent): void {
    if (ev.kind !== 'upstream') return;
    const k = flowKey(ev.source, ev.service);
    let h = this.flows.get(k);
    if (!h) this.flows.set(k, (h = new LatencyHistogram()));
    h.record(ev.timeUs - ev.startUs);
  }
  summaries(): Map<string, LatencySummaryMs> {
    return new Map([...this.flows].map(([k, h]) => [k, latencySummary(h)] as [string, LatencySummaryMs]));
  }
}

export interface ShareChange {
  base: { count: number; share: number };
  head: { count: number; share: number };
  /** head − base share, in percentage points. */
  deltaPoints: number;
  /** Beyond what chance explains at 99.9 % (two-proportion z test). */
  significant: boolean;
}

export interface DestinationChange extends ShareChange {
  destination: string | null;
  version: string | null;
}

export interface CodeChange extends ShareChange {
  code: string;
}

export interface FlowDiff {
  source: string;
  service: string;
  status: 'added' | 'removed' | 'changed' | 'same';
  baseRequests: number;
  headRequests: number;
  /** Share of the flow's requests that changed destination (total variation distance), percent. */
  movedPercent: number;
  destinations: DestinationChange[];
  /** Codes and flags whose share changed (all of them, significant or not). */
  codes: CodeChange[];
  flags: CodeChange[];
  latencyMs: { base: LatencySummaryMs | null; head: LatencySummaryMs | null };
}

export interface ClientDiff {
  name: string;
  baseRequests: number;
  headRequests: number;
  codes: CodeChange[];
  latencyMs: { base: LatencySummaryMs | null; head: LatencySummaryMs | null };
}

export interface TrafficDiff {
  format: number;
  flows: FlowDiff[];
  clients: ClientDiff[];
}

const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

function shareChange(baseCount: number, baseN: number, headCount: number, headN: number, z: number): ShareChange {
  const pb = baseN === 0 ? 0 : baseCount / baseN;
  const ph = headN === 0 ? 0 : headCount / headN;
  let significant: boolean;
  if (baseN === 0 || headN === 0) significant = baseCount + headCount > 0;
  else {
    const pooled = (baseCount + headCount) / (baseN + headN);
    const se = Math.sqrt(pooled * (1 - pooled) * (1 / baseN + 1 / headN));
    significant = se === 0 ? pb !== ph : Math.abs(ph - pb) > z * se;
  }
  return { base: { count: baseCount, share: round(pb, 4) }, head: { count: headCount, share: round(ph, 4) }, deltaPoints: round((ph - pb) * 100), significant };
}

function countChanges(base: Record<string, number>, baseN: number, head: Record<string, number>, headN: number, z: number): CodeChange[] {
  const keys = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort(compareCodes);
  const out: CodeChange[] = [];
  for (const code of keys) {
    const c = shareChange(base[code] ?? 0, baseN, head[code] ?? 0, headN, z);
    if (c.base.share !== c.head.share || (baseN === 0) !== (headN === 0)) out.push({ code, ...c });
  }
  return out;
}

function compareCodes(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

interface Flow {
  requests: number;
  byDestination: Map<string, { destination: string | null; version: string | null; requests: number }>;
  codes: Record<string, number>;
  flags: Record<string, number>;
  /** From a FlowLatencyFold when there was one; else the flow's busiest edge stands in. */
  latencyMs: LatencySummaryMs | null;
  busiest: number;
}

function flowsOf(view: TrafficView): Map<string, Flow> {
  const out = new Map<string, Flow>();
  for (const e of view.edges) {
    const key = flowKey(e.source, e.service);
    let f = out.get(key);
    if (!f) out.set(key, (f = { requests: 0, byDestination: new Map(), codes: {}, flags: {}, latencyMs: null, busiest: -1 }));
    f.requests += e.requests;
    const dk = `${e.destination ?? ''}\u0000${e.version ?? ''}`;
    const d = f.byDestination.get(dk) ?? { destination: e.destination, version: e.version, requests: 0 };
    d.requests += e.requests;
    f.byDestination.set(dk, d);
    addCounts(f.codes, e.codes);
    addCounts(f.flags, e.flags);
    if (e.requests > f.busiest) {
      f.busiest = e.requests;
      f.latencyMs = e.latencyMs;
    }
  }
  for (const [k, f] of out) f.latencyMs = view.flowLatency?.get(k) ?? f.latencyMs;
  return out;
}

function diffFlow(source: string, service: string, base: Flow | undefined, head: Flow | undefined, z: number): FlowDiff {
  const bn = base?.requests ?? 0;
  const hn = head?.requests ?? 0;
  const keys = [...new Set([...(base?.byDestination.keys() ?? []), ...(head?.byDestination.keys() ?? [])])].sort();
  let moved = 0;
  const destinations: DestinationChange[] = keys.map((k) => {
    const b = base?.byDestination.get(k);
    const h = head?.byDestination.get(k);
    const c = shareChange(b?.requests ?? 0, bn, h?.requests ?? 0, hn, z);
    if (bn > 0 && hn > 0) moved += Math.max(0, c.head.share - c.base.share);
    return { destination: (b ?? h)!.destination, version: (b ?? h)!.version, ...c };
  });
  const codes = countChanges(base?.codes ?? {}, bn, head?.codes ?? {}, hn, z);
  const flags = countChanges(base?.flags ?? {}, bn, head?.flags ?? {}, hn, z);
  const status = bn === 0 ? 'added' : hn === 0 ? 'removed' : destinations.some((d) => d.significant) || codes.some((c) => c.significant) ? 'changed' : 'same';
  return {
    source,
    service,
    status,
    baseRequests: bn,
    headRequests: hn,
    movedPercent: round(moved * 100),
    destinations,
    codes,
    flags,
    latencyMs: { base: base?.latencyMs ?? null, head: head?.latencyMs ?? null },
  };
}

export function diffTraffic(base: TrafficView, head: TrafficView): TrafficDiff {
  const z = zForConfidence(CONFIDENCE);
  const bf = flowsOf(base);
  const hf = flowsOf(head);
  const keys = [...new Set([...bf.keys(), ...hf.keys()])].sort();
  const flows = keys.map((k) => {
    const [source, service] = k.split('\u0000');
    return diffFlow(source, service, bf.get(k), hf.get(k), z);
  });
  const names = [...new Set([...base.clients.map((c) => c.name), ...head.clients.map((c) => c.name)])];
  const clients = names.map((name): ClientDiff => {
    const b = base.clients.find((c) => c.name === name);
    const h = head.clients.find((c) => c.name === name);
    return {
      name,
      baseRequests: b?.requests ?? 0,
      headRequests: h?.requests ?? 0,
      codes: countChanges(b?.codes ?? {}, b?.requests ?? 0, h?.codes ?? {}, h?.requests ?? 0, z),
      latencyMs: { base: b?.latencyMs ?? null, head: h?.latencyMs ?? null },
    };
  });
  return { format: DIFF_FORMAT, flows, clients };
}
