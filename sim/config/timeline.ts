/**
 * `spec.timeline` → TimelineAction[] (scenarios/README.md, "Timeline"). Entries are resolved in
 * time order, so each one sees the world as the earlier ones left it: a patch needs its resource
 * to exist then, a kill needs its pod to exist then (PodPlan), and every pod the run will ever
 * have is named here. Problems are reported at the offending field; nothing throws.
 */
import type { Diagnostic, SourceLocation } from '../domain/diagnostics.ts';
import { US_PER_S } from '../domain/time.ts';
import { CODES } from './codes.ts';
import { joinPath } from './file-source.ts';
import { dedupeLayer } from './layering.ts';
import { DEFAULT_NAMESPACE, namespaceFor, parseLocatedResources, type ParsedResources, type RejectedRef } from './manifests.ts';
import { MAX_PODS, MAX_REPLICAS } from './limits.ts';
import { mergePatch } from './merge-patch.ts';
import { injectsSidecar } from './injection.ts';
import { PodPlan, type PlannedDeployment } from './pod-plan.ts';
import { TIMELINE_ACTIONS, type TimelineInput } from './scenario-schema.ts';
import { didYouMean } from './suggest.ts';
import type { DeploymentRef, DeploymentResource, Resource, SemanticsProfile, TimelineAction } from './types.ts';
import { resourceKey } from './types.ts';
import { parsePercent, parseRate } from './units.ts';
import type { PathSeg, YamlDoc } from './yaml-source.ts';

export const DEFAULT_READINESS_DELAY_US = 2 * US_PER_S;
/** Deployment strategy defaults (RollingUpdate): maxSurge 25 % rounded up, maxUnavailable 25 % rounded down. */
export const DEFAULT_MAX_SURGE = '25%';
export const DEFAULT_MAX_UNAVAILABLE = '25%';

/** What the timeline resolver needs from the scenario resolver. */
export interface TimelineHost {
  readonly dir: string;
  readonly doc: YamlDoc;
  error(path: PathSeg[] | null, message: string, code?: string, atKey?: boolean): void;
  /** A diagnostic that already has its place (from a manifest parse). */
  push(d: Diagnostic): void;
  warn(path: PathSeg[] | null, message: string, code?: string): void;
  at(path: PathSeg[]): SourceLocation | null;
  intact(path: PathSeg[]): boolean;
  duration(value: unknown, path: PathSeg[], fallback: number): number;
  confined(rel: string, where: PathSeg[]): boolean;
  loadFile(path: string, where: PathSeg[] | null, order: number, profile: SemanticsProfile): ParsedResources;
  /** Raw documents by resource key, as loaded so far (for patch). */
  readonly raws: Map<string, unknown>;
  findDeployment(ref: string, deployments: DeploymentResource[], rejected: string[], path: PathSeg[], what: string): DeploymentResource | null | 'rejected';
}

export interface TimelineWorld {
  durationUs: number;
  profile: SemanticsProfile;
  startOrder: number;
  /** Resources at t=0. */
  base: Resource[];
  rejected: RejectedRef[];
  /** Deployments at t=0 (pods are planned for these). */
  deployments: DeploymentResource[];
  /** Traffic entry names (for `traffic:`). */
  clients: string[];
}

export interface ResolvedTimeline {
  actions: TimelineAction[];
  /** Pods per Deployment when the timeline creates pods (ResolvedScenario.podSlots). */
  podSlots: Record<string, number>;
  /** Deployments the timeline applies that do not exist at t=0 (ResolvedScenario.laterDeployments). */
  laterDeployments: DeploymentResource[];
  /** Injection of the pods the timeline creates (ResolvedScenario.podSidecars). */
  podSidecars: Record<string, boolean>;
}

const seconds = (us: number): string => `${us / US_PER_S}s`;

