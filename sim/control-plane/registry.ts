/**
 * The service registry istiod builds from Kubernetes objects: services with their ports, and pods
 * with their labels, identity and readiness. Endpoints of a cluster are the ready pods a service
 * selects (optionally narrowed by a subset's labels).
 */
import type { DeploymentResource, ResolvedScenario, Resource, ServiceEntryResource, ServicePort, ServiceResource } from '../config/types.ts';
import { injectsSidecar } from '../config/injection.ts';

export { injectsSidecar };

/**
 * Pod-template annotation that makes a Deployment stand in for a host outside the mesh
 * (e.g. "httpbin.org"): no sidecar, reached by passthrough (ALLOW_ANY) or through a ServiceEntry.
 */
export const EXTERNAL_HOST_ANNOTATION = 'meshsim.dev/external-host';

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
  /**
   * A gateway proxy (istio-semantics.md §4): an Envoy without an application that routes what it
   * receives with the VirtualServices bound to its Gateways. Gateway pods also have `hasSidecar`.
   */
  gateway?: boolean;
  /** The outside host this pod stands in for (EXTERNAL_HOST_ANNOTATION), else null/absent. */
  externalHost?: string | null;
  /** Synthetic pod IP, stable for a run. */
  ip: string;
  /** Named container ports (for Service targetPort by name). */
  namedPorts: Readonly<Record<string, number>>;
  /** Region/zone/subzone from the pod template (locality LB, istio-semantics.md §2.6); absent/null = none. */
  locality?: DeploymentResource['locality'];
  /**
   * A pod the timeline creates later (scale-up, ReplicaSet replacement, rolling update): it does
   * not exist at t=0 (RegistryOptions.podSlots). Absent = exists from the start.
   */
  later?: boolean;
}

export interface RegistryOptions {
  /** Pods per Deployment ("ns/name" → count) when the timeline creates more than `replicas`. */
  podSlots?: Readonly<Record<string, number>>;
  /**
   * Deployments the timeline applies that do not exist at t=0: their pods (podSlots of them) are
   * in the registry from the start, all `later`, after every pod of the t=0 Deployments, so the
   * ids of those do not move.
   */
  laterDeployments?: readonly DeploymentResource[];
  /**
   * Sidecar or not for pods the timeline creates ("ns/pod" → injected), decided from the namespace
   * labels when each is created (§6.2); other pods follow the t=0 labels. Gateways and outside-host
   * stand-ins are what they are whatever the namespace says.
   */
  podSidecars?: Readonly<Record<string, boolean>>;
}

export interface RegistryService {
  fqdn: string;
  name: string;
  namespace: string;
  ports: ServicePort[];
  selector: Readonly<Record<string, string>>;
  /** Synthetic ClusterIP. */
  clusterIp: string;
  /** Services made from a ServiceEntry host (istio-semantics.md §3); absent for Kubernetes Services. */
  serviceEntry?: {
    location: 'MESH_EXTERNAL' | 'MESH_INTERNAL';
    resolution: string;
    /** MESH_INTERNAL workloadSelector labels, or null: endpoints are the external stand-in pods. */
    workloadLabels: Readonly<Record<string, string>> | null;
  };
}

export function serviceFqdn(name: string, namespace: string): string {
  return `${name}.${namespace}.${CLUSTER_DOMAIN}`;
}

