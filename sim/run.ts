/**
 * Composition root: builds the engine, the control plane, the sidecars, the applications and the
 * traffic for one scenario, wires them through their ports, runs, and folds the trace into the
 * summary. Nothing else constructs these modules.
 */
import type { Resource, ResolvedScenario, TimelineAction } from './config/types.ts';
import { resourceKey } from './config/types.ts';
import type { CompileContext } from './control-plane/compile.ts';
import { ControlPlane } from './control-plane/control-plane.ts';
import { Registry, type PodInfo } from './control-plane/registry.ts';
import { DataPlane } from './data-plane/data-plane.ts';
import type { Diagnostic } from './domain/diagnostics.ts';
import { formatLocation } from './domain/diagnostics.ts';
import { Engine, type StopReason } from './engine/engine.ts';
import { Rng } from './engine/rng.ts';
import { ExpectationsFold, type Verdict } from './expect/expectations.ts';
import { SUMMARY_FORMAT, SummaryFold, type ClientSummary, type EdgeSummary, type RuleSummary } from './metrics/summary.ts';
import { TRACE_FORMAT, type TraceHeader } from './trace/events.ts';
import { Trace, type TraceSink } from './trace/sink.ts';
import { TrafficGenerators } from './traffic/generators.ts';
import { MESHSIM_VERSION } from './version.ts';
import { Workloads } from './workloads/app.ts';

export interface SummaryDiagnostic {
  code: string;
  level: string;
  resource: string;
  message: string;
  source: string | null;
}

/** Summary JSON, format 1 (DESIGN.md). */
export interface RunSummary {
  format: number;
  scenario: string;
  seed: number;
  simulatedMs: number;
  events: number;
  traceHash: string;
  clients: ClientSummary[];
  edges: EdgeSummary[];
  rules: RuleSummary[];
  expectations: Verdict[];
  diagnostics: SummaryDiagnostic[];
}

export interface RunOptions {
  /** Extra trace sinks (JSONL writer, in-memory recorder, exporters). */
  sinks?: TraceSink[];
  /** Called between slices of simulated time, for progress bars. */
  onProgress?: (simUs: number, totalUs: number) => void;
  /** Emit the data plane's provenance events (route.match, route.pick …) for `--explain`; they are not hashed. */
  detail?: boolean;
}

export interface RunResult {
  summary: RunSummary;
  header: TraceHeader;
  /** Why the engine stopped; anything but 'idle' means the run was cut short. */
  stop: StopReason;
  /** Human message when a budget stopped the run. */
  budgetMessage: string | null;
}

/** How often (simulated time) the run yields to `onProgress`. */
const PROGRESS_SLICE_US = 1_000_000;

export function traceHeader(s: ResolvedScenario): TraceHeader {
  return {
    kind: 'header',
    format: TRACE_FORMAT,
    meshsimVersion: MESHSIM_VERSION,
    scenario: s.name,
    seed: s.seed,
    istioVersion: s.profile.istioVersion,
    inputHash: s.inputHash,
    durationUs: s.durationUs,
  };
}