export function resolveTimeline(spec: { timeline?: TimelineInput[] }, h: TimelineHost, w: TimelineWorld): ResolvedTimeline {
  if (!spec.timeline) return { actions: [], podSlots: {}, laterDeployments: [], podSidecars: {} };
  const entries: { entry: TimelineInput; i: number; atUs: number; verb: (typeof TIMELINE_ACTIONS)[number] }[] = [];
  spec.timeline.forEach((entry, i) => {
    const path: PathSeg[] = ['spec', 'timeline', i];
    if (!h.intact(path)) return;
    const atUs = h.duration(entry.at, [...path, 'at'], -1);
    if (atUs < 0) return;
    const verbs = TIMELINE_ACTIONS.filter((k) => entry[k] !== undefined);
    if (verbs.length !== 1) {
      h.error(
        path,
        verbs.length === 0
          ? `a timeline entry needs one action: ${TIMELINE_ACTIONS.join(', ')}`
          : `a timeline entry has one action, found ${verbs.join(' and ')}; split it into ${verbs.length} entries with the same at`,
      );
      return;
    }
    if (atUs >= w.durationUs) h.warn([...path, 'at'], `at ${entry.at} is not before the end of traffic (duration ${seconds(w.durationUs)})`);
    entries.push({ entry, i, atUs, verb: verbs[0] });
  });
  entries.sort((a, b) => a.atUs - b.atUs || a.i - b.i);
  const r = new TimelineResolver(h, w);
  const actions: TimelineAction[] = [];
  for (const e of entries) {
    const a = r.entry(e.entry, ['spec', 'timeline', e.i], e.atUs, e.verb);
    if (a) actions.push(a);
    // What the entry did to Deployments: their pods come up or go (apply, delete, patch).
    actions.push(...r.takeRollouts());
    if (r.plan.total() > MAX_PODS) {
      h.error(['spec', 'timeline', e.i], `by this entry the run would have ${r.plan.total()} pods in all (every pod the timeline creates counts), above meshsim's limit of ${MAX_PODS}; each pod is simulated with its own sidecar`);
      break;
    }
  }
  return { actions, podSlots: r.plan.slots(), laterDeployments: r.laterDeployments, podSidecars: r.podSidecars };
}

class TimelineResolver {
  readonly plan: PodPlan;
  private order: number;
  /** Resources in force at the entry being resolved. */
  private readonly current = new Map<string, Resource>();
  private readonly rejectedDeployments: string[];

  constructor(
    private readonly h: TimelineHost,
    private readonly w: TimelineWorld,
  ) {
    this.plan = new PodPlan(w.deployments);
    this.plan.onCreate = (d, n) => this.decideInjection(d, n);
    for (const d of w.deployments) this.plannedTemplates.set(`${d.meta.namespace}/${d.meta.name}`, templateOf(d));
    this.order = w.startOrder;
    for (const r of w.base) this.current.set(resourceKey(r), r);
    this.rejectedDeployments = w.rejected.filter((x) => x.kind === 'Deployment').map((x) => `${x.namespace}/${x.name}`);
  }

  entry(entry: TimelineInput, path: PathSeg[], atUs: number, verb: (typeof TIMELINE_ACTIONS)[number]): TimelineAction | null {
    const base = { atUs, source: this.h.at(path) };
    const where: PathSeg[] = [...path, verb];
    switch (verb) {
      case 'apply':
        return this.apply(entry.apply!, where, base);
      case 'delete':
        return this.remove(entry.delete!, where, base);
      case 'patch':
        return this.patch(entry.patch!, where, base);
      case 'kill':
      case 'crash':
        return this.podAction(verb, entry, where, base);
      case 'scale':
        return this.scale(entry.scale!, where, base);
      case 'restart':
        return this.restart(entry.restart!, where, base);
      case 'slow':
      case 'fail':
        return this.impair(verb, entry, where, base);
      case 'partition':
        return this.partition(entry.partition!, where, base);
      case 'traffic':
        return this.traffic(entry.traffic!, where, base);
    }
  }

  // ---- configuration ----

  private apply(input: NonNullable<TimelineInput['apply']>, where: PathSeg[], base: Base): TimelineAction {
    const list = typeof input === 'string' ? [input] : input;
    const resources: Resource[] = [];
    list.forEach((rel, j) => {
      const at = typeof input === 'string' ? where : [...where, j];
      if (!this.h.confined(rel, at)) return;
      const p = this.h.loadFile(joinPath(this.h.dir, rel), at, this.order, this.w.profile);
      this.order += p.resources.length;
      resources.push(...p.resources);
      this.w.rejected.push(...p.rejected);
    });
    const layer = dedupeLayer(resources);
    for (const d of layer.diagnostics) this.h.push(d);
    // Everything the entry applies is in force before its Deployments act (a Namespace relabelled in
    // the same file decides the injection of the pods they create).
    const before = layer.resources.map((r) => this.current.get(resourceKey(r)));
    for (const r of layer.resources) this.current.set(resourceKey(r), r);
    layer.resources.forEach((r, k) => {
      if (r.kind === 'Deployment') this.deploymentChanged(before[k] as DeploymentResource | undefined, r, where, base, 'apply');
    });
    return { kind: 'apply', ...base, resources: layer.resources, label: `apply ${list.join(', ')}` };
  }

