/**
 * Run summary → graph view model, like Kiali's workload graph: one node per workload, one per
 * client outside the mesh, one per service whose requests no workload answered (a fault abort,
 * no healthy endpoint; drawn in the service's namespace), one per unknown host; one edge per
 * (source, destination) pair with its request count, share of the source's traffic and p99.
 * Pure data in, pure data out (no DOM), so Node tests can check it.
 */
import type { EdgeSummary, RunSummary } from '../../sim/index.ts';
import type { ClientInfo, ServiceInfo, WorkloadInfo } from './protocol.ts';

export type Health = 'healthy' | 'degraded' | 'failure' | 'idle';
export type NodeKind = 'workload' | 'service' | 'client' | 'unknown';

export interface GraphNode {
  id: string;
  kind: NodeKind;
  /** What the picture prints under the node. */
  label: string;
  /** Namespace box the node sits in; null for nodes outside the mesh. */
  namespace: string | null;
  /** Workloads: their `app` label; services: their name. Idle nodes are drawn beside their app. */
  app: string | null;
  version: string | null;
  /** Requests received (sum of incoming edges). */
  requestsIn: number;
  health: Health;
}

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  requests: number;
  /** Share of the source's outgoing requests, 0..100. */
  percent: number;
  /** Highest p99 among the summary edges merged here (ms). */
  p99Ms: number;
  /** Percentage of responses that were 5xx or no response at all (code 0). */
  errorPercent: number;
  /** Percentage of 4xx responses. */
  clientErrorPercent: number;
  health: Health;
  services: string[];
}

export interface GraphModel {
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Namespaces with at least one node, sorted. */
  namespaces: string[];
  /** Graph edge id of each summary edge, in the summary's order (the replay maps trace edges with it). */
  edgeIdOf: string[];
}

/**
 * Kiali's default traffic health (kiali.io/docs/configuration/health): 5xx degrade from any
 * error (>= 0.1% shown) and fail above 10%; 4xx degrade above 10% and fail above 20%.
 */
export function rateHealth(requests: number, errorPercent: number, clientErrorPercent: number): Health {
  if (requests === 0) return 'idle';
  if (errorPercent > 10 || clientErrorPercent > 20) return 'failure';
  if (errorPercent >= 0.1 || clientErrorPercent > 10) return 'degraded';
  return 'healthy';
}

const HEALTH_RANK: Record<Health, number> = { idle: 0, healthy: 1, degraded: 2, failure: 3 };

