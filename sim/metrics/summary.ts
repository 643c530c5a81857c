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

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

class ClientAcc {
  requests = 0;
  codes = new Map<string, number>();
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
  codes = new Map<string, number>();
  flags = new Map<string, number>();
  latency = new LatencyHistogram();
}

export class SummaryFold implements TraceSink {
  private readonly clients = new Map<string, ClientAcc>();
  private readonly edges = new Map<string, EdgeAcc>();
  /** sourceNamespace → source → destNamespace → destination → service → version → accumulator. */
  private readonly edgeIndex = new Map<string | null, Map<string, Map<string | null, Map<string | null, Map<string, Map<string | null, EdgeAcc>>>>>>();
  private readonly rules = new Map<string, number>();

  /** `clientNames` fixes the order clients are listed in (the scenario's order). */
  constructor(private readonly clientNames: readonly string[]) {
    for (const n of clientNames) this.clients.set(n, new ClientAcc());
  }

  write(ev: TraceEvent): void {
    if (ev.kind === 'client.end') {
      let c = this.clients.get(ev.client);
      if (!c) this.clients.set(ev.client, (c = new ClientAcc()));
      c.requests++;
      bump(c.codes, String(ev.code));
      c.latency.record(ev.latencyUs);
    } else if (ev.kind === 'upstream') {
      const e = this.edgeFor(ev);
      e.requests++;
      bump(e.codes, String(ev.code));
      bump(e.flags, ev.flags);
      e.latency.record(ev.timeUs - ev.startUs);
      if (ev.route !== null && ev.attempt === 1) this.rules.set(ev.route, (this.rules.get(ev.route) ?? 0) + 1);
    }
  }

  private edgeFor(ev: UpstreamEvent): EdgeAcc {
    // Nested maps keyed by the event's own strings: no key string is built per event.
    let a = this.edgeIndex.get(ev.sourceNamespace);
    if (!a) this.edgeIndex.set(ev.sourceNamespace, (a = new Map()));
    let b = a.get(ev.source);
    if (!b) a.set(ev.source, (b = new Map()));
    let c = b.get(ev.destNamespace);
    if (!c) b.set(ev.destNamespace, (c = new Map()));
    let d = c.get(ev.destination);
    if (!d) c.set(ev.destination, (d = new Map()));
    let e2 = d.get(ev.service);
    if (!e2) d.set(ev.service, (e2 = new Map()));
    let e = e2.get(ev.version);
    if (!e) {
      e = new EdgeAcc(ev.source, ev.sourceNamespace, ev.destination, ev.destNamespace, ev.service, ev.version);
      e2.set(ev.version, e);
      this.edges.set(`${ev.source}\u0000${ev.sourceNamespace ?? ''}\u0000${ev.destination ?? ''}\u0000${ev.destNamespace ?? ''}\u0000${ev.service}\u0000${ev.version ?? ''}`, e);
    }
    return e;
  }

  clientSummaries(): ClientSummary[] {
    const names = [...this.clientNames, ...[...this.clients.keys()].filter((n) => !this.clientNames.includes(n)).sort()];
    return names.map((name) => {
      const c = this.clients.get(name)!;
      return { name, requests: c.requests, codes: sortedCounts(c.codes), latencyMs: latencySummary(c.latency) };
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
        codes: sortedCounts(e.codes),
        flags: sortedCounts(e.flags),
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