  private remove(input: NonNullable<TimelineInput['delete']>, where: PathSeg[], base: Base): TimelineAction {
    const refs = Array.isArray(input) ? input : [input];
    const keys: string[] = [];
    refs.forEach((ref, j) => {
      const at = Array.isArray(input) ? [...where, j] : where;
      const ns = namespaceFor(ref.kind, ref.namespace);
      const key = `${ref.kind}/${ns}/${ref.name}`;
      if (!this.current.has(key) && !this.w.rejected.some((r) => r.kind === ref.kind && r.namespace === ns && r.name === ref.name)) {
        const same = [...this.current.keys()].filter((k) => k.startsWith(`${ref.kind}/`)).map((k) => k.slice(ref.kind.length + 1));
        this.h.warn(at, `nothing to delete: no ${ref.kind} ${ns ? `${ns}/` : ''}${ref.name} exists at that time${didYouMean(`${ns}/${ref.name}`, same)}`, CODES.reference);
      }
      const gone = this.current.get(key);
      if (gone?.kind === 'Deployment') this.deploymentDeleted(gone, base);
      this.current.delete(key);
      this.h.raws.delete(key);
      keys.push(key);
    });
    const label = `delete ${refs.map((r) => `${r.kind} ${namespaceFor(r.kind, r.namespace) ? `${namespaceFor(r.kind, r.namespace)}/` : ''}${r.name}`).join(', ')}`;
    return { kind: 'delete', ...base, keys, label };
  }

  private patch(input: NonNullable<TimelineInput['patch']>, where: PathSeg[], base: Base): TimelineAction | null {
    const ns = namespaceFor(input.kind, input.namespace);
    const key = `${input.kind}/${ns}/${input.name}`;
    const name = `${input.kind} ${ns ? `${ns}/` : ''}${input.name}`;
    const old = this.current.get(key);
    const raw = this.h.raws.get(key);
    if (!old || raw === undefined) {
      const same = [...this.current.keys()].filter((k) => k.startsWith(`${input.kind}/`)).map((k) => k.slice(input.kind.length + 1));
      this.h.error(where, `patch: no ${name} exists at ${seconds(base.atUs)}${didYouMean(`${ns}/${input.name}`, same)}; a patch changes a resource the manifests or an earlier apply created`, CODES.reference);
      return null;
    }
    const merged = mergePatch(raw, input.merge);
    const p = parseLocatedResources([{ value: merged, doc: this.h.doc, base: [...where, 'merge'] }], this.order, { profile: this.w.profile });
    for (const d of p.diagnostics) this.h.push({ ...d, message: `patch of ${name}: ${d.message}` });
    if (p.resources.length !== 1) return null;
    // A patch keeps the resource's creationTimestamp: "oldest wins" order does not move.
    const patched = { ...p.resources[0], meta: { ...p.resources[0].meta, order: old.meta.order } } as Resource;
    this.current.set(key, patched);
    if (patched.kind === 'Deployment') this.deploymentChanged(old as DeploymentResource, patched, where, base, 'patch');
    this.h.raws.set(key, merged);
    return { kind: 'patch', ...base, resources: [patched], label: `patch ${name}` };
  }

  // ---- Deployments changed by configuration (the Deployment controller) ----

  /** Scale actions the last entry caused by applying, patching or deleting Deployments. */
  private rollouts: TimelineAction[] = [];

  takeRollouts(): TimelineAction[] {
    const out = this.rollouts;
    this.rollouts = [];
    return out;
  }

