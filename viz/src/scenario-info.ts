/**
 * What the graph needs to know about a resolved scenario beyond the run summary: every
 * workload (with its namespace) and where each client sends from. Pure; runs in the worker.
 */
import type { Resource, ResolvedScenario } from '../../sim/index.ts';
import type { ClientInfo, ServiceInfo, WorkloadInfo } from './protocol.ts';

function everyResource(s: ResolvedScenario): Resource[] {
  const all: Resource[] = [...s.resources];
  for (const a of s.timeline) if (a.kind === 'apply') all.push(...a.resources);
  return all;
}

function byKeyOrder<T>(m: Map<string, T>): T[] {
  return [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([, v]) => v);
}

export function servicesOf(s: ResolvedScenario): ServiceInfo[] {
  const byKey = new Map<string, ServiceInfo>();
  for (const r of everyResource(s)) if (r.kind === 'Service') byKey.set(`${r.meta.namespace}/${r.meta.name}`, { namespace: r.meta.namespace, name: r.meta.name });
  return byKeyOrder(byKey);
}

export function workloadsOf(s: ResolvedScenario): WorkloadInfo[] {
  const all = everyResource(s);
  const byKey = new Map<string, WorkloadInfo>();
  for (const r of all) {
    if (r.kind !== 'Deployment') continue;
    const key = `${r.meta.namespace}/${r.meta.name}`;
    byKey.set(key, {
      namespace: r.meta.namespace,
      name: r.meta.name,
      app: r.podLabels.app ?? null,
      version: r.podLabels.version ?? null,
    });
  }
  return byKeyOrder(byKey);
}

export function clientsOf(s: ResolvedScenario): ClientInfo[] {
  return s.traffic.map((t) => ({ name: t.name, from: t.from ? { namespace: t.from.namespace, deployment: t.from.deployment } : null }));
}
