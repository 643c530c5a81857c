/**
 * Envoy's HTTP router decisions on the hot path: virtual host by destination, first matching
 * route (istio-semantics.md §1.3, §1.5), and the weighted-cluster pick (§1.6). Matchers are
 * precompiled by the control plane; nothing here allocates beyond the small result object.
 */
import type { Rng } from '../engine/rng.ts';
import type { Registry, RegistryService } from '../control-plane/registry.ts';
import type { CompiledMatch, CompiledRoute, ProxyConfig, RequestHead, VirtualHost, WeightedCluster } from '../control-plane/types.ts';

export type RouteLookup =
  /**
   * A route matched. `match` is the index of the match block in the rule (-1 when the rule has
   * none); `matched` is that block's compiled matcher (null when the rule has none).
   */
  | { kind: 'route'; vhost: VirtualHost; route: CompiledRoute; match: number; matched: CompiledMatch | null }
  /** The host has a virtual host but no route matched: Envoy answers 404 NR. */
  | { kind: 'no-route'; vhost: VirtualHost }
  /** The dialled name does not resolve (not a Service): the application fails before any proxy. */
  | { kind: 'unknown-host' }
  /** A Service, but not on this port. */
  | { kind: 'no-listener'; service: RegistryService };

export function lookupRoute(config: ProxyConfig, registry: Registry, clientNs: string, head: RequestHead): RouteLookup {
  const svc = registry.resolveHost(head.host, clientNs);
  if (!svc) return { kind: 'unknown-host' };
  const vhost = config.routes.get(head.port)?.vhosts.get(svc.fqdn);
  if (!vhost) return { kind: 'no-listener', service: svc };
  const routes = vhost.routes;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i];
    const matches = route.matches;
    if (matches.length === 0) return { kind: 'route', vhost, route, match: -1, matched: null };
    for (let m = 0; m < matches.length; m++) {
      if (matches[m].test(head)) return { kind: 'route', vhost, route, match: matches[m].index, matched: matches[m] };
    }
  }
  return { kind: 'no-route', vhost };
}

/**
 * Envoy's weighted-cluster selection (router/config_impl.cc WeightedClusterEntry): take the
 * stream's random value modulo the total weight and walk the clusters in order, choosing the first
 * whose cumulative weight exceeds it. Envoy's route check tool: weights 30/30/40 with random values
 * 115, 445, 560 select the 1st, 2nd and 3rd cluster.
 */
export function pickWeightedIndex(destinations: readonly WeightedCluster[], totalWeight: number, randomValue: number): number {
  const draw = randomValue % totalWeight;
  let acc = 0;
  for (let i = 0; i < destinations.length; i++) {
    acc += destinations[i].weight;
    if (draw < acc) return i;
  }
  return destinations.length - 1;
}

/** Index of the destination for one request; a single destination takes no draw. */
export function pickWeighted(destinations: readonly WeightedCluster[], totalWeight: number, rng: Rng): number {
  if (destinations.length === 1) return 0;
  return pickWeightedIndex(destinations, totalWeight, rng.int(totalWeight));
}