  /**
   * A Deployment applied or patched (istio-semantics.md §6.3): a new one gets its replicas as new
   * pods (pending → starting → ready), a changed `replicas` scales the pods it has now. A changed pod
   * template would roll out new pods in Kubernetes; meshsim keeps the pods it planned, so it says so.
   */
  private deploymentChanged(old: DeploymentResource | undefined, d: DeploymentResource, where: PathSeg[], base: Base, verb: 'apply' | 'patch'): void {
    const ns = d.meta.namespace;
    const key = `${ns}/${d.meta.name}`;
    let planned = this.plan.deployment(ns, d.meta.name);
    // Compared with the template its pods were planned with, so a Deployment deleted and applied
    // again with other labels is caught too.
    const plannedWith = this.plannedTemplates.get(key);
    if (planned !== undefined && plannedWith !== undefined && plannedWith !== templateOf(d)) {
      this.h.warn(
        where,
        `${verb === 'apply' ? 'applying' : 'patching'} Deployment ${key} changes its pod template, which meshsim does not roll out: its pods keep the template they were planned with (labels, annotations, service account, ports); add a restart entry for a rolling update of the same pods`,
      );
    }
    if (old === undefined || planned === undefined) {
      if (planned === undefined) {
        planned = this.plan.add(ns, d.meta.name);
        this.laterDeployments.push(d);
        this.plannedTemplates.set(key, templateOf(d));
      }
      this.w.deployments = [...this.w.deployments.filter((x) => !(x.meta.namespace === ns && x.meta.name === d.meta.name)), d];
    } else if (d.replicas === planned.live.length) return;
    this.pushScale(planned, d.replicas, base, `${verb} ${d.meta.name}: ${d.replicas} replica${d.replicas === 1 ? '' : 's'}`);
  }

  /** The pod template each Deployment's pods are built from ("ns/name" → templateOf): t=0's, or the first apply's. */
  private readonly plannedTemplates = new Map<string, string>();

  /** Deleting a Deployment deletes its pods (gracefully, as its ReplicaSet is scaled to 0). */
  private deploymentDeleted(d: Resource, base: Base): void {
    const planned = this.plan.deployment(d.meta.namespace, d.meta.name);
    if (planned === undefined) return;
    this.w.deployments = this.w.deployments.filter((x) => !(x.meta.namespace === d.meta.namespace && x.meta.name === d.meta.name));
    if (planned.live.length > 0) this.pushScale(planned, 0, base, `delete ${d.meta.name}: its pods terminate`);
  }

  private pushScale(d: PlannedDeployment, replicas: number, base: Base, label: string): void {
    const { pods, create } = this.plan.scale(d, replicas, `deleted at ${seconds(base.atUs)}`);
    this.rollouts.push({ kind: 'scale', ...base, target: ref(d), replicas, pods, create, readinessDelayUs: DEFAULT_READINESS_DELAY_US, label });
  }

  /** Deployments first applied by the timeline, in the order it applies them (their pods start absent). */
  readonly laterDeployments: DeploymentResource[] = [];

  /** Injection of every pod the timeline creates ("ns/pod" → sidecar), by the labels in force then. */
  readonly podSidecars: Record<string, boolean> = {};

  /** §6.2: the webhook decides when the pod is created, from the namespace's labels at that time. */
  private decideInjection(d: PlannedDeployment, n: number): void {
    const dep = this.current.get(`Deployment/${d.namespace}/${d.name}`);
    if (dep?.kind !== 'Deployment') return;
    let labels: Readonly<Record<string, string>> = {};
    for (const r of this.current.values()) if (r.kind === 'Namespace' && r.meta.name === d.namespace) labels = r.meta.labels;
    this.podSidecars[`${d.namespace}/${d.name}-${n}`] = injectsSidecar(dep, labels);
  }

  // ---- pods ----

  private deployment(ref: string, path: PathSeg[], what: string): PlannedDeployment | null {
    const d = this.h.findDeployment(ref, this.w.deployments, this.rejectedDeployments, path, what);
    if (!d || d === 'rejected') return null;
    return this.plan.deployment(d.meta.namespace, d.meta.name) ?? null;
  }

  private readiness(value: string | undefined, path: PathSeg[]): number {
    return this.h.duration(value, path, DEFAULT_READINESS_DELAY_US);
  }

