/**
 * A small composition of engine, control plane, sidecars, applications and traffic — the same
 * wiring as sim/run.ts — for routing tests that need what runScenario does not expose yet
 * (detail provenance events, direct access to the control plane).
 */
import { defaultProfile } from '../../sim/config/profile.ts';
import type { Resource, ResolvedScenario, SemanticsProfile } from '../../sim/config/types.ts';
import { ControlPlane } from '../../sim/control-plane/control-plane.ts';
import { Registry, type PodInfo } from '../../sim/control-plane/registry.ts';
import type { RequestHead } from '../../sim/control-plane/types.ts';
import { DataPlane } from '../../sim/data-plane/data-plane.ts';
import type { InboundCall, InboundHandler } from '../../sim/domain/ports.ts';
import { Engine } from '../../sim/engine/engine.ts';
import { Rng } from '../../sim/engine/rng.ts';
import type { TraceEvent } from '../../sim/trace/events.ts';
import { MemorySink, Trace } from '../../sim/trace/sink.ts';
import { TrafficGenerators } from '../../sim/traffic/generators.ts';
import { Workloads } from '../../sim/workloads/app.ts';

export interface HarnessRun {
  events: TraceEvent[];
  controlPlane: ControlPlane;
  hash: string;
}

export function runWithDetail(s: ResolvedScenario, detail: boolean): HarnessRun {
  const engine = new Engine({ maxEvents: s.budgets.maxEvents, maxSimTimeUs: s.budgets.maxSimTimeUs });
  const trace = new Trace();
  const sink = new MemorySink();
  trace.addSink(sink);
  const root = Rng.root(s.seed);
  const registry = new Registry(s.resources);
  const dataPlane = new DataPlane({
    engine,
    trace,
    registry,
    rng: root.fork('data-plane'),
    latency: s.latency,
    profile: s.profile,
    maxInFlight: s.budgets.maxInFlight,
    onBudget: (m) => engine.halt(m),
    detail,
  });
  const controlPlane = new ControlPlane({ registry, profile: s.profile, resources: s.resources }, 1);
  for (const pod of registry.pods) if (pod.hasSidecar) dataPlane.installConfig(pod, controlPlane.configFor(pod));
  const workloads = new Workloads({ engine, trace, rng: root.fork('workloads'), pods: registry.pods, behaviours: s.workloads, client: dataPlane });
  dataPlane.setInboundHandler(workloads);
  const byDeployment = new Map<string, PodInfo[]>();
  for (const pod of registry.pods) {
    const k = `${pod.namespace}/${pod.deployment}`;
    byDeployment.set(k, [...(byDeployment.get(k) ?? []), pod]);
  }
  new TrafficGenerators({ engine, trace, rng: root, client: dataPlane, specs: s.traffic, podsOf: (ns, d) => byDeployment.get(`${ns}/${d}`) ?? [] }).start();
  engine.runUntil();
  return { events: sink.events, controlPlane, hash: trace.hasher.digest() };
}

// ---- Sidecars only: requests sent straight into the data plane, applications scripted ----------


export interface Received {
  pod: string;
  head: RequestHead;
  /** x-envoy-attempt-count as the upstream saw it on arrival. */
  attemptCount: string | undefined;
  atUs: number;
}

export interface Answer {
  status: number;
  flags: string;
  atUs: number;
}

/** How a scripted application answers: status and delay per call (default 200 after 1 ms). */
export type Script = (pod: PodInfo, call: InboundCall, nth: number) => { status: number; delayUs: number };

export class SidecarMesh {
  readonly engine: Engine;
  readonly trace = new Trace();
  readonly sink = new MemorySink();
  readonly registry: Registry;
  readonly controlPlane: ControlPlane;
  readonly dataPlane: DataPlane;
  readonly received: Received[] = [];
  private nextReq = 1;

  constructor(resources: Resource[], opts: { profile?: SemanticsProfile; script?: Script; detail?: boolean; seed?: number } = {}) {
    const profile = opts.profile ?? defaultProfile();
    this.engine = new Engine();
    this.trace.addSink(this.sink);
    this.registry = new Registry(resources);
    const zero = { kind: 'constant' as const, valueUs: 0 };
    this.dataPlane = new DataPlane({
      engine: this.engine,
      trace: this.trace,
      registry: this.registry,
      rng: Rng.root(opts.seed ?? 1).fork('data-plane'),
      latency: { outbound: zero, inbound: zero, network: zero },
      profile,
      maxInFlight: 1_000_000,
      onBudget: () => {},
      detail: opts.detail,
    });
    this.controlPlane = new ControlPlane({ registry: this.registry, profile, resources }, 1);
    for (const pod of this.registry.pods) if (pod.hasSidecar) this.dataPlane.installConfig(pod, this.controlPlane.configFor(pod));
    const script = opts.script ?? (() => ({ status: 200, delayUs: 1000 }));
    const counts = new Map<string, number>();
    const handler: InboundHandler = {
      handle: (pod, call) => {
        const nth = (counts.get(pod.name) ?? 0) + 1;
        counts.set(pod.name, nth);
        this.received.push({ pod: pod.name, head: call.head, attemptCount: call.head.headers.get('x-envoy-attempt-count'), atUs: this.engine.nowUs });
        const { status, delayUs } = script(pod, call, nth);
        this.engine.after(delayUs, () => call.respond(status), null);
      },
    };
    this.dataPlane.setInboundHandler(handler);
  }

  pod(deployment: string): PodInfo {
    const p = this.registry.pods.find((x) => x.deployment === deployment);
    if (!p) throw new Error(`no pod ${deployment}`);
    return p;
  }

  /** Sends one request from a deployment's first pod at the current time; the answer lands in the returned object. */
  send(from: string, head: RequestHead): Answer {
    const answer: Answer = { status: -1, flags: '', atUs: -1 };
    const root = { id: this.nextReq++, client: 'test' };
    this.dataPlane.send(this.pod(from), from, head, root, {
      onResponse: (status, flags) => {
        answer.status = status;
        answer.flags = flags;
        answer.atUs = this.engine.nowUs;
      },
    }, 0);
    return answer;
  }

  run(): void {
    this.engine.runUntil();
  }

  upstreamEvents() {
    return this.sink.events.filter((e) => e.kind === 'upstream');
  }
}
