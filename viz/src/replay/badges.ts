/**
 * Kiali-style node badges from the scenario's resources (initial manifests and timeline applies):
 * VirtualService and fault injection on the workloads behind a routed host, circuit breaker where
 * a DestinationRule sets connectionPool or outlierDetection, missing sidecar where injection is
 * off (istio-semantics.md §6.2: pod label/annotation beats the namespace label), and an mTLS lock
 * where a STRICT PeerAuthentication covers the workload (mesh-wide, namespace or selector). Specs
 * are read loosely and timeline applies count, so a badge means "at some point in this run"; it
 * is a hint, not a verdict. Pure; runs in the worker.
 */
import type { Resource, ResolvedScenario } from '../../../sim/index.ts';

export type Badge = 'virtual-service' | 'fault' | 'circuit-breaker' | 'no-sidecar' | 'mtls';

export interface WorkloadBadges {
  namespace: string;
  workload: string;
  badges: Badge[];
}

const ORDER: Badge[] = ['virtual-service', 'fault', 'circuit-breaker', 'mtls', 'no-sidecar'];

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : null);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function everyResource(s: ResolvedScenario): Resource[] {
  const all: Resource[] = [...s.resources];
  for (const a of s.timeline) if (a.kind === 'apply' || a.kind === 'patch') all.push(...a.resources);
  return all;
}

/** "reviews", "reviews.default", "reviews.default.svc.cluster.local" → {name, namespace|null}. */
function hostService(host: string, ns: string): { name: string; namespace: string } {
  const parts = host.split('.');
  return { name: parts[0], namespace: parts.length > 1 ? parts[1] : ns };
}

function labelsMatch(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const k of Object.keys(selector)) if (labels[k] !== selector[k]) return false;
  return true;
}

export function badgesOf(s: ResolvedScenario): WorkloadBadges[] {
  const all = everyResource(s);
  const deployments = all.flatMap((r) => (r.kind === 'Deployment' ? [r] : []));
  const services = all.flatMap((r) => (r.kind === 'Service' ? [r] : []));
  const nsLabels = new Map<string, Record<string, string>>();
  for (const r of all) if (r.kind === 'Namespace') nsLabels.set(r.meta.name, r.meta.labels);
  const out = new Map<string, Set<Badge>>();
  const add = (ns: string, name: string, b: Badge): void => {
    const key = `${ns}/${name}`;
    let set = out.get(key);
    if (!set) out.set(key, (set = new Set()));
    set.add(b);
  };
  /** Workloads behind a Service (by its selector). */
  const behind = (svc: { name: string; namespace: string }) => {
    const sv = services.find((x) => x.meta.name === svc.name && x.meta.namespace === svc.namespace);
    if (!sv || Object.keys(sv.selector).length === 0) return [];
    return deployments.filter((d) => d.meta.namespace === sv.meta.namespace && labelsMatch(sv.selector, d.podLabels));
  };

  for (const r of all) {
    const spec = obj((r as { spec?: unknown }).spec);
    if (!spec) continue;
    const kind = r.kind === 'Other' ? r.meta.kind : r.kind;
    if (kind === 'VirtualService') {
      const hasFault = arr(spec.http).some((h) => obj(h)?.fault !== undefined && obj(h)?.fault !== null);
      for (const host of arr(spec.hosts)) {
        if (typeof host !== 'string') continue;
        for (const d of behind(hostService(host, r.meta.namespace))) {
          add(d.meta.namespace, d.meta.name, 'virtual-service');
          if (hasFault) add(d.meta.namespace, d.meta.name, 'fault');
        }
      }
    } else if (kind === 'DestinationRule') {
      const policies = [obj(spec.trafficPolicy), ...arr(spec.subsets).map((x) => obj(obj(x)?.trafficPolicy))];
      const breaker = policies.some((p) => p !== null && (p.connectionPool !== undefined || p.outlierDetection !== undefined));
      if (breaker && typeof spec.host === 'string') for (const d of behind(hostService(spec.host, r.meta.namespace))) add(d.meta.namespace, d.meta.name, 'circuit-breaker');
    } else if (kind === 'PeerAuthentication') {
      if (obj(spec.mtls)?.mode !== 'STRICT') continue;
      const selector = obj(obj(spec.selector)?.matchLabels) as Record<string, string> | null;
      // Mesh-wide when it lives in istio-system without a selector.
      const meshWide = r.meta.namespace === 'istio-system' && !selector;
      for (const d of deployments) if (meshWide || (d.meta.namespace === r.meta.namespace && (!selector || labelsMatch(selector, d.podLabels)))) add(d.meta.namespace, d.meta.name, 'mtls');
    }
  }
  for (const d of deployments) {
    if (d.podLabels.istio !== undefined) continue; // gateways are proxies themselves
    const flag = d.podLabels['sidecar.istio.io/inject'] ?? d.podAnnotations['sidecar.istio.io/inject'];
    const ns = nsLabels.get(d.meta.namespace) ?? {};
    const injected = flag === 'false' ? false : flag === 'true' ? true : ns['istio-injection'] === 'enabled' ? true : ns['istio-injection'] === 'disabled' ? false : ns['istio.io/rev'] !== undefined;
    // Scenarios often leave the Namespace out; only a namespace we know of can say "no sidecar".
    if (!injected && (flag === 'false' || nsLabels.has(d.meta.namespace))) {
      add(d.meta.namespace, d.meta.name, 'no-sidecar');
      // Without a sidecar there is no mTLS to lock, whatever the policy says.
      out.get(`${d.meta.namespace}/${d.meta.name}`)!.delete('mtls');
    }
  }
  return [...out.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([key, set]) => {
      const [namespace, workload] = key.split('/');
      return { namespace, workload, badges: ORDER.filter((b) => set.has(b)) };
    });
}
