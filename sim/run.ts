/**
 * Composition root: builds the engine, the control plane, the sidecars, the applications and the
 * traffic for one scenario, wires them through their ports, runs, and folds the trace into the
 * summary. Nothing else constructs these modules.
 */
import type { Resource, ResolvedScenario, TimelineAction } from './config/types.ts';
import { resourceKey, timelineResources } from './config/types.ts';
import type { CompileContext } from './control-plane/compile.ts';
import type { ProxyConfig } from './control-plane/types.ts';
import { ControlPlane } from './control-plane/control-plane.ts';
import { ConfigPropagation, DEFAULT_PROPAGATION, type PropagationSettings, type ProxyDelivery } from './control-plane/propagation.ts';
import { Registry, type PodInfo } from './control-plane/registry.ts';
import { DataPlane } from './data-plane/data-plane.ts';
import { GatewayInbound } from './data-plane/gateway.ts';
import type { PoolStats } from './data-plane/pool.ts';
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
import { DEFAULT_READINESS_DELAY_US, TimelineRunner } from './timeline-runner.ts';
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
  /**
   * Config propagation (istio-semantics.md §6.1): 'default' = istiod debounce 100 ms / 10 s max and a
   * per-proxy apply delay of 50–500 ms; null = every change reaches every sidecar at once. Overrides
   * the scenario's setting.
   */
  propagation?: PropagationSettings | 'default' | null;
  /**
   * Pod lifecycle events (istio-semantics.md §6.3) from code (the scenario timeline has kill/crash too):
   * `kill` deletes the pod (terminating, then gone after `gracePeriodUs`, default 0), `crash` makes
   * its container exit (restart after the CrashLoopBackOff back-off, ready after the readiness delay).
   */
  podEvents?: PodEvent[];
  /** Emit the data plane's provenance events (route.match, route.pick …); `check --coverage` reads match blocks from them. */
  detail?: boolean;
  /**
   * Called with every config istiod compiles for a sidecar (version 1 at start, each later version
   * when compiled — it is installed when its `config.push` event says so). Inspectors turn it into
   * `proxy-config` tables (control-plane/proxy-tables.ts). Pods with equal views share one object.
   */
  onProxyConfig?: (proxy: { name: string; namespace: string }, version: number, config: ProxyConfig) => void;
}

export interface PodEvent {
  atUs: number;
  /** Pod name, e.g. "reviews-v3-0". */
  pod: string;
  action: 'kill' | 'crash';
  /** Container start → Ready after a crash (default 2 s). */
  readinessDelayUs?: number;
  gracePeriodUs?: number;
}

export interface ProxyClusterStats {
  proxy: string;
  namespace: string;
  cluster: string;
  stats: PoolStats;
}

export interface RunResult {
  summary: RunSummary;
  header: TraceHeader;
  /** Why the engine stopped; anything but 'idle' means the run was cut short. */
  stop: StopReason;
  /** Human message when a budget stopped the run. */
  budgetMessage: string | null;
  /**
   * Envoy-style cluster counters (upstream_rq_pending_overflow, upstream_cx_total, …) of every
   * (client proxy, cluster) that has a connection pool (DestinationRule connectionPool, §2.4),
   * sorted by proxy then cluster. Not part of the summary JSON (format 1).
   */
  proxyStats: ProxyClusterStats[];
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
  // Every pod the run will ever have; the services are those in force (rebuilt when they change).
  const registry = Registry.forScenario(s);
  let services = serviceSignature(resources);
  let currentRegistry = registry;
  let budgetMessage: string | null = null;
  const dataPlane = new DataPlane({
    engine,
    trace,
    registry,
    rng: root.fork('data-plane'),
    latency: s.latency,
    profile: s.profile,
    maxInFlight: s.budgets.maxInFlight,
    horizonUs: s.durationUs,
    detail: opts.detail,
    onBudget: (message) => {
      // The data plane reports only maxInFlight here; say what the user can change.
      if (budgetMessage === null) budgetMessage = `${message}. A retry storm, a wide call fan-out or a slow service under heavy load can do this; lower the rate, add timeouts, or raise spec.budgets.maxInFlight (CLI: --max-in-flight).`;
      engine.halt(message);
    },
  });

  // Pods the timeline creates later start absent; ready ⇔ endpoint (§6.3).
  const timelineRunner = new TimelineRunner({
    engine,
    trace,
    registry,
    dataPlane,
    onEndpointsChanged: () => propagation?.change(),
    onPodCreated: (pod) => {
      // A new sidecar connects to istiod and gets the latest config (and endpoints) at once.
      if (!pod.hasSidecar || controlPlane === null) return;
      const config = controlPlane.configFor(pod);
      opts.onProxyConfig?.(pod, version, config);
      dataPlane.installConfig(pod, config);
      dataPlane.installInbound(pod, controlPlane.security.inboundFor(pod));
      if (edsFollowsPush) dataPlane.setProxyEds(pod, dataPlane.readySnapshot());
      trace.emit({ kind: 'config.push', timeUs: engine.nowUs, proxy: pod.name, version });
    },
    onConfigAction: (a) => {
      resources = applyTimelineAction(resources, a);
      const next = serviceSignature(resources);
      if (!sameMembers(next, services)) {
        // A Service or ServiceEntry came or went: cluster DNS and istiod see it from now on.
        services = next;
        currentRegistry = registry.withServicesOf(resources);
        dataPlane.setRegistry(currentRegistry);
      }
      trace.emit({ kind: 'timeline', timeUs: engine.nowUs, action: a.kind, label: a.label });
      if (propagation) propagation.change();
      else push();
    },
  });

