/**
 * Runs the scenario timeline's runtime actions (scenarios/README.md, "Timeline"; istio-semantics.md
 * §6.3) on the engine: a pod lifecycle machine per pod that changes, the Deployment controller's
 * rolling update, `slow` / `fail` windows on applications, partitions between workloads and rate
 * changes of traffic clients. Configuration actions (apply, delete, patch) are handed back to the
 * composition root, which owns the resources and the pushes. Part of the composition root (rank 8).
 *
 * Only `ready` pods are endpoints: every change of readiness goes to the data plane (setPodUp) and
 * to istiod (`onEndpointsChanged`), which, with propagation on, reaches each sidecar only with its
 * next push.
 */
import type { DeploymentRef, TimelineAction } from './config/types.ts';
import type { PodInfo, Registry } from './control-plane/registry.ts';
import type { DataPlane } from './data-plane/data-plane.ts';
import type { Engine } from './engine/engine.ts';
import { EngineMachine } from './machines/engine-actor.ts';
import { podLifecycleMachine } from './machines/pod-lifecycle.ts';
import type { Trace } from './trace/sink.ts';
import type { TrafficGenerators } from './traffic/generators.ts';
import type { Impairment, Workloads } from './workloads/app.ts';

/** Readiness delay of pods present at t=0 when a crash restarts them (RunOptions.podEvents). */
export const DEFAULT_READINESS_DELAY_US = 2_000_000;
/**
 * How long pods that scale-down or a rolling update terminates take to go: Istio's sidecar drains
 * for terminationDrainDuration (5 s default) after SIGTERM, well inside Kubernetes' 30 s grace
 * period. They leave the endpoints at once and finish what they serve; whatever is still running
 * at the end is reset.
 */
export const GRACEFUL_TERMINATION_US = 5_000_000;

export interface TimelinePorts {
  engine: Engine;
  trace: Trace;
  registry: Registry;
  dataPlane: DataPlane;
  /** Endpoints changed (istiod watches EndpointSlices). */
  onEndpointsChanged: () => void;
  /** A new pod's sidecar connects to istiod and gets the current config. */
  onPodCreated: (pod: PodInfo) => void;
  /** apply / delete / patch: the composition root updates the resources, emits the event and pushes. */
  onConfigAction: (a: TimelineAction) => void;
}

type PodMachine = EngineMachine<typeof podLifecycleMachine>;

/** One rolling update in progress (Deployment controller, RollingUpdate strategy). */
interface Rollout {
  replicas: number;
  maxSurge: number;
  maxUnavailable: number;
  readinessDelayUs: number;
  /** Old pods not yet told to terminate, lowest-numbered first. */
  old: PodInfo[];
  /** New pods not yet created, in order. */
  pending: PodInfo[];
  /** New pods created so far. */
  created: PodInfo[];
}

export class TimelineRunner {
  private readonly p: TimelinePorts;
  private readonly machines = new Map<number, PodMachine>();
  private readonly byName = new Map<string, PodInfo>();
  /** 1 while the pod exists (created and not gone). */
  private readonly exists: Uint8Array;
  private readonly rollouts: Rollout[] = [];
  private workloads: Workloads | null = null;
  private traffic: TrafficGenerators | null = null;

  constructor(ports: TimelinePorts) {
    this.p = ports;
    this.exists = new Uint8Array(ports.registry.pods.length);
    for (const pod of ports.registry.pods) {
      this.byName.set(`${pod.namespace}/${pod.name}`, pod);
      if (!pod.later) this.exists[pod.id] = 1;
      // Pods the timeline creates later are not endpoints until they are ready.
      else ports.dataPlane.setPodUp(pod.id, false);
    }
  }

  /** The applications and traffic clients, once they exist (they are built after the control plane). */
  attach(workloads: Workloads, traffic: TrafficGenerators): void {
    this.workloads = workloads;
    this.traffic = traffic;
  }

  /** The pod exists now (not created later yet, not gone). */
  podExists = (pod: PodInfo): boolean => this.exists[pod.id] === 1;

  /** The pod may send requests now: it exists and is ready (a client pod that is starting or crashed sends nothing). */
  podServing = (pod: PodInfo): boolean => this.exists[pod.id] === 1 && this.stateOf(pod) === 'ready';

  stateOf(pod: PodInfo): string {
    const m = this.machines.get(pod.id);
    if (m) return String(m.snapshot.value);
    return this.exists[pod.id] === 1 ? 'ready' : 'absent';
  }

