/**
 * Outbound clusters of one proxy (istio-semantics.md §2.1, §1.10): for every service port the
 * subset-less `outbound|port||fqdn` and one `outbound|port|subset|fqdn` per subset of the
 * DestinationRule that applies to this client. Subset clusters hold only the pods carrying the
 * subset's labels; a subset nobody defined has no cluster at all (routes to it answer 503 NC).
 * Endpoints list every selected pod; readiness and ejection are the data plane's business.
 */
import type { Subset } from '../config/istio-types.ts';
import type { SemanticsProfile } from '../config/types.ts';
import { destinationRuleFor, effectivePolicy, loadBalancerPolicy, type ClientView, type ConsolidatedDr, type PreparedDr } from './destination-rules.ts';
import { labelsMatch, type Registry } from './registry.ts';
import { clusterName, type ClusterConfig } from './types.ts';

/**
 * Shares ClusterConfig objects between proxy views of one version, and with the previous version
 * when nothing about a cluster changed, so sidecars keep that cluster's state across pushes.
 * Only the previous version's own entries are consulted (no chain back through older versions).
 */
export class ClusterCache {
  private readonly bySignature = new Map<string, ClusterConfig>();
  private readonly previous: ReadonlyMap<string, ClusterConfig> | null;

  constructor(previous?: ClusterCache) {
    this.previous = previous ? previous.bySignature : null;
  }

  intern(c: ClusterConfig): ClusterConfig {
    const sig = clusterSignature(c);
    const existing = this.bySignature.get(sig) ?? this.previous?.get(sig);
    if (existing) {
      this.bySignature.set(sig, existing);
      return existing;
    }
    this.bySignature.set(sig, c);
    return c;
  }
}

function clusterSignature(c: ClusterConfig): string {
  return JSON.stringify([
    c.name,
    c.endpoints.map((e) => [e.pod.id, e.pod.name, e.port, e.weight]),
    c.lb,
    c.hash ?? null,
    c.policy ?? null,
    c.destinationRule ?? null,
  ]);
}

export function buildClusters(
  registry: Registry,
  drs: readonly PreparedDr[],
  client: ClientView,
  profile: SemanticsProfile,
  cache: ClusterCache,
): { clusters: Map<string, ClusterConfig>; drByService: Map<string, ConsolidatedDr | null> } {
  const clusters = new Map<string, ClusterConfig>();
  const drByService = new Map<string, ConsolidatedDr | null>();
  for (const svc of registry.services) {
    const dr = destinationRuleFor(drs, client, svc, profile.rootNamespace);
    drByService.set(svc.fqdn, dr);
    const pods = registry.selectedPods(svc);
    for (const port of svc.ports) {
      const add = (subset: Subset | null): void => {
        const name = clusterName(port.port, subset ? subset.name : null, svc.fqdn);
        const labels = subset?.labels ?? null;
        const members = labels ? pods.filter((p) => labelsMatch(labels, p.labels)) : pods;
        const policy = effectivePolicy(dr, subset, port.port);
        const { lb, hash } = loadBalancerPolicy(policy.loadBalancer, profile);
        clusters.set(
          name,
          cache.intern({
            name,
            host: svc.fqdn,
            service: svc,
            port: port.port,
            subset: subset ? subset.name : null,
            endpoints: members.map((pod) => ({ pod, port: registry.targetPort(port, pod), weight: 1 })),
            lb,
            hash,
            policy,
            destinationRule: dr ? dr.sources.join(',') : null,
            subsetLabels: labels,
          }),
        );
      };
      add(null);
      if (dr) for (const s of dr.subsets.values()) add(s);
    }
  }
  return { clusters, drByService };
}

