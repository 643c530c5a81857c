/**
 * Kiali-shaped graph JSON (cytoscape "elements" like Kiali's /api/namespaces/graph answers) from
 * the run summary: a workload graph with service nodes only where no workload answered, edges
 * with Kiali's traffic block (rates as strings in requests per second of simulated time,
 * `httpPercentReq` share of the source's outgoing requests, per-code response shares with flags
 * and hosts) and `responseTime` (p99, ms). Built once after the run; its size follows edges.
 */
import type { EdgeSummary } from '../metrics/summary.ts';
import type { WorkloadLabels } from '../metrics/istio-metrics.ts';

export interface KialiNodeData {
  id: string;
  nodeType: 'workload' | 'service' | 'unknown';
  cluster: string;
  namespace: string;
  workload?: string;
  app?: string;
  version?: string;
  service?: string;
  isRoot?: true;
  isOutside?: true;
  traffic?: { protocol: 'http'; rates: Record<string, string> }[];
}

export interface KialiEdgeData {
  id: string;
  source: string;
  target: string;
  responseTime: string;
  traffic: {
    protocol: 'http';
    rates: Record<string, string>;
    responses: Record<string, { flags: Record<string, string>; hosts: Record<string, string> }>;
  };
}

export interface KialiGraph {
  timestamp: number;
  duration: number;
  graphType: 'workload';
  elements: { nodes: { data: KialiNodeData }[]; edges: { data: KialiEdgeData }[] };
}

const rate = (n: number, seconds: number) => (seconds > 0 ? n / seconds : 0).toFixed(2);
const pct = (n: number, d: number) => (d > 0 ? (100 * n) / d : 0).toFixed(1);

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function kialiGraph(edges: readonly EdgeSummary[], workloads: readonly WorkloadLabels[], simulatedMs: number): KialiGraph {
  const seconds = simulatedMs / 1000;
  const labels = new Map(workloads.map((w) => [`${w.namespace}/${w.name}`, w] as [string, WorkloadLabels]));
  const nodes = new Map<string, KialiNodeData>();
  const inRate = new Map<string, number>();
  const outRate = new Map<string, number>();

  const workloadNode = (ns: string, name: string): string => {
    const id = `wl:${ns}/${name}`;
    if (!nodes.has(id)) {
      const w = labels.get(`${ns}/${name}`);
      nodes.set(id, { id, nodeType: 'workload', cluster: 'Kubernetes', namespace: ns, workload: name, ...(w?.app ? { app: w.app } : {}), ...(w?.version ? { version: w.version } : {}) });
    }
    return id;
  };
  const sourceNode = (e: EdgeSummary): string => {
    if (e.sourceNamespace !== null) return workloadNode(e.sourceNamespace, e.source);
    const id = `unknown:${e.source}`;
    if (!nodes.has(id)) nodes.set(id, { id, nodeType: 'unknown', cluster: 'unknown', namespace: 'unknown', workload: e.source, isRoot: true, isOutside: true });
    return id;
  };
  const targetNode = (e: EdgeSummary): string => {
    if (e.destination !== null && e.destinationNamespace !== null) return workloadNode(e.destinationNamespace, e.destination);
    const id = `svc:${e.service}`;
    if (!nodes.has(id)) nodes.set(id, { id, nodeType: 'service', cluster: 'Kubernetes', namespace: e.sourceNamespace ?? 'unknown', service: e.service, app: e.service });
    return id;
  };

  interface Acc {
    source: string;
    target: string;
    requests: number;
    errors: number;
    p99: number;
    codes: Map<string, { n: number; flags: Map<string, number>; hosts: Map<string, number> }>;
  }
  const acc = new Map<string, Acc>();
  const outTotal = new Map<string, number>();
  for (const e of edges) {
    const source = sourceNode(e);
    const target = targetNode(e);
    const key = `${source}>${target}`;
    let a = acc.get(key);
    if (!a) acc.set(key, (a = { source, target, requests: 0, errors: 0, p99: 0, codes: new Map() }));
    a.requests += e.requests;
    if (e.requests > 0) a.p99 = Math.max(a.p99, e.latencyMs.p99);
    outTotal.set(source, (outTotal.get(source) ?? 0) + e.requests);
    // The summary keeps codes and flags apart; flags are spread over codes by the edge's own split.
    for (const [code, n] of Object.entries(e.codes)) {
      const c = Number(code);
      if (c === 0 || c >= 500) a.errors += n;
      let r = a.codes.get(code);
      if (!r) a.codes.set(code, (r = { n: 0, flags: new Map(), hosts: new Map() }));
      r.n += n;
      r.hosts.set(e.service, (r.hosts.get(e.service) ?? 0) + n);
      for (const [flag, fn] of Object.entries(e.flags)) r.flags.set(flag, (r.flags.get(flag) ?? 0) + (fn * n) / Math.max(1, e.requests));
    }
  }

  const edgeList: { data: KialiEdgeData }[] = [...acc.entries()]
    .sort((x, y) => cmp(x[0], y[0]))
    .map(([id, a]) => {
      inRate.set(a.target, (inRate.get(a.target) ?? 0) + a.requests);
      outRate.set(a.source, (outRate.get(a.source) ?? 0) + a.requests);
      const responses: KialiEdgeData['traffic']['responses'] = {};
      for (const code of [...a.codes.keys()].sort(cmp)) {
        const r = a.codes.get(code)!;
        const flags: Record<string, string> = {};
        for (const f of [...r.flags.keys()].sort(cmp)) flags[f] = pct(r.flags.get(f)!, r.n);
        const hosts: Record<string, string> = {};
        for (const h of [...r.hosts.keys()].sort(cmp)) hosts[h] = pct(r.hosts.get(h)!, r.n);
        responses[code] = { flags, hosts };
      }
      const rates: Record<string, string> = { http: rate(a.requests, seconds), httpPercentReq: pct(a.requests, outTotal.get(a.source) ?? 0) };
      if (a.errors > 0) {
        rates.http5xx = rate(a.errors, seconds);
        rates.httpPercentErr = pct(a.errors, a.requests);
      }
      return { data: { id, source: a.source, target: a.target, responseTime: String(Math.round(a.p99)), traffic: { protocol: 'http', rates, responses } } };
    });

  const nodeList = [...nodes.values()].sort((a, b) => cmp(a.id, b.id)).map((n) => {
    const rates: Record<string, string> = {};
    if (inRate.has(n.id)) rates.httpIn = rate(inRate.get(n.id)!, seconds);
    if (outRate.has(n.id)) rates.httpOut = rate(outRate.get(n.id)!, seconds);
    if (!inRate.has(n.id) && outRate.has(n.id) && !n.isRoot) n.isRoot = true;
    return { data: Object.keys(rates).length > 0 ? { ...n, traffic: [{ protocol: 'http' as const, rates }] } : n };
  });
  return { timestamp: Math.round(simulatedMs / 1000), duration: Math.round(seconds), graphType: 'workload', elements: { nodes: nodeList, edges: edgeList } };
}