  /** True when some action can take pods away (the data plane must then track requests per pod). */
  static needsPodTracking(actions: readonly TimelineAction[]): boolean {
    return actions.some((a) => a.kind === 'kill' || a.kind === 'crash' || a.kind === 'scale' || a.kind === 'restart');
  }

  /** Schedules every action at its time. */
  schedule(actions: readonly TimelineAction[]): void {
    for (const a of actions) this.p.engine.at(a.atUs, this.run, a);
  }

  /** RunOptions.podEvents: kill (no replacement) or crash one pod. */
  podEvent(atUs: number, podName: string, action: 'kill' | 'crash', readinessDelayUs: number, gracePeriodUs: number): void {
    const pod = this.p.registry.pods.find((p) => p.name === podName);
    if (!pod) throw new Error(`pod event for unknown pod "${podName}"`);
    const m = this.machine(pod, readinessDelayUs, gracePeriodUs);
    this.p.engine.at(atUs, () => m.send(action === 'kill' ? { type: 'KILL' } : { type: 'CRASH' }), null);
  }

  private run = (a: TimelineAction): void => {
    if (a.kind === 'apply' || a.kind === 'delete' || a.kind === 'patch') {
      this.p.onConfigAction(a);
      return;
    }
    this.p.trace.emit({ kind: 'timeline', timeUs: this.p.engine.nowUs, action: a.kind, label: a.label });
    switch (a.kind) {
      case 'kill':
        // With a grace period the pod finishes what it serves until it is gone; without, it is reset at once.
        for (const name of a.pods) this.kill(this.pod(name), a.gracePeriodUs, a.gracePeriodUs === 0);
        for (const name of a.create) this.create(this.pod(name), a.readinessDelayUs);
        return;
      case 'crash':
        for (const name of a.pods) {
          const pod = this.pod(name);
          // A pod a rolling update has not created yet has no container to crash.
          if (this.exists[pod.id] === 1) this.machine(pod, a.readinessDelayUs, 0).send({ type: 'CRASH', readinessDelayUs: a.readinessDelayUs });
        }
        return;
      case 'scale':
        for (const name of a.pods) this.kill(this.pod(name), GRACEFUL_TERMINATION_US, false);
        for (const name of a.create) this.create(this.pod(name), a.readinessDelayUs);
        return;
      case 'restart': {
        const r: Rollout = {
          replicas: a.pods.length,
          maxSurge: a.maxSurge,
          maxUnavailable: a.maxUnavailable,
          readinessDelayUs: a.readinessDelayUs,
          old: a.pods.map((n) => this.pod(n)),
          pending: a.create.map((n) => this.pod(n)),
          created: [],
        };
        this.rollouts.push(r);
        this.reconcile(r);
        return;
      }
      case 'slow': {
        const pods = this.targets(a.pods, a.workload);
        const w = this.workloads!;
        for (const pod of pods) w.setSlow(pod, a.extraUs, true);
        if (a.forUs !== null) this.p.engine.after(a.forUs, () => this.closeWindow(a.label, () => pods.forEach((pod) => w.setSlow(pod, a.extraUs, false))), null);
        return;
      }
      case 'fail': {
        const pods = this.targets(a.pods, a.workload);
        const w = this.workloads!;
        const f: Impairment = { status: a.status, ratioPpm: a.ratioPpm };
        for (const pod of pods) w.setFail(pod, f, true);
        if (a.forUs !== null) this.p.engine.after(a.forUs, () => this.closeWindow(a.label, () => pods.forEach((pod) => w.setFail(pod, f, false))), null);
        return;
      }
      case 'partition': {
        const from = key(a.from);
        const to = key(a.to);
        this.p.dataPlane.setPartition(from, to, true);
        if (a.forUs !== null) this.p.engine.after(a.forUs, () => this.closeWindow(a.label, () => this.p.dataPlane.setPartition(from, to, false)), null);
        return;
      }
      case 'traffic':
        this.traffic!.changeRate(a.client, a.ratePerSec, a.overUs);
        return;
    }
  };

  /** The end of a `for` window is a trace event too, so a reader sees both edges. */
  private closeWindow(label: string, close: () => void): void {
    close();
    this.p.trace.emit({ kind: 'timeline', timeUs: this.p.engine.nowUs, action: 'end', label });
  }

  /** A pod as timeline actions name it: "web-0" (namespace default) or "ns/web-0". */
  private pod(name: string): PodInfo {
    const pod = this.byName.get(name.includes('/') ? name : `default/${name}`);
    if (!pod) throw new Error(`internal: timeline names pod "${name}" that the registry does not have`);
    return pod;
  }

