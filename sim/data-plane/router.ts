/**
 * Envoy's HTTP router decisions on the hot path: virtual host by destination, first matching
 * route (istio-semantics.md §1.3, §1.5), and the weighted-cluster pick (§1.6).
 */
import type { Rng } from '../engine/rng.ts';
import type { Registry, RegistryService } from '../control-plane/registry.ts';
import type { CompiledRoute, ProxyConfig, RequestHead, VirtualHost, WeightedCluster } from '../control-plane/types.ts';

export type RouteLookup =
  /** A route matched; `match` is the index of the match block that did (-1 when the route has none). */
  | { kind: 'route'; vhost: VirtualHost; route: CompiledRoute; match: number }
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
    if (matches.length === 0) return { kind: 'route', vhost, route, match: -1 };
    for (let m = 0; m < matches.length; m++) {
      if (matches[m].test(head)) return { kind: 'route', vhost, route, match: matches[m].index };
    }
  }
  return { kind: 'no-route', vhost };
}

/**
 * Envoy's weighted-cluster selection: draw r uniformly in [0, totalWeight) and walk the clusters
 * in order, choosing the first whose cumulative weight exceeds r. (Envoy's route check tool:
 * weights 30/30/40, random values 115, 445, 560 mod 100 → 1st, 2nd, 3rd.)
 */
export function pickWeightedIndex(destinations: readonly WeightedCluster[], totalWeight: number, draw: number): number {
  let acc = 0;
  for (let i = 0; i < destinations.length; i++) {
    acc += destinations[i].weight;
    if (draw < acc) return i;
  }
  return destinations.length - 1;
}

export function pickWeighted(destinations: readonly WeightedCluster[], totalWeight: number, rng: Rng): WeightedCluster {
  if (destinations.length === 1) return destinations[0];
  return destinations[pickWeightedIndex(destinations, totalWeight, rng.int(totalWeight))];
}
