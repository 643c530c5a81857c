/**
 * The service registry istiod builds from Kubernetes objects: services with their ports, and pods
 * with their labels, identity and readiness. Endpoints of a cluster are the ready pods a service
 * selects (optionally narrowed by a subset's labels).
 */
import type { DeploymentResource, Resource, ServicePort, ServiceResource } from '../config/types.ts';

export const CLUSTER_DOMAIN = 'svc.cluster.local';

export interface PodInfo {
  /** Dense index, assigned in sorted (namespace, deployment, replica) order. */
  id: number;
  name: string;
  namespace: string;
  deployment: string;
  labels: Readonly<Record<string, string>>;
  serviceAccount: string;
  /** `version` label or null. */
  version: string | null;
  /** `app` label or null. */
  app: string | null;
  hasSidecar: boolean;
  /** Synthetic pod IP, stable for a run. */
  ip: string;
  /** Named container ports (for Service targetPort by name). */
  namedPorts: Readonly<Record<string, number>>;
}

export interface RegistryService {
  fqdn: string;
  name: string;
  namespace: string;
  ports: ServicePort[];
  selector: Readonly<Record<string, string>>;
  /** Synthetic ClusterIP. */
  clusterIp: string;
}

export function serviceFqdn(name: string, namespace: string): string {
  return `${name}.${namespace}.${CLUSTER_DOMAIN}`;
}

export function labelsMatch(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/** Sidecar injection (istio-semantics.md §6.2): pod label/annotation beats the namespace label. */
export function injectsSidecar(d: DeploymentResource, namespaceLabels: Readonly<Record<string, string>>): boolean {
  const podFlag = d.podLabels['sidecar.istio.io/inject'] ?? d.podAnnotations['sidecar.istio.io/inject'];
  if (podFlag === 'false') return false;
  if (podFlag === 'true') return true;
  if (namespaceLabels['istio-injection'] === 'enabled') return true;
  if (namespaceLabels['istio-injection'] === 'disabled') return false;
  return namespaceLabels['istio.io/rev'] !== undefined;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class Registry {
  readonly services: RegistryService[];
  readonly pods: PodInfo[];
  private readonly byFqdn = new Map<string, RegistryService>();
  private readonly resolved = new Map<string, Map<string, RegistryService | null>>();

  constructor(resources: readonly Resource[]) {
    const nsLabels = new Map<string, Record<string, string>>();
    for (const r of resources) if (r.kind === 'Namespace') nsLabels.set(r.meta.name, r.meta.labels);

    const services = resources
      .filter((r): r is ServiceResource => r.kind === 'Service')
      .sort((a, b) => byString(serviceFqdn(a.meta.name, a.meta.namespace), serviceFqdn(b.meta.name, b.meta.namespace)));
    this.services = services.map((s, i) => ({
      fqdn: serviceFqdn(s.meta.name, s.meta.namespace),
      name: s.meta.name,
      namespace: s.meta.namespace,
      ports: s.ports,
      selector: s.selector,
      clusterIp: `10.96.${(i >> 8) & 255}.${(i & 255) + 1}`,
    }));
    for (const s of this.services) this.byFqdn.set(s.fqdn, s);

    const deployments = resources
      .filter((r): r is DeploymentResource => r.kind === 'Deployment')
      .sort((a, b) => byString(`${a.meta.namespace}/${a.meta.name}`, `${b.meta.namespace}/${b.meta.name}`));
    const pods: PodInfo[] = [];
    for (const d of deployments) {
      const sidecar = injectsSidecar(d, nsLabels.get(d.meta.namespace) ?? {});
      const namedPorts: Record<string, number> = {};
      for (const p of d.containerPorts) if (p.name) namedPorts[p.name] = p.containerPort;
      for (let i = 0; i < d.replicas; i++) {
        const id = pods.length;
        pods.push({
          id,
          name: `${d.meta.name}-${i}`,
          namespace: d.meta.namespace,
          deployment: d.meta.name,
          labels: d.podLabels,
          serviceAccount: d.serviceAccount,
          version: d.podLabels.version ?? null,
          app: d.podLabels.app ?? null,
          hasSidecar: sidecar,
          ip: `10.244.${(id >> 8) & 255}.${(id & 255) + 2}`,
          namedPorts,
        });
      }
    }
    this.pods = pods;
  }

  service(fqdn: string): RegistryService | undefined {
    return this.byFqdn.get(fqdn);
  }

  /**
   * Resolves the host an application dialled the way cluster DNS does for a pod in `clientNs`:
   * "reviews" → reviews.<clientNs>, "reviews.other", "reviews.other.svc", the FQDN, or a ClusterIP.
   */
  resolveHost(host: string, clientNs: string): RegistryService | undefined {
    // Applications dial the same few names over and over: memoise per client namespace.
    let byHost = this.resolved.get(clientNs);
    if (!byHost) this.resolved.set(clientNs, (byHost = new Map()));
    let hit = byHost.get(host);
    if (hit === undefined) byHost.set(host, (hit = this.resolveUncached(host, clientNs) ?? null));
    return hit ?? undefined;
  }

  private resolveUncached(host: string, clientNs: string): RegistryService | undefined {
    const h = host.endsWith('.') ? host.slice(0, -1) : host;
    const parts = h.split('.');
    if (parts.length === 1) return this.byFqdn.get(serviceFqdn(h, clientNs));
    if (parts.length === 2) return this.byFqdn.get(`${h}.${CLUSTER_DOMAIN}`);
    if (parts.length === 3 && parts[2] === 'svc') return this.byFqdn.get(`${h}.cluster.local`);
    const exact = this.byFqdn.get(h);
    if (exact) return exact;
    return this.services.find((s) => s.clusterIp === h);
  }

  /** Pods a service selects (all of them, ready or not; readiness is the data plane's business). */
  selectedPods(svc: RegistryService, extraLabels?: Readonly<Record<string, string>>): PodInfo[] {
    if (Object.keys(svc.selector).length === 0) return [];
    return this.pods.filter(
      (p) => p.namespace === svc.namespace && labelsMatch(svc.selector, p.labels) && (!extraLabels || labelsMatch(extraLabels, p.labels)),
    );
  }

  /** The container port a Service port sends to on a given pod. */
  targetPort(port: ServicePort, pod: PodInfo): number {
    if (typeof port.targetPort === 'number') return port.targetPort;
    return pod.namedPorts[port.targetPort] ?? port.port;
  }
}
