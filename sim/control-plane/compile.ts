/**
 * istiod's job for one proxy view: turn the registry and the Istio config into the tables the
 * proxy holds (istio-semantics.md §1.3, §2.1). Work that does not depend on the proxy (resolving
 * names, expanding delegates, compiling matchers, diagnostics) happens once per config version in
 * `prepareConfig`; `compileProxyConfig` then builds, for one (namespace, labels) view:
 * - clusters: per service port the subset-less cluster and one per subset of the DestinationRule
 *   this client uses (clusters.ts);
 * - per listener port, one virtual host per service: the routes of the first applicable
 *   VirtualService that yields routes on that port, else the default route.
 */
import type { DestinationRuleResource, Resource, SemanticsProfile, VirtualServiceResource } from '../config/types.ts';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { buildClusters, ClusterCache } from './clusters.ts';
import { prepareDestinationRules, type PreparedDr } from './destination-rules.ts';
import type { Registry } from './registry.ts';
import { compileRule, defaultRoute, SIDECAR_GATEWAYS, type RouteContext } from './routes.ts';
import type { CompiledRoute, LbPolicy, ProxyConfig, RouteTable } from './types.ts';
import { candidatesFor, prepareVirtualServices, type PreparedVirtualServices, type PreparedVs } from './virtual-services.ts';

export interface CompileContext {
  registry: Registry;
  profile: SemanticsProfile;
  /** Every resource in force (VirtualServices, DestinationRules, …), in load order. */
  resources: readonly Resource[];
}

/** The client side of a proxy that routing depends on. */
export interface ProxyView {
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

export interface PreparedConfig {
  vs: PreparedVirtualServices;
  drs: PreparedDr[];
  diagnostics: Diagnostic[];
}

export function defaultLbPolicy(profile: SemanticsProfile): LbPolicy {
  return { kind: profile.defaultLoadBalancer };
}

export function prepareConfig(ctx: CompileContext): PreparedConfig {
  const diagnostics: Diagnostic[] = [];
  const vsRes = ctx.resources.filter((r): r is VirtualServiceResource => r.kind === 'VirtualService');
  const drRes = ctx.resources.filter((r): r is DestinationRuleResource => r.kind === 'DestinationRule');
  const vs = prepareVirtualServices(vsRes, drRes, ctx.registry, ctx.profile, diagnostics);
  return { vs, drs: prepareDestinationRules(drRes), diagnostics };
}

const DEFAULT_VIEW: ProxyView = { namespace: 'default', labels: {} };

export function compileProxyConfig(
  ctx: CompileContext,
  version: number,
  view: ProxyView = DEFAULT_VIEW,
  prepared: PreparedConfig = prepareConfig(ctx),
  cache: ClusterCache = new ClusterCache(),
  viewKey = view.namespace,
): ProxyConfig {
  const { registry, profile } = ctx;
  const { clusters } = buildClusters(registry, prepared.drs, view, profile, cache);
  const routes = new Map<number, RouteTable>();
  // A VirtualService naming several services compiles once per port.
  const compiled = new Map<string, CompiledRoute[]>();
  for (const svc of registry.services) {
    const candidates = candidatesFor(prepared.vs, svc.fqdn, view.namespace);
    for (const port of svc.ports) {
      const rctx: RouteContext = { registry, profile, port: port.port, namespace: view.namespace, labels: view.labels, gateways: SIDECAR_GATEWAYS, clusters };
      let chosen: PreparedVs | null = null;
      let list: CompiledRoute[] = [];
      for (const vs of candidates) {
        const key = `${vs.key}|${port.port}`;
        let r = compiled.get(key);
        if (!r) compiled.set(key, (r = compileVirtualService(vs, rctx)));
        if (r.length > 0) {
          chosen = vs;
          list = r;
          break;
        }
      }
      if (!chosen) list = [defaultRoute(svc.fqdn, port.port, rctx)];
      let table = routes.get(port.port);
      if (!table) routes.set(port.port, (table = { port: port.port, vhosts: new Map() }));
      table.vhosts.set(svc.fqdn, { name: `${svc.fqdn}:${port.port}`, service: svc, routes: list, vs: chosen ? chosen.key : null });
    }
  }
  return { version, view: viewKey, routes, clusters };
}

/** istio BuildHTTPRoutesForVirtualService: rules in order, stopping after a catch-all. */
export function compileVirtualService(vs: PreparedVs, rctx: RouteContext): CompiledRoute[] {
  const out: CompiledRoute[] = [];
  for (const rule of vs.rules) {
    const { route, catchAll } = compileRule(rule, vs.key, rctx);
    if (route) out.push(route);
    if (catchAll) break;
  }
  return out;
}