function worse(a: Health, b: Health): Health {
  return HEALTH_RANK[a] >= HEALTH_RANK[b] ? a : b;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function workloadId(namespace: string, name: string): string {
  return `wl:${namespace}/${name}`;
}

interface EdgeAcc {
  source: string;
  target: string;
  requests: number;
  errors: number;
  clientErrors: number;
  p99Ms: number;
  services: Set<string>;
}

export function buildGraph(summary: Pick<RunSummary, 'edges'>, workloads: readonly WorkloadInfo[], clients: readonly ClientInfo[], services: readonly ServiceInfo[] = []): GraphModel {
  const nodes = new Map<string, GraphNode>();
  // Summary edges carry the namespaces of both ends; a workload is found by namespace and name
  // (mtls-migration has sleep and httpbin in three namespaces), else by name alone in the first
  // namespace (sorted) that has it.
  const byName = new Map<string, WorkloadInfo>();
  const byKey = new Map<string, WorkloadInfo>();
  for (const w of workloads) {
    if (!byName.has(w.name)) byName.set(w.name, w);
    byKey.set(`${w.namespace}/${w.name}`, w);
    nodes.set(workloadId(w.namespace, w.name), { id: workloadId(w.namespace, w.name), kind: 'workload', label: w.name, namespace: w.namespace, app: w.app, version: w.version, requestsIn: 0, health: 'idle' });
  }
  const serviceByName = new Map<string, ServiceInfo>();
  for (const sv of services) if (!serviceByName.has(sv.name)) serviceByName.set(sv.name, sv);
  const clientNames = new Set(clients.filter((c) => c.from === null).map((c) => c.name));

  const sourceId = (e: EdgeSummary): string => {
    const w = (e.sourceNamespace !== null ? byKey.get(`${e.sourceNamespace}/${e.source}`) : undefined) ?? byName.get(e.source);
    if (w && !clientNames.has(e.source)) return workloadId(w.namespace, w.name);
    const id = `client:${e.source}`;
    if (!nodes.has(id)) nodes.set(id, { id, kind: 'client', label: e.source, namespace: null, app: null, version: null, requestsIn: 0, health: 'idle' });
    return id;
  };
  const targetId = (e: EdgeSummary): string => {
    if (e.destination !== null) {
      const w = (e.destinationNamespace !== null ? byKey.get(`${e.destinationNamespace}/${e.destination}`) : undefined) ?? byName.get(e.destination);
      if (w) return workloadId(w.namespace, w.name);
    }
    const sv = e.destination === null ? serviceByName.get(e.service) : undefined;
    if (sv) {
      const id = `svc:${sv.namespace}/${sv.name}`;
      if (!nodes.has(id)) nodes.set(id, { id, kind: 'service', label: sv.name, namespace: sv.namespace, app: sv.name, version: null, requestsIn: 0, health: 'idle' });
      return id;
    }
    const label = e.destination ?? e.service;
    const id = `unknown:${label}`;
    if (!nodes.has(id)) nodes.set(id, { id, kind: 'unknown', label, namespace: null, app: null, version: null, requestsIn: 0, health: 'idle' });
    return id;
  };

  const acc = new Map<string, EdgeAcc>();
  const edgeIdOf: string[] = [];
  for (const e of summary.edges) {
    const source = sourceId(e);
    const target = targetId(e);
    const key = `${source}>${target}`;
    edgeIdOf.push(key);
    let a = acc.get(key);
    if (!a) {
      a = { source, target, requests: 0, errors: 0, clientErrors: 0, p99Ms: 0, services: new Set() };
      acc.set(key, a);
    }
    a.requests += e.requests;
    for (const [code, n] of Object.entries(e.codes)) {
      const c = Number(code);
      if (c === 0 || c >= 500) a.errors += n;
      else if (c >= 400) a.clientErrors += n;
    }
    if (e.requests > 0) a.p99Ms = Math.max(a.p99Ms, e.latencyMs.p99);
    a.services.add(e.service);
  }

  const outTotal = new Map<string, number>();
  for (const a of acc.values()) outTotal.set(a.source, (outTotal.get(a.source) ?? 0) + a.requests);

  const edges: GraphEdge[] = [...acc.entries()]
    .sort((x, y) => cmp(x[0], y[0]))
    .map(([id, a]) => {
      const total = outTotal.get(a.source) ?? 0;
      const errorPercent = a.requests > 0 ? (100 * a.errors) / a.requests : 0;
      const clientErrorPercent = a.requests > 0 ? (100 * a.clientErrors) / a.requests : 0;
      return {
        id,
        source: a.source,
        target: a.target,
        requests: a.requests,
        percent: total > 0 ? (100 * a.requests) / total : 0,
        p99Ms: a.p99Ms,
        errorPercent,
        clientErrorPercent,
        health: rateHealth(a.requests, errorPercent, clientErrorPercent),
        services: [...a.services].sort(cmp),
      };
    });

  for (const e of edges) {
    const t = nodes.get(e.target)!;
    t.requestsIn += e.requests;
    t.health = worse(t.health, e.health);
  }
  for (const e of edges) {
    const s = nodes.get(e.source)!;
    if (s.health === 'idle' && e.requests > 0) s.health = 'healthy';
  }

  const sorted = [...nodes.values()].sort((a, b) => cmp(a.id, b.id));
  const namespaces = [...new Set(sorted.flatMap((n) => (n.namespace === null ? [] : [n.namespace])))].sort(cmp);
  return { nodes: sorted, edges, namespaces, edgeIdOf };
}

/** "1578 req · 34.0%" and "p99 11.2 ms": the two lines of an edge label. */
export function edgeLabelLines(e: GraphEdge): [string, string] {
  return [`${e.requests} req · ${formatPercent(e.percent)}`, `p99 ${formatMs(e.p99Ms)}`];
}

export function formatPercent(p: number): string {
  return `${p.toFixed(1)}%`;
}

export function formatMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${ms.toFixed(0)} ms`;
  return `${ms.toFixed(1)} ms`;
}