  private targets(pods: readonly string[], workload: DeploymentRef | null): PodInfo[] {
    if (workload) return this.p.registry.pods.filter((p) => p.namespace === workload.namespace && p.deployment === workload.deployment);
    return pods.map((n) => this.pod(n));
  }

  private machine(pod: PodInfo, readinessDelayUs: number, gracePeriodUs: number, startsReady = true): PodMachine {
    let m = this.machines.get(pod.id);
    if (m) return m;
    const input = { readinessDelayUs, gracePeriodUs, ready: startsReady };
    m = new EngineMachine(this.p.engine, podLifecycleMachine, input, (prev, next) => this.stepped(pod, String(prev.value), String(next.value), next.context.restarts));
    this.machines.set(pod.id, m);
    return m;
  }

  private stepped(pod: PodInfo, prev: string, next: string, restarts: number): void {
    if (prev === next) return;
    const p = this.p;
    p.trace.emit({ kind: 'pod.state', timeUs: p.engine.nowUs, pod: pod.name, state: next, restarts });
    const wasUp = prev === 'ready';
    const up = next === 'ready';
    if (next === 'gone') {
      this.exists[pod.id] = 0;
      p.dataPlane.resetInFlight(pod.id);
    }
    if (wasUp !== up) {
      // A graceful termination lets in-flight requests finish; a kill with no grace, or a crash, resets them.
      const graceful = next === 'terminating' && this.graceful.has(pod.id);
      p.dataPlane.setPodUp(pod.id, up, !graceful);
      p.onEndpointsChanged();
    }
    if (up || next === 'terminating' || next === 'gone') for (const r of this.rollouts) this.reconcile(r);
  }

  /** Pods terminating gracefully (scale-down, rolling update). */
  private readonly graceful = new Set<number>();

  private kill(pod: PodInfo, gracePeriodUs: number, hard = true): void {
    if (this.exists[pod.id] === 0 && !this.machines.has(pod.id)) {
      // A pod a rolling update has not created yet (a scale-down overtook the rollout): it never will be.
      for (const r of this.rollouts) r.pending = r.pending.filter((p) => p !== pod);
      return;
    }
    if (!hard) this.graceful.add(pod.id);
    this.machine(pod, DEFAULT_READINESS_DELAY_US, gracePeriodUs).send({ type: 'KILL', gracePeriodUs });
  }

  private create(pod: PodInfo, readinessDelayUs: number): void {
    this.exists[pod.id] = 1;
    const m = this.machine(pod, readinessDelayUs, 0, false);
    this.p.trace.emit({ kind: 'pod.state', timeUs: this.p.engine.nowUs, pod: pod.name, state: 'pending', restarts: 0 });
    this.p.onPodCreated(pod);
    m.send({ type: 'SCHEDULED' });
  }

  /**
   * Deployment controller, RollingUpdate: new pods while old + new (not terminating) stay within
   * replicas + maxSurge; old pods terminate while ready pods stay at or above replicas − maxUnavailable.
   */
  private reconciling = false;

  private reconcile(r: Rollout): void {
    // Pod steps inside the loop call back here; the loop itself re-checks until nothing changes.
    if (this.reconciling) return;
    this.reconciling = true;
    try {
      this.reconcileLoop(r);
    } finally {
      this.reconciling = false;
    }
  }

  private reconcileLoop(r: Rollout): void {
    for (let changed = true; changed; ) {
      changed = false;
      const alive = (p: PodInfo): boolean => {
        const s = this.stateOf(p);
        return s !== 'terminating' && s !== 'gone' && s !== 'absent';
      };
      const counted = r.old.filter(alive).length + r.created.filter(alive).length;
      if (r.pending.length > 0 && counted < r.replicas + r.maxSurge) {
        const pod = r.pending.shift()!;
        r.created.push(pod);
        this.create(pod, r.readinessDelayUs);
        changed = true;
        continue;
      }
      if (r.old.length > 0) {
        const ready = r.old.filter((p) => this.stateOf(p) === 'ready').length + r.created.filter((p) => this.stateOf(p) === 'ready').length;
        const victim = r.old[0];
        const loses = this.stateOf(victim) === 'ready' ? 1 : 0;
        if (ready - loses >= r.replicas - r.maxUnavailable) {
          r.old.shift();
          this.kill(victim, GRACEFUL_TERMINATION_US, false);
          changed = true;
        }
      }
    }
  }
}

function key(d: DeploymentRef): string {
  return `${d.namespace}/${d.deployment}`;
}
