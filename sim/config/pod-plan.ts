/**
 * Which pods exist over the timeline, by name only (istio-semantics.md §6.3). The loader runs the
 * Deployment controller's naming here once, in timeline order, so every pod a run will ever have
 * is known before it starts (the registry pre-creates them; those beyond `replicas` start absent)
 * and a timeline entry naming a pod that does not exist at its time is an input error.
 *
 * Names follow meshsim's scheme `<deployment>-<n>`: a Deployment starts with n = 0 … replicas-1
 * and every pod created later (a ReplicaSet replacement after a kill, a scale-up, the new pods of
 * a rolling update) takes the next number never used; numbers are not reused, like the random
 * suffixes Kubernetes gives.
 */
import { DEFAULT_NAMESPACE } from './manifests.ts';
import type { DeploymentResource } from './types.ts';

export interface PlannedDeployment {
  namespace: string;
  name: string;
  /** Pod numbers that exist (not deleted), ascending. */
  live: number[];
  /** Next pod number to hand out. */
  next: number;
  /** Replicas at t=0 (what the manifests say). */
  initial: number;
}

/** A pod found by name: its Deployment and number. */
export interface PlannedPod {
  d: PlannedDeployment;
  n: number;
  name: string;
}

export class PodPlan {
  private readonly byKey = new Map<string, PlannedDeployment>();
  /** Why a pod number no longer exists ("deleted at 3s"), by pod key "ns/name". */
  private readonly gone = new Map<string, string>();
  /** Called for every pod the timeline creates, when it is planned (the loader decides injection then). */
  onCreate: ((d: PlannedDeployment, n: number) => void) | null = null;

  constructor(deployments: readonly DeploymentResource[]) {
    for (const d of deployments) {
      const live = Array.from({ length: d.replicas }, (_, i) => i);
      this.byKey.set(`${d.meta.namespace}/${d.meta.name}`, { namespace: d.meta.namespace, name: d.meta.name, live, next: d.replicas, initial: d.replicas });
    }
  }

  /** A Deployment the timeline applies that did not exist before: no pods yet (scale it up). */
  add(namespace: string, name: string): PlannedDeployment {
    const d: PlannedDeployment = { namespace, name, live: [], next: 0, initial: 0 };
    this.byKey.set(`${namespace}/${name}`, d);
    return d;
  }

  deployment(namespace: string, name: string): PlannedDeployment | undefined {
    return this.byKey.get(`${namespace}/${name}`);
  }

  /** The pod `name` ("reviews-v3-0") in `namespace` if it exists now, else why not. */
  findPod(namespace: string, name: string): PlannedPod | { problem: string } {
    const m = /^(.+)-(\d+)$/.exec(name);
    const d = m ? this.byKey.get(`${namespace}/${m[1]}`) : undefined;
    if (!m || !d) {
      const names = [...this.byKey.values()].filter((x) => x.namespace === namespace && x.live.length > 0).map((x) => `${x.name}-${x.live[0]}`);
      return { problem: `names no pod: pods are named <deployment>-<n>, e.g. ${names.slice(0, 3).join(', ') || '(none)'}` };
    }
    const n = Number(m[2]);
    if (d.live.includes(n)) return { d, n, name };
    const why = this.gone.get(`${namespace}/${name}`);
    if (why) return { problem: `no longer exists at that time (${why})` };
    return { problem: `does not exist at that time; ${d.name} then has ${describeLive(d)}` };
  }

  /** The pod's name as timeline actions carry it: "web-0", or "ns/web-0" outside the default namespace. */
  podName(d: PlannedDeployment, n: number): string {
    return d.namespace === DEFAULT_NAMESPACE ? `${d.name}-${n}` : `${d.namespace}/${d.name}-${n}`;
  }

  /** Deletes pods; with `replace` the ReplicaSet creates as many new ones. */
  kill(d: PlannedDeployment, numbers: readonly number[], replace: boolean, why: string): { pods: string[]; create: string[] } {
    const pods = numbers.map((n) => this.remove(d, n, why));
    const create = replace ? numbers.map(() => this.create(d)) : [];
    return { pods, create };
  }

  /** Scale to `replicas`: new numbers up, or the highest-numbered pods down. */
  scale(d: PlannedDeployment, replicas: number, why: string): { pods: string[]; create: string[] } {
    const create: string[] = [];
    const pods: string[] = [];
    while (d.live.length < replicas) create.push(this.create(d));
    while (d.live.length > replicas) pods.push(this.remove(d, d.live[d.live.length - 1], why));
    return { pods, create };
  }

  /** Rolling update: every live pod is replaced by a new one. */
  restart(d: PlannedDeployment, why: string): { pods: string[]; create: string[] } {
    const old = [...d.live];
    const create = old.map(() => this.create(d));
    const pods = old.map((n) => this.remove(d, n, why));
    return { pods, create };
  }

  /** Pods the run will have in all (every pod ever created). */
  total(): number {
    let n = 0;
    for (const d of this.byKey.values()) n += d.next;
    return n;
  }

  /** Pods each Deployment needs in all ("ns/name" → count), only where the timeline creates pods. */
  slots(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, d] of this.byKey) if (d.next > d.initial) out[k] = d.next;
    return out;
  }

  private create(d: PlannedDeployment): string {
    const n = d.next++;
    d.live.push(n);
    this.onCreate?.(d, n);
    return this.podName(d, n);
  }

  private remove(d: PlannedDeployment, n: number, why: string): string {
    d.live = d.live.filter((x) => x !== n);
    this.gone.set(`${d.namespace}/${d.name}-${n}`, why);
    return this.podName(d, n);
  }
}

function describeLive(d: PlannedDeployment): string {
  if (d.live.length === 0) return 'no pods';
  return `pods ${d.live.map((n) => `${d.name}-${n}`).join(', ')}`;
}