  /** `{pod}` or `{workload, count}` → the pods meant, lowest-numbered first; null after an error. */
  private pods(input: { pod?: string; workload?: string; count?: number }, where: PathSeg[], allowCount: boolean): { d: PlannedDeployment; numbers: number[] } | null {
    if ((input.pod === undefined) === (input.workload === undefined)) {
      this.h.error(where, 'name either pod (one pod, e.g. reviews-v3-0) or workload (a Deployment), not both and not neither');
      return null;
    }
    if (input.pod !== undefined) {
      if (input.count !== undefined) this.h.error([...where, 'count'], 'count goes with workload, not with pod');
      const slash = input.pod.indexOf('/');
      const ns = slash < 0 ? DEFAULT_NAMESPACE : input.pod.slice(0, slash);
      const name = slash < 0 ? input.pod : input.pod.slice(slash + 1);
      const found = this.plan.findPod(ns, name);
      if ('problem' in found) {
        this.h.error([...where, 'pod'], `pod '${input.pod}' ${found.problem}`, CODES.reference);
        return null;
      }
      return { d: found.d, numbers: [found.n] };
    }
    const d = this.deployment(input.workload!, [...where, 'workload'], 'workload');
    if (!d) return null;
    if (!allowCount) return { d, numbers: [...d.live] };
    const count = input.count ?? 1;
    if (count < 1) {
      this.h.error([...where, 'count'], `count must be >= 1, got ${count}`);
      return null;
    }
    if (count > d.live.length) {
      this.h.error([...where, 'count'], `count ${count} is more than the ${d.live.length} pod(s) ${d.name} has at that time`);
      return null;
    }
    return { d, numbers: d.live.slice(0, count) };
  }

  private podAction(verb: 'kill' | 'crash', entry: TimelineInput, where: PathSeg[], base: Base): TimelineAction | null {
    const input = (verb === 'kill' ? entry.kill : entry.crash)!;
    const target = this.pods(input, where, true);
    const readinessDelayUs = this.readiness(input.readinessDelay, [...where, 'readinessDelay']);
    if (!target) return null;
    const names = target.numbers.map((n) => this.plan.podName(target.d, n));
    if (verb === 'crash') return { kind: 'crash', ...base, pods: names, readinessDelayUs, label: `crash ${names.join(', ')}` };
    const kill = entry.kill!;
    const gracePeriodUs = this.h.duration(kill.grace, [...where, 'grace'], 0);
    const { pods, create } = this.plan.kill(target.d, target.numbers, kill.replace !== false, `killed at ${seconds(base.atUs)}`);
    return { kind: 'kill', ...base, pods, create, gracePeriodUs, readinessDelayUs, label: `kill ${pods.join(', ')}${create.length > 0 ? ` (replaced by ${create.join(', ')})` : ''}` };
  }

  private scale(input: NonNullable<TimelineInput['scale']>, where: PathSeg[], base: Base): TimelineAction | null {
    const d = this.deployment(input.workload, [...where, 'workload'], 'workload');
    const readinessDelayUs = this.readiness(input.readinessDelay, [...where, 'readinessDelay']);
    if (input.replicas < 0 || input.replicas > MAX_REPLICAS) {
      this.h.error([...where, 'replicas'], input.replicas < 0 ? `replicas must be >= 0, got ${input.replicas}` : `replicas ${input.replicas} is above meshsim's limit of ${MAX_REPLICAS} per Deployment`);
      return null;
    }
    if (!d) return null;
    const { pods, create } = this.plan.scale(d, input.replicas, `scaled down at ${seconds(base.atUs)}`);
    return {
      kind: 'scale',
      ...base,
      target: ref(d),
      replicas: input.replicas,
      pods,
      create,
      readinessDelayUs,
      label: `scale ${d.name} to ${input.replicas}`,
    };
  }

  private restart(input: NonNullable<TimelineInput['restart']>, where: PathSeg[], base: Base): TimelineAction | null {
    const d = this.deployment(input.workload, [...where, 'workload'], 'workload');
    const readinessDelayUs = this.readiness(input.readinessDelay, [...where, 'readinessDelay']);
    if (!d) return null;
    const replicas = d.live.length;
    const maxSurge = this.strategyCount(input.maxSurge ?? DEFAULT_MAX_SURGE, replicas, 'up', [...where, 'maxSurge']);
    const maxUnavailable = this.strategyCount(input.maxUnavailable ?? DEFAULT_MAX_UNAVAILABLE, replicas, 'down', [...where, 'maxUnavailable']);
    if (maxSurge === null || maxUnavailable === null) return null;
    if (maxSurge === 0 && maxUnavailable === 0) {
      this.h.error(where, 'maxSurge and maxUnavailable cannot both be 0 (the rollout could never make progress; Kubernetes refuses it too)');
      return null;
    }
    const { pods, create } = this.plan.restart(d, `replaced by the rolling update at ${seconds(base.atUs)}`);
    return { kind: 'restart', ...base, target: ref(d), pods, create, maxSurge, maxUnavailable, readinessDelayUs, label: `restart ${d.name}` };
  }

