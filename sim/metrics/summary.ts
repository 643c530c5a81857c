/**
 * The run summary (DESIGN.md, "Summary JSON", format 1) as a streaming fold over trace events:
 * per client, per edge (source workload → destination workload, by service and version) and per
 * VirtualService rule. Memory grows with the number of distinct edges, not with requests.
 */
import type { TraceEvent, UpstreamEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';
import { LatencyHistogram } from './histogram.ts';

export const SUMMARY_FORMAT = 1;

export interface LatencySummaryMs {
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface ClientSummary {
  name: string;
  requests: number;
  codes: Record<string, number>;
  latencyMs: LatencySummaryMs;
}

export interface EdgeSummary {
  source: string;
  /** Namespace of the source workload; null for clients outside the mesh. */
  sourceNamespace: string | null;
  destination: string | null;
  destinationNamespace: string | null;
  service: string;
  version: string | null;
  requests: number;
  codes: Record<string, number>;
  flags: Record<string, number>;
  latencyMs: LatencySummaryMs;
}

export interface RuleSummary {
  virtualService: string;
  rule: number;
  name: string;
  hits: number;
}

export function latencySummary(h: LatencyHistogram): LatencySummaryMs {
  const ms = (us: number): number => Math.round(us) / 1000;
  return { mean: ms(h.meanUs()), p50: ms(h.percentileUs(50)), p90: ms(h.percentileUs(90)), p99: ms(h.percentileUs(99)), max: ms(h.maxUs) };
}

/** Sorted copy of a count map, so key order never depends on arrival order. */
export function sortedCounts(m: Map<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of [...m.keys()].sort(compareCodes)) out[k] = m.get(k)!;
  return out;
}

function compareCodes(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (Number.isInteger(na) && Number.isInteger(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Counts by a key that takes few values (status codes, response flags), as parallel arrays scanned
 * with `===`: the fold runs once per attempt, and a short scan of the event's own values is
 * cheaper than a Map lookup and update (a status code or "-" is usually the first entry).
 */
class FewCounts<K extends number | string> {
  private readonly keys: K[] = [];
  private readonly counts: number[] = [];

  bump(k: K): void {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === k) {
        this.counts[i]++;
        return;
      }
    }
    keys.push(k);
    this.counts.push(1);
  }

  /** String-keyed, in numeric then string order (summary form). */
  sorted(): Record<string, number> {
    const m = new Map<string, number>();
    for (let i = 0; i < this.keys.length; i++) m.set(String(this.keys[i]), this.counts[i]);
    return sortedCounts(m);
  }
}

class ClientAcc {
  requests = 0;
  codes = new FewCounts<number>();
  latency = new LatencyHistogram();
}

class EdgeAcc {
  constructor(
    readonly source: string,
    readonly sourceNamespace: string | null,
    readonly destination: string | null,
    readonly destinationNamespace: string | null,
    readonly service: string,
    readonly version: string | null,
  ) {}
  requests = 0;
  codes = new FewCounts<number>();
  flags = new FewCounts<string>();
  latency = new LatencyHistogram();

  is(ev: UpstreamEvent): boolean {
    return ev.service === this.service && ev.source === this.source && ev.destination === this.destination && ev.version === this.version && ev.sourceNamespace === this.sourceNamespace && ev.destNamespace === this.destinationNamespace;
  }
}

export class SummaryFold implements TraceSink {
  private readonly clients = new Map<string, ClientAcc>();
  private readonly edges = new Map<string, EdgeAcc>();
  /**
   * Edges seen from each calling pod (or client), as a short list scanned with `===`: a workload
   * calls a handful of (service, destination, version) edges, and comparing the event's own
   * strings is cheaper than building a key or walking nested maps once per attempt. The last hit
   * moves one place forward, so the busiest edge is found first. Pod names may repeat across
   * namespaces; `EdgeAcc.is` compares every field, so that only lengthens a list.
   */
  private readonly edgesBySource = new Map<string, EdgeAcc[]>();
  private readonly rules = new Map<string, number>();

  /** `clientNames` fixes the order clients are listed in (the scenario's order). */
  constructor(private readonly clientNames: readonly string[]) {
    for (const n of clientNames) this.clients.set(n, new ClientAcc());
  }

  write(ev: TraceEvent): void {
    if (ev.kind === 'upstream') {
      const e = this.edgeFor(ev);
      e.requests++;
      e.codes.bump(ev.code);
      e.flags.bump(ev.flags);
      e.latency.record(ev.timeUs - ev.startUs);
      if (ev.route !== null && ev.attempt === 1) this.rules.set(ev.route, (this.rules.get(ev.route) ?? 0) + 1);
    } else if (ev.kind === 'client.end') {
      let c = this.clients.get(ev.client);
      if (!c) this.clients.set(ev.client, (c = new ClientAcc()));
      c.requests++;
      c.codes.bump(ev.code);
      c.latency.record(ev.latencyUs);
    }
  }

  private edgeFor(ev: UpstreamEvent): EdgeAcc {
    const from = ev.sourcePod ?? ev.source;
    let list = this.edgesBySource.get(from);
    if (!list) this.edgesBySource.set(from, (list = []));
    for (let i = 0; i < list.length; i++) {
      const e = list[i];
      if (e.is(ev)) {
        if (i > 0) {
          list[i] = list[i - 1];
          list[i - 1] = e;
        }
        return e;
      }
    }
    // First attempt on this edge from this pod: the edge itself may exist already (another pod of the workload).
    const key = `${ev.source}\u0000${ev.sourceNamespace ?? ''}\u0000${ev.destination ?? ''}\u0000${ev.destNamespace ?? ''}\u0000${ev.service}\u0000${ev.version ?? ''}`;
    let e = this.edges.get(key);
    if (!e) {
      e = new EdgeAcc(ev.source, ev.sourceNamespace, ev.destination, ev.destNamespace, ev.service, ev.version);
      this.edges.set(key, e);
    }
    list.push(e);
    return e;
  }

  clientSummaries(): ClientSummary[] {
    const names = [...this.clientNames, ...[...this.clients.keys()].filter((n) => !this.clientNames.includes(n)).sort()];
    return names.map((name) => {
      const c = this.clients.get(name)!;
      return { name, requests: c.requests, codes: c.codes.sorted(), latencyMs: latencySummary(c.latency) };
    });
  }

  edgeSummaries(): EdgeSummary[] {
    return [...this.edges.keys()].sort().map((k) => {
      const e = this.edges.get(k)!;
      return {
        source: e.source,
        sourceNamespace: e.sourceNamespace,
        destination: e.destination,
        destinationNamespace: e.destinationNamespace,
        service: e.service,
        version: e.version,
        requests: e.requests,
        codes: e.codes.sorted(),
        flags: e.flags.sorted(),
        latencyMs: latencySummary(e.latency),
      };
    });
  }

  /** Rule hits (first attempts routed by each VirtualService rule); `nameOf` supplies rule names. */
  ruleSummaries(nameOf: (vs: string, rule: number) => string): RuleSummary[] {
    return [...this.rules.keys()].sort(compareRuleKeys).map((k) => {
      const hash = k.lastIndexOf('#');
      const vs = k.slice(0, hash);
      const rule = Number(k.slice(hash + 1));
      return { virtualService: vs, rule, name: nameOf(vs, rule), hits: this.rules.get(k)! };
    });
  }
}

function compareRuleKeys(a: string, b: string): number {
  const [va, ra] = [a.slice(0, a.lastIndexOf('#')), Number(a.slice(a.lastIndexOf('#') + 1))];
  const [vb, rb] = [b.slice(0, b.lastIndexOf('#')), Number(b.slice(b.lastIndexOf('#') + 1))];
  if (va !== vb) return va < vb ? -1 : 1;
  return ra - rb;
}