  let version = 0;
  let edsFollowsPush = false;
  let controlPlane: ControlPlane | null = null;
  const compileDiagnostics: Diagnostic[] = [];
  const seenDiagnostics = new Set<string>();
  /** Compiles the next config version; returns what each sidecar gets (installed now or after propagation, §6.1). */
  const compile = (): ProxyDelivery[] => {
    version++;
    const v = version;
    const ctx: CompileContext = { registry: currentRegistry, profile: s.profile, resources };
    const cp = new ControlPlane(ctx, v, controlPlane ?? undefined);
    controlPlane = cp;
    const out: ProxyDelivery[] = [];
    // The endpoints each proxy will see: pods ready when this version was compiled (EDS, §6.1).
    const eds = edsFollowsPush ? dataPlane.readySnapshot() : null;
    for (const pod of registry.pods) {
      if (!pod.hasSidecar || !timelineRunner.podExists(pod)) continue;
      const config = cp.configFor(pod);
      opts.onProxyConfig?.(pod, v, config);
      const inbound = cp.security.inboundFor(pod);
      out.push({
        proxy: pod.name,
        key: `${pod.namespace}/${pod.name}`,
        version: v,
        install: () => {
          dataPlane.installConfig(pod, config);
          dataPlane.installInbound(pod, inbound);
          if (eds !== null) dataPlane.setProxyEds(pod, eds);
          trace.emit({ kind: 'config.push', timeUs: engine.nowUs, proxy: pod.name, version: v });
        },
      });
    }
    collectDiagnostics(cp);
    return out;
  };
  const push = (): void => {
    for (const d of compile()) d.install();
  };
  const collectDiagnostics = (cp: ControlPlane): void => {
    for (const d of cp.diagnostics) {
      const key = `${d.code}|${d.resource}|${d.path ?? ''}|${d.message}`;
      if (!seenDiagnostics.has(key)) {
        seenDiagnostics.add(key);
        compileDiagnostics.push(d);
      }
    }
  };
  // Version 1 is in every sidecar before traffic starts; later changes propagate (§6.1).
  push();
  // Propagation delays are opt-in for now (RunOptions.propagation or ResolvedScenario.propagation);
  // without them a change reaches every sidecar at the instant it happens, as before.
  const propagationSettings = opts.propagation !== undefined ? opts.propagation : (s.propagation ?? null);
  const propagation = propagationSettings ? new ConfigPropagation(engine, trace, root, propagationSettings === 'default' ? DEFAULT_PROPAGATION : propagationSettings, compile) : null;
  if (propagation) {
    // Endpoint changes now reach each sidecar with the next push it applies.
    dataPlane.freezeEds();
    edsFollowsPush = true;
  }
  if ((opts.podEvents ?? []).length > 0 || TimelineRunner.needsPodTracking(s.timeline)) dataPlane.trackPods();
  for (const ev of [...(opts.podEvents ?? [])].sort((a, b) => a.atUs - b.atUs)) {
    timelineRunner.podEvent(ev.atUs, ev.pod, ev.action, ev.readinessDelayUs ?? DEFAULT_READINESS_DELAY_US, ev.gracePeriodUs ?? 0);
  }

  const workloads = new Workloads({ engine, trace, rng: root.fork('workloads'), pods: registry.pods, behaviours: s.workloads, client: dataPlane });
  // JWTs the scenario declares (RequestAuthentication without crypto).
  dataPlane.tokens = s.tokens ?? null;
  // Gateway pods route onward with their own proxy; every other pod runs its application.
  dataPlane.setInboundHandler(new GatewayInbound(dataPlane, workloads));

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
    podExists: TimelineRunner.needsPodTracking(s.timeline) ? timelineRunner.podServing : undefined,
  });
  traffic.start();
  timelineRunner.attach(workloads, traffic);
  timelineRunner.schedule(s.timeline);

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
  return { summary: result, header, stop, budgetMessage, proxyStats: dataPlane.proxyStats() };
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

/** Applies a timeline action to the resource set: same kind/namespace/name replaces; runtime actions change nothing. */
export function applyTimelineAction(resources: readonly Resource[], a: TimelineAction): Resource[] {
  if (a.kind === 'delete') {
    const gone = new Set(a.keys);
    return resources.filter((r) => !gone.has(resourceKey(r)));
  }
  const added = timelineResources(a);
  if (added.length === 0) return [...resources];
  const byKey = new Map(resources.map((r) => [resourceKey(r), r] as [string, Resource]));
  for (const r of added) byKey.set(resourceKey(r), r);
  return [...byKey.values()];
}

/** The resources the registry's services come from (Services, ServiceEntries), by identity. */
function serviceSignature(resources: readonly Resource[]): Resource[] {
  return resources.filter((r) => r.kind === 'Service' || r.kind === 'ServiceEntry');
}

function sameMembers(a: readonly Resource[], b: readonly Resource[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}