export function labelsMatch(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/**
 * Gateway deployments (istioctl install's istio-ingressgateway / istio-egressgateway, the Helm
 * gateway chart, or pods injected with the `gateway` template).
 */
export function isGatewayDeployment(d: DeploymentResource): boolean {
  const istio = d.podLabels.istio;
  if (istio === 'ingressgateway' || istio === 'egressgateway' || istio === 'ingress' || istio === 'egress') return true;
  return d.podAnnotations['inject.istio.io/templates'] === 'gateway';
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export class Registry {
  readonly services: RegistryService[];
  readonly pods: PodInfo[];
  private readonly byFqdn = new Map<string, RegistryService>();
  private readonly resolved = new Map<string, Map<string, RegistryService | null>>();

  /**
   * `pods`: the pods of another registry of the same run (withServicesOf); otherwise they are built
   * from the Deployments in `resources` and `opts`.
   */
  constructor(resources: readonly Resource[], opts: RegistryOptions = {}, pods?: PodInfo[]) {
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
    // ServiceEntry hosts (§3): one registry service per concrete host; a Kubernetes Service of the
    // same name wins (the ServiceEntry only decorates it). Oldest ServiceEntry wins per host.
    const entries = resources.filter((r): r is ServiceEntryResource => r.kind === 'ServiceEntry').sort((a, b) => a.meta.order - b.meta.order);
    for (const se of entries) {
      for (const host of se.spec.hosts) {
        if (host.startsWith('*') || this.byFqdn.has(host)) continue;
        const i = this.services.length;
        const svc: RegistryService = {
          fqdn: host,
          name: host,
          namespace: se.meta.namespace,
          ports: (se.spec.ports ?? []).map((p) => ({ name: p.name, port: p.number, targetPort: p.targetPort ?? p.number, protocol: 'TCP' as const })),
          selector: {},
          clusterIp: `240.240.${(i >> 8) & 255}.${(i & 255) + 1}`,
          serviceEntry: {
            location: se.spec.location ?? 'MESH_EXTERNAL',
            resolution: se.spec.resolution ?? 'NONE',
            workloadLabels: se.spec.workloadSelector?.labels ?? null,
          },
        };
        this.services.push(svc);
        this.byFqdn.set(host, svc);
      }
    }

    this.pods = pods ?? buildPods(resources, opts, nsLabels);
  }

  /** The registry of a resolved scenario's run: t=0 services, and every pod the run will ever have. */
  static forScenario(s: Pick<ResolvedScenario, 'resources' | 'podSlots' | 'laterDeployments' | 'podSidecars'>): Registry {
    return new Registry(s.resources, { podSlots: s.podSlots, laterDeployments: s.laterDeployments, podSidecars: s.podSidecars });
  }

  /**
   * The registry as it is once the Services and ServiceEntries of `resources` are the ones in force
   * (a timeline apply or delete): same pods, services rebuilt. A new object, so istiod's
   * incremental compile sees that the registry changed.
   */
  withServicesOf(resources: readonly Resource[]): Registry {
    return new Registry(resources, {}, this.pods);
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
    const entry = this.byFqdn.get(h);
    if (entry?.serviceEntry) return entry;
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
    const se = svc.serviceEntry;
    if (se) {
      const wl = se.workloadLabels;
      return this.pods.filter((p) =>
        (wl ? p.namespace === svc.namespace && labelsMatch(wl, p.labels) : p.externalHost === svc.fqdn) && (!extraLabels || labelsMatch(extraLabels, p.labels)),
      );
    }
    if (Object.keys(svc.selector).length === 0) return [];
    return this.pods.filter(
      (p) => p.namespace === svc.namespace && labelsMatch(svc.selector, p.labels) && (!extraLabels || labelsMatch(extraLabels, p.labels)),
    );
  }

  /** The pod standing in for an outside host (passthrough under ALLOW_ANY), if the scenario has one. */
  externalPod(host: string): PodInfo | undefined {
    return this.pods.find((p) => p.externalHost === host);
  }

  /** The container port a Service port sends to on a given pod. */
  targetPort(port: ServicePort, pod: PodInfo): number {
    if (typeof port.targetPort === 'number') return port.targetPort;
    return pod.namedPorts[port.targetPort] ?? port.port;
  }
}

/** Every pod the run will ever have: the t=0 Deployments' (sorted), then the later ones'. */
function buildPods(resources: readonly Resource[], opts: RegistryOptions, nsLabels: Map<string, Record<string, string>>): PodInfo[] {
  const bySortKey = (a: DeploymentResource, b: DeploymentResource): number => byString(`${a.meta.namespace}/${a.meta.name}`, `${b.meta.namespace}/${b.meta.name}`);
  const initial = resources.filter((r): r is DeploymentResource => r.kind === 'Deployment').sort(bySortKey);
  const later = [...(opts.laterDeployments ?? [])].sort(bySortKey);
  const deployments = [...initial, ...later];
  const gatewaySelectors: Record<string, string>[] = [];
  for (const r of resources) if (r.kind === 'Gateway' && r.spec.selector && Object.keys(r.spec.selector).length > 0) gatewaySelectors.push(r.spec.selector);
  const pods: PodInfo[] = [];
  for (const d of deployments) {
    const gateway = isGatewayDeployment(d) || gatewaySelectors.some((sel) => labelsMatch(sel, d.podLabels));
    const sidecar = d.podAnnotations[EXTERNAL_HOST_ANNOTATION] === undefined && (gateway || injectsSidecar(d, nsLabels.get(d.meta.namespace) ?? {}));
    const namedPorts: Record<string, number> = {};
    for (const p of d.containerPorts) if (p.name) namedPorts[p.name] = p.containerPort;
    const isLater = later.includes(d);
    const slots = isLater ? (opts.podSlots?.[`${d.meta.namespace}/${d.meta.name}`] ?? 0) : Math.max(d.replicas, opts.podSlots?.[`${d.meta.namespace}/${d.meta.name}`] ?? 0);
    for (let i = 0; i < slots; i++) {
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
        hasSidecar: gateway || d.podAnnotations[EXTERNAL_HOST_ANNOTATION] !== undefined ? sidecar : (opts.podSidecars?.[`${d.meta.namespace}/${d.meta.name}-${i}`] ?? sidecar),
        gateway,
        externalHost: d.podAnnotations[EXTERNAL_HOST_ANNOTATION] ?? null,
        ip: `10.244.${(id >> 8) & 255}.${(id & 255) + 2}`,
        namedPorts,
        locality: d.locality ?? null,
        ...(isLater || i >= d.replicas ? { later: true } : {}),
      });
    }
  }
  return pods;
}
