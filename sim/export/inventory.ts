/**
 * What exporters need to know about a scenario beyond the trace: every workload with its `app`
 * and `version` pod labels (Istio's source_app/source_version), services, clients, and the method
 * and path each caller uses towards each service (for access-log request lines).
 */
import type { Resource, ResolvedScenario, WorkloadBehaviour } from '../config/types.ts';
import { Registry } from '../control-plane/registry.ts';
import type { ResponseBody, WorkloadLabels } from '../metrics/istio-metrics.ts';
import type { RequestLine } from './access-log.ts';

export interface Inventory {
  workloads: WorkloadLabels[];
  services: { namespace: string; name: string }[];
  clients: { name: string; from: { namespace: string; deployment: string } | null }[];
  /** "source|service" → request line, only where the scenario names exactly one. */
  requests: Map<string, RequestLine | null>;
  /** "namespace/pod" → what telemetry says about a pod (its IP, whether it has a sidecar, labels). */
  pods: Map<string, PodFacts>;
  /** Service FQDN → its synthetic ClusterIP (the registry's). */
  serviceIps: Map<string, string>;
  /** "ns/name#rule" → the VirtualService http route's `name` ("" when unnamed), as Envoy names the route. */
  routeNames: Map<string, string>;
  /** "fqdn|port" → the container port the Service sends it to (numeric targetPort only). */
  targetPorts: Map<string, number>;
  /** Response bodies per workload ("namespace/deployment"): `spec.workloads[].responseBytes` and the statuses its app answers. */
  bodies: Map<string, ResponseBody>;
}

/** The facts about a pod that Envoy puts into spans, access logs and metric labels. */
export interface PodFacts {
  name: string;
  namespace: string;
  deployment: string;
  /** The registry's synthetic pod IP (the same one the simulation uses). */
  ip: string;
  hasSidecar: boolean;
  app: string | null;
  version: string | null;
}

export const podKey = (namespace: string, pod: string): string => `${namespace}/${pod}`;

/** Numeric Service targetPorts by "fqdn|port" (named ones resolve per pod and are left out). */
export function targetPortsOf(registry: Registry): Map<string, number> {
  const out = new Map<string, number>();
  for (const svc of registry.services) {
    for (const p of svc.ports) if (typeof p.targetPort === 'number') out.set(`${svc.fqdn}|${p.port}`, p.targetPort);
  }
  return out;
}

/** Pods of the scenario's initial resources, as the simulation's registry creates them. */
export function podsOf(registry: Registry): Map<string, PodFacts> {
  const pods = new Map<string, PodFacts>();
  for (const p of registry.pods) {
    pods.set(podKey(p.namespace, p.name), { name: p.name, namespace: p.namespace, deployment: p.deployment, ip: p.ip, hasSidecar: p.hasSidecar, app: p.app, version: p.version });
  }
  return pods;
}

/** "ns/name#rule" → http[rule].name of every VirtualService (a later apply of the same name wins). */
function routeNamesOf(resources: readonly Resource[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of resources) {
    if (r.kind !== 'VirtualService') continue;
    (r.spec.http ?? []).forEach((h, i) => out.set(`${r.meta.namespace}/${r.meta.name}#${i}`, h.name ?? ''));
  }
  return out;
}

/** Every status the workload's application itself can answer with, and its body size. */
function bodyOf(w: WorkloadBehaviour): ResponseBody {
  const statuses = [w.status, w.errorStatus, w.queueFullStatus];
  if (w.onCallFailure.kind === 'status') statuses.push(w.onCallFailure.status);
  return { bytes: w.responseBytes, statuses: [...new Set(statuses)].sort((a, b) => a - b) };
}

function everyResource(s: ResolvedScenario): Resource[] {
  const all: Resource[] = [...s.resources];
  for (const a of s.timeline) if (a.kind === 'apply' || a.kind === 'patch') all.push(...a.resources);
  return all;
}

function sortedValues<T>(m: Map<string, T>): T[] {
  return [...m.keys()].sort().map((k) => m.get(k)!);
}

export function inventoryOf(s: ResolvedScenario): Inventory {
  const workloads = new Map<string, WorkloadLabels>();
  const services = new Map<string, { namespace: string; name: string }>();
  for (const r of everyResource(s)) {
    if (r.kind === 'Deployment') {
      workloads.set(`${r.meta.namespace}/${r.meta.name}`, { namespace: r.meta.namespace, name: r.meta.name, app: r.podLabels.app ?? null, version: r.podLabels.version ?? null });
    } else if (r.kind === 'Service') {
      services.set(`${r.meta.namespace}/${r.meta.name}`, { namespace: r.meta.namespace, name: r.meta.name });
    }
  }
  const requests = new Map<string, RequestLine | null>();
  // The simulation's own registry: same pods, IPs and sidecars as the run (initial services; every
  // pod the timeline creates included).
  const registry = Registry.forScenario(s);
  const note = (source: string, host: string, line: RequestLine) => {
    const key = `${source}|${host.split('.')[0]}`;
    const prev = requests.get(key);
    if (prev === undefined) requests.set(key, line);
    else if (prev !== null && (prev.method !== line.method || prev.path !== line.path || prev.port !== line.port)) requests.set(key, null);
  };
  for (const t of s.traffic) {
    const path = t.url.query ? `${t.url.path}?${t.url.query}` : t.url.path;
    note(t.from ? t.from.deployment : t.name, t.url.host, { method: t.method, path, port: t.url.port });
  }
  for (const w of s.workloads) {
    for (const step of w.calls) for (const c of step.parallel) note(w.deployment, c.url.host, { method: c.method, path: c.url.query ? `${c.url.path}?${c.url.query}` : c.url.path, port: c.url.port });
  }
  return {
    workloads: sortedValues(workloads),
    services: sortedValues(services),
    clients: s.traffic.map((t) => ({ name: t.name, from: t.from ? { namespace: t.from.namespace, deployment: t.from.deployment } : null })),
    requests,
    pods: podsOf(registry),
    targetPorts: targetPortsOf(registry),
    serviceIps: new Map(registry.services.map((svc) => [svc.fqdn, svc.clusterIp] as [string, string])),
    routeNames: routeNamesOf(everyResource(s)),
    bodies: new Map(s.workloads.map((w) => [`${w.namespace}/${w.deployment}`, bodyOf(w)] as [string, ResponseBody])),
  };
}
