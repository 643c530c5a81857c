/**
 * Expectations as streaming folds: each one watches the events in its scope while the run goes,
 * then gives a verdict with the observed value, the bound and the reason. The same folds run over
 * a stored trace (`evaluateExpectations`). Memory is bounded by scopes, keys and time buckets,
 * never by the number of requests.
 */
import type { ExpectationCheck, ExpectationSpec, TrafficSpec } from '../config/types.ts';
import type { SourceLocation } from '../domain/diagnostics.ts';
import type { TraceEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';
import { judge, type Judgement } from './judge.ts';
import { ProxyConfigFold } from './proxy-config.ts';
import { ScopeFilter, type Observation } from './scope.ts';
import { Tally } from './tally.ts';
import { judgeOverTime, type BucketVerdict } from './temporal.ts';

export { compare } from './judge.ts';

/** What `run --json` prints per expectation (summary format 1). */
export interface Verdict {
  name: string;
  passed: boolean;
  detail: string;
}

/** A verdict with the numbers behind it, for `check --json`, JUnit and lab hints. */
export interface VerdictReport extends Verdict {
  kind: ExpectationCheck['kind'];
  /** Requests (or attempts, or events) in scope. */
  n: number;
  /** The observed values the verdict compared ("v1": 0.487, "p99Us": 29632, "count": 3 …). */
  observed: Record<string, number>;
  /** Status codes and single response flags seen in scope ("NC" points at a missing subset). */
  codes: Record<string, number>;
  flags: Record<string, number>;
  /** Per-bucket verdicts of an always/eventually expectation. */
  buckets?: BucketVerdict[];
  source: SourceLocation | null;
}


interface Fold {
  observe(ev: TraceEvent): void;
  report(): VerdictReport;
}

/** Where the bucket index of an observation is measured from: the window start, or 0. */
function originOf(spec: ExpectationSpec): number {
  return spec.scope.window?.fromUs ?? 0;
}

/** Checks over requests or attempts: tallies, whole-window or per bucket. */
class RequestFold implements Fold {
  private readonly filter: ScopeFilter;
  private readonly whole: Tally;
  private readonly buckets = new Map<number, Tally>();
  private readonly splitBy: 'version' | 'workload' | null;
  private readonly watched: ReadonlySet<string> | null;
  private readonly latency: boolean;
  private readonly originUs: number;

  constructor(
    private readonly spec: ExpectationSpec,
    clientSource: ReadonlyMap<string, string>,
  ) {
    const c = spec.check;
    this.filter = new ScopeFilter(spec, clientSource);
    this.latency = c.kind === 'latency';
    this.whole = new Tally({ latency: this.latency && !spec.temporal });
    this.splitBy = c.kind === 'split' || c.kind === 'splitCounts' ? c.by : null;
    this.watched = c.kind === 'neverReaches' ? new Set(c.workloads) : null;
    this.originUs = originOf(spec);
  }

  observe(ev: TraceEvent): void {
    let o: Observation | null;
    if (ev.kind === 'upstream') {
      if (this.filter.source !== 'upstream') return;
      o = this.filter.upstream(ev);
    } else if (ev.kind === 'client.end') {
      if (this.filter.source !== 'client') return;
      o = this.filter.clientEnd(ev);
    } else return;
    if (o === null) return;
    const t = this.tallyFor(o.startUs);
    t.record(o.code, o.flags, o.latencyUs, o.attempt);
    if (this.splitBy !== null) t.recordKey((this.splitBy === 'version' ? o.version : o.destination) ?? '(none)', o.startUs);
    else if (this.watched !== null && o.destination !== null && this.watched.has(o.destination)) t.recordKey(o.destination, o.startUs);
  }

  private tallyFor(startUs: number): Tally {
    const temporal = this.spec.temporal;
    if (!temporal) return this.whole;
    const i = Math.floor((startUs - this.originUs) / temporal.bucketUs);
    let t = this.buckets.get(i);
    if (!t) this.buckets.set(i, (t = new Tally({ latency: this.latency })));
    return t;
  }

  report(): VerdictReport {
    const { spec } = this;
    if (!spec.temporal) return reportOf(spec, judge(spec.check, this.whole), this.whole.n, [this.whole]);
    const j = judgeOverTime(spec.temporal, this.originUs, this.buckets, (t, tests) => judge(spec.check, t, tests));
    const tallies = [...this.buckets.values()];
    const r = reportOf(spec, j, tallies.reduce((n, t) => n + t.n, 0), tallies);
    r.buckets = j.buckets;
    return r;
  }
}

/**
 * Outlier ejections: counts `outlier.eject` events in the window and scope. `edge.from` is the
 * ejecting proxy's workload, `edge.to` / `workload` the ejected host's, `edge.service` the cluster's service.
 */
class EjectionFold implements Fold {
  private readonly originUs: number;
  private readonly fromUs: number;
  private readonly toUs: number;
  /** Ejections in the window; matched against the scope at report time (see observe). */
  private readonly ejections: { timeUs: number; proxy: string; cluster: string; host: string }[] = [];
  /** Pod → Deployment and cluster → service, learned from upstream attempts (only when scoped). */
  private readonly workloadOfPod = new Map<string, string>();
  private readonly serviceOfCluster = new Map<string, string>();
  private readonly scoped: boolean;

  constructor(private readonly spec: ExpectationSpec) {
    this.scoped = spec.scope.edge !== undefined || spec.scope.workload !== undefined;
    this.originUs = originOf(spec);
    this.fromUs = spec.scope.window?.fromUs ?? 0;
    this.toUs = spec.scope.window?.toUs ?? Number.MAX_SAFE_INTEGER;
  }

  observe(ev: TraceEvent): void {
    if (ev.kind === 'upstream') {
      // An ejection names pods and a cluster; the attempts say whose they are. The attempt that
      // triggers an ejection is traced after it, so matching waits until report().
      if (this.scoped) {
        if (ev.sourcePod !== null) this.workloadOfPod.set(ev.sourcePod, ev.source);
        if (ev.destPod !== null && ev.destination !== null) this.workloadOfPod.set(ev.destPod, ev.destination);
        this.serviceOfCluster.set(ev.cluster, ev.service);
      }
      return;
    }
    if (ev.kind !== 'outlier.eject' || ev.timeUs < this.fromUs || ev.timeUs >= this.toUs) return;
    this.ejections.push({ timeUs: ev.timeUs, proxy: ev.proxy, cluster: ev.cluster, host: ev.host });
  }

  private inScope(e: { proxy: string; cluster: string; host: string }): boolean {
    const { edge, workload } = this.spec.scope;
    if (edge?.from !== undefined && this.workloadOfPod.get(e.proxy) !== edge.from) return false;
    if (edge?.service !== undefined && this.serviceOfCluster.get(e.cluster) !== edge.service) return false;
    const to = edge?.to ?? workload;
    return to === undefined || this.workloadOfPod.get(e.host) === to;
  }

  report(): VerdictReport {
    const { spec } = this;
    const whole = new Tally({ latency: false });
    const buckets = new Map<number, Tally>();
    for (const e of this.ejections) {
      if (!this.inScope(e)) continue;
      let t = whole;
      if (spec.temporal) {
        const i = Math.floor((e.timeUs - this.originUs) / spec.temporal.bucketUs);
        t = buckets.get(i) ?? new Tally({ latency: false });
        buckets.set(i, t);
      }
      t.n++;
    }
    if (!spec.temporal) return reportOf(spec, judge(spec.check, whole), whole.n, []);
    const j = judgeOverTime(spec.temporal, this.originUs, buckets, (t, tests) => judge(spec.check, t, tests));
    const r = reportOf(spec, j, [...buckets.values()].reduce((n, t) => n + t.n, 0), []);
    r.buckets = j.buckets;
    return r;
  }
}

class ProxyFold implements Fold {
  private readonly fold: ProxyConfigFold;
  constructor(private readonly spec: ExpectationSpec & { check: Extract<ExpectationCheck, { kind: 'proxyConfig' }> }) {
    this.fold = new ProxyConfigFold(spec.check, spec.scope.workload);
  }
  observe(ev: TraceEvent): void {
    if (ev.kind === 'config.push') this.fold.observe(ev);
  }
  report(): VerdictReport {
    const j = this.fold.judge();
    return reportOf(this.spec, j, j.observed.proxies ?? 0, []);
  }
}

function mergeCounts(tallies: readonly Tally[], pick: (t: Tally) => Record<string, number>): Record<string, number> {
  if (tallies.length === 1) return pick(tallies[0]);
  const sum = new Map<string, number>();
  for (const t of tallies) for (const [k, v] of Object.entries(pick(t))) sum.set(k, (sum.get(k) ?? 0) + v);
  const out: Record<string, number> = {};
  const keys = [...sum.keys()].sort((a, b) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? Number(a) - Number(b) : a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) out[k] = sum.get(k)!;
  return out;
}

function reportOf(spec: ExpectationSpec, j: Judgement, n: number, tallies: readonly Tally[]): VerdictReport {
  return {
    name: spec.name,
    passed: j.passed,
    detail: j.detail,
    kind: spec.check.kind,
    n,
    observed: j.observed,
    codes: mergeCounts(tallies, (t) => t.codeCounts()),
    flags: mergeCounts(tallies, (t) => t.flagCounts()),
    source: spec.source,
  };
}

function foldFor(spec: ExpectationSpec, clientSource: ReadonlyMap<string, string>): Fold {
  const c = spec.check;
  if (c.kind === 'proxyConfig') return new ProxyFold({ ...spec, check: c });
  if (c.kind === 'ejections') return new EjectionFold(spec);
  return new RequestFold(spec, clientSource);
}

export class ExpectationsFold implements TraceSink {
  private readonly folds: Fold[];
  /** `clientSource`: each client's first-hop source name (its Deployment, or its own name outside the mesh). */
  constructor(specs: readonly ExpectationSpec[], clientSource: ReadonlyMap<string, string>) {
    this.folds = specs.map((s) => foldFor(s, clientSource));
  }
  write(ev: TraceEvent): void {
    for (let i = 0; i < this.folds.length; i++) this.folds[i].observe(ev);
  }
  reports(): VerdictReport[] {
    return this.folds.map((f) => f.report());
  }
  verdicts(): Verdict[] {
    return this.reports().map(({ name, passed, detail }) => ({ name, passed, detail }));
  }
}

/** Each client's first-hop source name: its Deployment, or its own name for clients outside the mesh. */
export function clientSources(traffic: readonly TrafficSpec[]): Map<string, string> {
  return new Map(traffic.map((t) => [t.name, t.from ? t.from.deployment : t.name] as [string, string]));
}

/** Runs the same folds over a stored trace. */
export function evaluateExpectations(specs: readonly ExpectationSpec[], events: Iterable<TraceEvent>, clientSource: ReadonlyMap<string, string>): VerdictReport[] {
  const fold = new ExpectationsFold(specs, clientSource);
  for (const ev of events) fold.write(ev);
  return fold.reports();
}
