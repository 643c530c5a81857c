/**
 * Per-step series for the HTML report, folded streaming: client latency percentiles (each step's
 * histogram is reduced to p50/p90/p99 when the step closes, so only one step is held), client
 * response codes, upstream response flags, each caller's split over destination versions, and
 * the timeline. Memory grows with steps × distinct keys, not with requests.
 */
import { LatencyHistogram } from '../metrics/histogram.ts';
import type { TraceEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';

export interface NamedSeries {
  name: string;
  values: number[];
}

export interface LatencySeries {
  client: string;
  /** ms per step; null where the step had no responses. */
  p50: (number | null)[];
  p90: (number | null)[];
  p99: (number | null)[];
}

export interface SplitSeries {
  /** "source → service" */
  edge: string;
  versions: NamedSeries[];
}

export interface TimeSeries {
  stepMs: number;
  steps: number;
  latency: LatencySeries[];
  /** Client responses per step by status code ("0" = no response). */
  codes: NamedSeries[];
  /** Upstream attempts per step by response flag ("-" = none). */
  flags: NamedSeries[];
  split: SplitSeries[];
  timeline: { timeMs: number; action: string; label: string }[];
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function bumpAt(m: Map<string, number[]>, key: string, step: number): void {
  let arr = m.get(key);
  if (!arr) m.set(key, (arr = []));
  while (arr.length <= step) arr.push(0);
  arr[step]++;
}

export class TimeSeriesFold implements TraceSink {
  private step = 0;
  private live = new Map<string, LatencyHistogram>();
  private readonly latency = new Map<string, { p50: (number | null)[]; p90: (number | null)[]; p99: (number | null)[] }>();
  private readonly codes = new Map<string, number[]>();
  private readonly flags = new Map<string, number[]>();
  private readonly split = new Map<string, Map<string, number[]>>();
  /** source → service → the same maps as `split`, so the hot path builds no key strings. */
  private readonly splitIndex = new Map<string, Map<string, Map<string, number[]>>>();
  private readonly timeline: TimeSeries['timeline'] = [];
  private maxStep = 0;

  constructor(
    private readonly stepUs: number,
    private readonly clients: readonly string[],
  ) {
    for (const c of clients) this.latency.set(c, { p50: [], p90: [], p99: [] });
  }

  write(ev: TraceEvent): void {
    if (ev.kind === 'client.end') {
      const k = this.stepOf(ev.timeUs);
      if (k > this.step) this.close(k);
      let h = this.live.get(ev.client);
      if (!h) this.live.set(ev.client, (h = new LatencyHistogram()));
      h.record(ev.latencyUs);
      bumpAt(this.codes, String(ev.code), k);
    } else if (ev.kind === 'upstream') {
      const k = this.stepOf(ev.timeUs);
      if (ev.flags.indexOf(',') < 0) bumpAt(this.flags, ev.flags, k);
      else for (const f of ev.flags.split(',')) bumpAt(this.flags, f, k);
      // Splits count first attempts only: where the router sent each call.
      if (ev.attempt === 1) {
        let bySource = this.splitIndex.get(ev.source);
        if (!bySource) this.splitIndex.set(ev.source, (bySource = new Map()));
        let m = bySource.get(ev.service);
        if (!m) {
          m = new Map();
          bySource.set(ev.service, m);
          this.split.set(`${ev.source} → ${ev.service}`, m);
        }
        const target = ev.version ?? ev.destination;
        bumpAt(m, target !== null ? target : `no workload (${ev.flags})`, k);
      }
    } else if (ev.kind === 'timeline') {
      this.timeline.push({ timeMs: ev.timeUs / 1000, action: ev.action, label: ev.label });
    }
  }

  private stepOf(timeUs: number): number {
    const k = Math.floor(timeUs / this.stepUs);
    if (k > this.maxStep) this.maxStep = k;
    return k;
  }

  /** Reduces the live step's histograms to percentiles and moves on to step `next`. */
  private close(next: number): void {
    for (const [client, h] of this.live) {
      let l = this.latency.get(client);
      if (!l) this.latency.set(client, (l = { p50: [], p90: [], p99: [] }));
      const pad = (a: (number | null)[]) => {
        while (a.length < this.step) a.push(null);
      };
      pad(l.p50);
      pad(l.p90);
      pad(l.p99);
      l.p50.push(h.percentileUs(50) / 1000);
      l.p90.push(h.percentileUs(90) / 1000);
      l.p99.push(h.percentileUs(99) / 1000);
    }
    this.live = new Map();
    this.step = next;
  }

  result(): TimeSeries {
    this.close(this.step + 1);
    const steps = this.maxStep + 1;
    const fill = (a: number[]) => Array.from({ length: steps }, (_, i) => a[i] ?? 0);
    const fillNull = (a: (number | null)[]) => Array.from({ length: steps }, (_, i) => a[i] ?? null);
    const named = (m: Map<string, number[]>, order: (a: string, b: string) => number) =>
      [...m.keys()].sort(order).map((name) => ({ name, values: fill(m.get(name)!) }));
    const codeOrder = (a: string, b: string) => Number(a) - Number(b);
    return {
      stepMs: this.stepUs / 1000,
      steps,
      latency: [...this.clients, ...[...this.latency.keys()].filter((c) => !this.clients.includes(c)).sort(cmp)].map((client) => {
        const l = this.latency.get(client)!;
        return { client, p50: fillNull(l.p50), p90: fillNull(l.p90), p99: fillNull(l.p99) };
      }),
      codes: named(this.codes, codeOrder),
      flags: named(this.flags, cmp),
      split: [...this.split.keys()].sort(cmp).map((edge) => ({ edge, versions: named(this.split.get(edge)!, cmp) })),
      timeline: this.timeline,
    };
  }
}
