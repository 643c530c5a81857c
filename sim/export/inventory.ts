/**
 * What exporters need to know about a scenario beyond the trace: every workload with its `app`
 * and `version` pod labels (Istio's source_app/source_version), services, clients, and the method
 * and path each caller uses towards each service (for access-log request lines).
 */
import type { Resource, ResolvedScenario } from '../config/types.ts';
import type { WorkloadLabels } from '../metrics/istio-metrics.ts';
import type { RequestLine } from './access-log.ts';

export interface Inventory {
  workloads: WorkloadLabels[];
  services: { namespace: string; name: string }[];
  clients: { name: string; from: { namespace: string; deployment: string } | null }[];
  /** "source|service" → request line, only where the scenario names exactly one. */
  requests: Map<string, RequestLine | null>;
}

function everyResource(s: ResolvedScenario): Resource[] {
  const all: Resource[] = [...s.resources];
  for (const a of s.timeline) if (a.kind === 'apply') all.push(...a.resources);
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
  const note = (source: string, host: string, line: RequestLine) => {
    const key = `${source}|${host.split('.')[0]}`;
    const prev = requests.get(key);
    if (prev === undefined) requests.set(key, line);
    else if (prev !== null && (prev.method !== line.method || prev.path !== line.path)) requests.set(key, null);
  };
  for (const t of s.traffic) {
    const path = t.url.query ? `${t.url.path}?${t.url.query}` : t.url.path;
    note(t.from ? t.from.deployment : t.name, t.url.host, { method: t.method, path });
  }
  for (const w of s.workloads) {
    for (const step of w.calls) for (const c of step.parallel) note(w.deployment, c.url.host, { method: c.method, path: c.url.query ? `${c.url.path}?${c.url.query}` : c.url.path });
  }
  return {
    workloads: sortedValues(workloads),
    services: sortedValues(services),
    clients: s.traffic.map((t) => ({ name: t.name, from: t.from ? { namespace: t.from.namespace, deployment: t.from.deployment } : null })),
    requests,
  };
}
