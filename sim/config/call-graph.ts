/**
 * Call cycles between workloads, found at load time. Every request a workload serves runs its whole
 * call plan, so if A's plan calls a service that selects B and B's plan calls back to A, each
 * request recurses without end: the run would only stop at a budget, having said nothing useful.
 *
 * Edges follow what Kubernetes routing would do without any VirtualService: a call's host is
 * resolved the way cluster DNS resolves it for the caller's namespace, the Service must expose the
 * call's port, and the call can reach every Deployment whose pod labels the Service selects. A
 * VirtualService does not break a cycle here: routing changes over the timeline and a Service that
 * selects the caller can always be reached by it.
 */
import type { Diagnostic, SourceLocation } from '../domain/diagnostics.ts';
import { CODES } from './codes.ts';
import type { CallSpec, DeploymentResource, ServiceResource, WorkloadBehaviour } from './types.ts';

/** Cycles reported per scenario; a dense mesh could otherwise print thousands. */
const MAX_CYCLES_REPORTED = 10;

interface Edge {
  to: string;
  /** The first call in the caller's plan that reaches `to`. */
  call: CallSpec;
}

/** One error per distinct cycle (at most MAX_CYCLES_REPORTED), at the call that closes it. */
export function findCallCycles(workloads: readonly WorkloadBehaviour[], services: readonly ServiceResource[], deployments: readonly DeploymentResource[]): Diagnostic[] {
  const graph = buildGraph(workloads, services, deployments);
  // Search from workloads in the order the scenario lists them, so a cycle reads the way the file does.
  const names = [...graph.keys()];
  const state = new Map<string, 'open' | 'done'>();
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  // Iterative depth-first search (a long chain of workloads must not overflow the stack); a cycle
  // is an edge back to a node still open on the current path.
  for (const root of names) {
    if (state.has(root)) continue;
    const path: string[] = [root];
    const next: number[] = [0];
    state.set(root, 'open');
    while (path.length > 0) {
      const node = path[path.length - 1];
      const edges = graph.get(node) ?? [];
      const i = next[next.length - 1]++;
      if (i >= edges.length) {
        state.set(node, 'done');
        path.pop();
        next.pop();
        continue;
      }
      const edge = edges[i];
      const s = state.get(edge.to);
      if (s === 'open') {
        const cycle = [...path.slice(path.indexOf(edge.to)), edge.to];
        const key = [...new Set(cycle)].sort(byString).join(' ');
        if (!seen.has(key) && out.length < MAX_CYCLES_REPORTED) {
          seen.add(key);
          out.push(cycleDiagnostic(cycle, edge.call.source));
        }
      } else if (s === undefined) {
        state.set(edge.to, 'open');
        path.push(edge.to);
        next.push(0);
      }
    }
  }
  return out;
}

function cycleDiagnostic(cycle: string[], source: SourceLocation | null): Diagnostic {
  const shown = cycle.map(shortName).join(' → ');
  const head = shortName(cycle[0]);
  return {
    code: CODES.callCycle,
    level: 'error',
    resource: '',
    message: `call cycle ${shown}: every request to ${head} would call ${head} again, without end; remove or redirect one of these calls`,
    source,
  };
}

/** Deployment id "ns/name" → outgoing edges, in call-plan order, one per target. */
function buildGraph(workloads: readonly WorkloadBehaviour[], services: readonly ServiceResource[], deployments: readonly DeploymentResource[]): Map<string, Edge[]> {
  const byFqdn = new Map<string, ServiceResource>();
  for (const s of services) byFqdn.set(`${s.meta.name}.${s.meta.namespace}.svc.cluster.local`, s);
  const selected = selector(deployments);
  const graph = new Map<string, Edge[]>();
  for (const w of workloads) {
    const from = `${w.namespace}/${w.deployment}`;
    const edges: Edge[] = [];
    for (const step of w.calls) {
      for (const call of step.parallel) {
        const svc = resolveHost(byFqdn, call.url.host, w.namespace);
        if (!svc || !svc.ports.some((p) => p.port === call.url.port)) continue;
        for (const d of selected(svc)) {
          const to = `${d.meta.namespace}/${d.meta.name}`;
          if (!edges.some((e) => e.to === to)) edges.push({ to, call });
        }
      }
    }
    graph.set(from, edges);
  }
  return graph;
}

/** How cluster DNS resolves a host for a pod in `namespace` (the registry does the same at run time). */
function resolveHost(byFqdn: ReadonlyMap<string, ServiceResource>, host: string, namespace: string): ServiceResource | undefined {
  const h = host.endsWith('.') ? host.slice(0, -1) : host;
  const parts = h.split('.');
  if (parts.length === 1) return byFqdn.get(`${h}.${namespace}.svc.cluster.local`);
  if (parts.length === 2) return byFqdn.get(`${h}.svc.cluster.local`);
  if (parts.length === 3 && parts[2] === 'svc') return byFqdn.get(`${h}.cluster.local`);
  return byFqdn.get(h);
}

/**
 * The Deployments a Service selects, memoised per Service. Deployments are indexed by namespace
 * and pod label, so thousands of Services over thousands of Deployments stay near linear.
 */
function selector(deployments: readonly DeploymentResource[]): (svc: ServiceResource) => DeploymentResource[] {
  const byLabel = new Map<string, DeploymentResource[]>();
  for (const d of deployments) {
    for (const [k, v] of Object.entries(d.podLabels)) {
      const key = `${d.meta.namespace}\u0000${k}\u0000${v}`;
      const list = byLabel.get(key);
      if (list) list.push(d);
      else byLabel.set(key, [d]);
    }
  }
  const memo = new Map<ServiceResource, DeploymentResource[]>();
  return (svc) => {
    let hit = memo.get(svc);
    if (!hit) {
      const sel = Object.entries(svc.selector);
      const first = sel.length > 0 ? (byLabel.get(`${svc.meta.namespace}\u0000${sel[0][0]}\u0000${sel[0][1]}`) ?? []) : [];
      hit = first.filter((d) => sel.every(([k, v]) => d.podLabels[k] === v));
      memo.set(svc, hit);
    }
    return hit;
  };
}

function shortName(id: string): string {
  return id.startsWith('default/') ? id.slice('default/'.length) : id;
}

function byString(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
