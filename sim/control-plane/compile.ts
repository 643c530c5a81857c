/**
 * istiod's job for one proxy: turn the registry and the Istio config into the tables the proxy
 * holds. This first version builds what a proxy gets with no VirtualService or DestinationRule:
 * one virtual host per service port with a single default route (prefix "/", default retry policy,
 * no timeout) to the subset-less cluster `outbound|port||fqdn`.
 */
import type { Resource, SemanticsProfile } from '../config/types.ts';
import { defaultRetryPolicy } from './retry-defaults.ts';
import type { Registry } from './registry.ts';
import { clusterName, type ClusterConfig, type CompiledRoute, type LbPolicy, type ProxyConfig, type RouteTable } from './types.ts';

export interface CompileContext {
  registry: Registry;
  profile: SemanticsProfile;
  /** Every resource in force (VirtualServices, DestinationRules, …), in load order. */
  resources: readonly Resource[];
}

export function defaultLbPolicy(profile: SemanticsProfile): LbPolicy {
  return { kind: profile.defaultLoadBalancer };
}

export function compileProxyConfig(ctx: CompileContext, version: number): ProxyConfig {
  const { registry, profile } = ctx;
  const routes = new Map<number, RouteTable>();
  const clusters = new Map<string, ClusterConfig>();
  const retry = defaultRetryPolicy(profile);
  const lb = defaultLbPolicy(profile);

  for (const svc of registry.services) {
    const pods = registry.selectedPods(svc);
    for (const port of svc.ports) {
      const name = clusterName(port.port, null, svc.fqdn);
      clusters.set(name, {
        name,
        host: svc.fqdn,
        service: svc,
        port: port.port,
        subset: null,
        endpoints: pods.map((pod) => ({ pod, port: registry.targetPort(port, pod), weight: 1 })),
        lb,
      });
      const route: CompiledRoute = {
        vs: null,
        ruleIndex: -1,
        name: 'default',
        matches: [],
        action: { kind: 'forward', destinations: [{ cluster: name, weight: 1, host: svc.fqdn, subset: null, port: port.port }], totalWeight: 1 },
        timeoutUs: 0,
        retry,
        fault: null,
        mirrors: [],
        requestHeaders: null,
        responseHeaders: null,
        rewrite: null,
      };
      let table = routes.get(port.port);
      if (!table) routes.set(port.port, (table = { port: port.port, vhosts: new Map() }));
      table.vhosts.set(svc.fqdn, { name: `${svc.fqdn}:${port.port}`, service: svc, routes: [route], vs: null });
    }
  }
  return { version, routes, clusters };
}