export function runScenario(s: ResolvedScenario, opts: RunOptions = {}): RunResult {
  const engine = new Engine({ maxEvents: s.budgets.maxEvents, maxSimTimeUs: s.budgets.maxSimTimeUs });
  const trace = new Trace();
  const summary = new SummaryFold(s.traffic.map((t) => t.name));
  trace.addSink(summary);
  const clientSource = new Map(s.traffic.map((t) => [t.name, t.from ? t.from.deployment : t.name] as [string, string]));
  const expectations = new ExpectationsFold(s.expectations, clientSource);
  trace.addSink(expectations);
  for (const sink of opts.sinks ?? []) trace.addSink(sink);

  const root = Rng.root(s.seed);
  let resources: Resource[] = s.resources;
  const registry = new Registry(resources);
  let budgetMessage: string | null = null;
  const dataPlane = new DataPlane({
    engine,
    trace,
    registry,
    rng: root.fork('data-plane'),
    latency: s.latency,
    profile: s.profile,
    maxInFlight: s.budgets.maxInFlight,
    detail: opts.detail,
    onBudget: (message) => {
      if (budgetMessage === null) budgetMessage = message;
      engine.halt(message);
    },
  });

  let version = 0;
  let controlPlane: ControlPlane | null = null;
  const compileDiagnostics: Diagnostic[] = [];
  const seenDiagnostics = new Set<string>();
  const push = (): void => {
    version++;
    const ctx: CompileContext = { registry, profile: s.profile, resources };
    controlPlane = new ControlPlane(ctx, version, controlPlane ?? undefined);
    for (const pod of registry.pods) {
      if (!pod.hasSidecar) continue;
      dataPlane.installConfig(pod, controlPlane.configFor(pod));
      trace.emit({ kind: 'config.push', timeUs: engine.nowUs, proxy: pod.name, version });
    }
    for (const d of controlPlane.diagnostics) {
      const key = `${d.code}|${d.resource}|${d.path ?? ''}|${d.message}`;
      if (!seenDiagnostics.has(key)) {
        seenDiagnostics.add(key);
        compileDiagnostics.push(d);
      }
    }
  };
  push();

  const workloads = new Workloads({ engine, trace, rng: root.fork('workloads'), pods: registry.pods, behaviours: s.workloads, client: dataPlane });
  dataPlane.setInboundHandler(workloads);

  const podsByDeployment = new Map<string, PodInfo[]>();
  for (const pod of registry.pods) {
    const k = `${pod.namespace}/${pod.deployment}`;
    const list = podsByDeployment.get(k);
    if (list) list.push(pod);
    else podsByDeployment.set(k, [pod]);
  }
  const traffic = new TrafficGenerators({
    engine,
    trace,
    rng: root,
    client: dataPlane,
    specs: s.traffic,
    podsOf: (ns, d) => podsByDeployment.get(`${ns}/${d}`) ?? [],
  });
  traffic.start();

  for (const action of s.timeline) {
    engine.at(action.atUs, (a: TimelineAction) => {
      resources = applyTimelineAction(resources, a);
      trace.emit({ kind: 'timeline', timeUs: engine.nowUs, action: a.kind, label: a.label });
      push();
    }, action);
  }

  let stop: StopReason;
  if (opts.onProgress) {
    let until = PROGRESS_SLICE_US;
    for (;;) {
      stop = engine.runUntil(until);
      opts.onProgress(engine.nowUs, s.durationUs);
      if (stop.kind !== 'until') break;
      until += PROGRESS_SLICE_US;
    }
  } else {
    stop = engine.runUntil();
  }
  if (stop.kind === 'budget') {
    budgetMessage = budgetText(stop.budget, stop.limit);
  }

  const header = traceHeader(s);
  const result: RunSummary = {
    format: SUMMARY_FORMAT,
    scenario: s.name,
    seed: s.seed,
    simulatedMs: Math.round(engine.nowUs) / 1000,
    events: engine.processed,
    traceHash: trace.hasher.digest(),
    clients: summary.clientSummaries(),
    edges: summary.edgeSummaries(),
    rules: summary.ruleSummaries((vs, rule) => controlPlane!.ruleName(vs, rule)),
    expectations: expectations.verdicts(),
    diagnostics: [...s.diagnostics, ...compileDiagnostics].map(summaryDiagnostic),
  };
  return { summary: result, header, stop, budgetMessage };
}

function budgetText(budget: 'maxEvents' | 'maxSimTime', limit: number): string {
  if (budget === 'maxEvents') {
    return `budget maxEvents (${limit}) reached before the scenario finished. A retry storm or a very high rate can do this; lower the rate or duration, or raise spec.budgets.maxEvents (CLI: --max-events).`;
  }
  return `budget maxSimTime (${limit / 1e6}s) reached with work still pending. Requests may be waiting on long timeouts; shorten them or raise spec.budgets.maxSimTime (CLI: --max-sim-time).`;
}

export function summaryDiagnostic(d: Diagnostic): SummaryDiagnostic {
  return { code: d.code, level: d.level, resource: d.resource, message: d.message, source: d.source ? formatLocation(d.source) : null };
}

/** Applies a timeline action to the resource set: same kind/namespace/name replaces. */
export function applyTimelineAction(resources: readonly Resource[], a: TimelineAction): Resource[] {
  if (a.kind === 'delete') {
    const gone = new Set(a.keys);
    return resources.filter((r) => !gone.has(resourceKey(r)));
  }
  const byKey = new Map(resources.map((r) => [resourceKey(r), r] as [string, Resource]));
  for (const r of a.resources) byKey.set(resourceKey(r), r);
  return [...byKey.values()];
}