  /** A count or a percentage of `replicas` (maxSurge rounds up, maxUnavailable down, like Kubernetes). */
  private strategyCount(v: number | string, replicas: number, round: 'up' | 'down', path: PathSeg[]): number | null {
    if (typeof v === 'number') {
      if (v < 0) {
        this.h.error(path, `must be >= 0, got ${v}`);
        return null;
      }
      return v;
    }
    const p = parsePercent(v);
    if (!p.ok) {
      this.h.error(path, p.error);
      return null;
    }
    const exact = p.value * replicas;
    return round === 'up' ? Math.ceil(exact - 1e-9) : Math.floor(exact + 1e-9);
  }

  // ---- windows ----

  private window(value: string | undefined, path: PathSeg[]): number | null | undefined {
    if (value === undefined) return null;
    const us = this.h.duration(value, path, -1);
    if (us < 0) return undefined;
    if (us === 0) {
      this.h.error(path, 'for must be > 0 (leave it out for "until the end of the run")');
      return undefined;
    }
    return us;
  }

  private impair(verb: 'slow' | 'fail', entry: TimelineInput, where: PathSeg[], base: Base): TimelineAction | null {
    const input = (verb === 'slow' ? entry.slow : entry.fail)!;
    const target = this.pods(input, where, false);
    const forUs = this.window(input.for, [...where, 'for']);
    if (!target || forUs === undefined) return null;
    const byWorkload = input.workload !== undefined;
    const pods = byWorkload ? [] : target.numbers.map((n) => this.plan.podName(target.d, n));
    const workload = byWorkload ? ref(target.d) : null;
    const who = byWorkload ? target.d.name : pods.join(', ');
    const span = forUs === null ? '' : ` for ${seconds(forUs)}`;
    if (verb === 'slow') {
      const extraUs = this.h.duration(entry.slow!.extra, [...where, 'extra'], -1);
      if (extraUs < 0) return null;
      return { kind: 'slow', ...base, pods, workload, extraUs, forUs, label: `slow ${who} +${seconds(extraUs)}${span}` };
    }
    const f = entry.fail!;
    let ratioPpm = 1_000_000;
    if (f.ratio !== undefined) {
      const p = parsePercent(f.ratio);
      if (!p.ok) {
        this.h.error([...where, 'ratio'], p.error);
        return null;
      }
      ratioPpm = Math.round(p.value * 1_000_000);
    }
    const status = f.status ?? 503;
    return { kind: 'fail', ...base, pods, workload, status, ratioPpm, forUs, label: `fail ${who} ${status} ${ratioPpm / 10_000}%${span}` };
  }

  private partition(input: NonNullable<TimelineInput['partition']>, where: PathSeg[], base: Base): TimelineAction | null {
    const from = this.deployment(input.from, [...where, 'from'], 'from');
    const to = this.deployment(input.to, [...where, 'to'], 'to');
    const forUs = this.window(input.for, [...where, 'for']);
    if (!from || !to || forUs === undefined) return null;
    return { kind: 'partition', ...base, from: ref(from), to: ref(to), forUs, label: `partition ${from.name} → ${to.name}${forUs === null ? '' : ` for ${seconds(forUs)}`}` };
  }

  private traffic(input: NonNullable<TimelineInput['traffic']>, where: PathSeg[], base: Base): TimelineAction | null {
    let ok = true;
    if (!this.w.clients.includes(input.client)) {
      this.h.error([...where, 'client'], `client '${input.client}' names no traffic entry${didYouMean(input.client, this.w.clients)}; clients: ${this.w.clients.join(', ') || '(none)'}`, CODES.reference);
      ok = false;
    }
    const r = parseRate(input.rate);
    if (!r.ok) {
      this.h.error([...where, 'rate'], r.error);
      ok = false;
    }
    const overUs = this.h.duration(input.over, [...where, 'over'], 0);
    if (!ok || !r.ok) return null;
    return { kind: 'traffic', ...base, client: input.client, ratePerSec: r.value, overUs, label: `traffic ${input.client} → ${r.value}/s${overUs > 0 ? ` over ${seconds(overUs)}` : ''}` };
  }
}

interface Base {
  atUs: number;
  source: SourceLocation | null;
}

function ref(d: PlannedDeployment): DeploymentRef {
  return { namespace: d.namespace, deployment: d.name };
}

/** What of a Deployment shapes its pods (the pod template as meshsim reads it), as one string. */
function templateOf(d: DeploymentResource): string {
  return JSON.stringify([d.podLabels, d.podAnnotations, d.serviceAccount, d.containerPorts, d.locality ?? null]);
}
