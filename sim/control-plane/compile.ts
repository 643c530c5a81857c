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
import type { ClusterConfig, CompiledRoute, LbPolicy, ProxyConfig, RouteTable, VirtualHost } from './types.ts';
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
  memo: VhostMemo | null = null,
): ProxyConfig {
  const { registry, profile } = ctx;
  // Same registry, profile, view and DestinationRules give the same clusters: keep the previous ones.
  const clusters = memo?.previousClusters && memo.clustersUnchanged ? new Map(memo.previousClusters) : buildClusters(registry, prepared.drs, view, profile, cache).clusters;
  const routes = new Map<number, RouteTable>();
  // A VirtualService naming several services compiles once per port.
  const compiled = new Map<string, CompiledRoute[]>();
  // Vhosts of the previous version are reusable only when every cluster this view sees is the same object.
  const previous = memo && memo.previousClusters && sameClusters(memo.previousClusters, clusters) ? memo.previous : null;
  const byHost = vsByHost(prepared);
  for (const svc of registry.services) {
    const candidates = candidatesFor(byHost(svc.fqdn), svc.fqdn, view.namespace);
    const deps = memo ? vhostDeps(candidates) : null;
    for (const port of svc.ports) {
      const memoKey = memo ? `${viewKey}|${svc.fqdn}|${port.port}` : '';
      const before = previous?.get(memoKey);
      if (before && deps && sameDeps(before.deps, deps)) {
        tableFor(routes, port.port).vhosts.set(svc.fqdn, before.vhost);
        memo!.current.set(memoKey, before);
        continue;
      }
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
      const vhost: VirtualHost = { name: `${svc.fqdn}:${port.port}`, service: svc, routes: list, vs: chosen ? chosen.key : null };
      tableFor(routes, port.port).vhosts.set(svc.fqdn, vhost);
      if (memo && deps) memo.current.set(memoKey, { deps, vhost });
    }
  }
  return { version, view: viewKey, routes, clusters };
}

/**
 * VirtualServices that name `fqdn` among their hosts, in the prepared order, built once per
 * version: candidatesFor then only filters and ranks these (same result as over the whole list,
 * since it sorts by specificity then age), instead of every proxy view scanning every
 * VirtualService for every service.
 */
const hostIndexes = new WeakMap<PreparedConfig, (fqdn: string) => PreparedVirtualServices>();

function vsByHost(prepared: PreparedConfig): (fqdn: string) => PreparedVirtualServices {
  let lookup = hostIndexes.get(prepared);
  if (lookup) return lookup;
  const exact = new Map<string, PreparedVs[]>();
  const wildcard: PreparedVs[] = [];
  for (const vs of prepared.vs.list) {
    let wild = false;
    for (const h of new Set(vs.hosts)) {
      if (h.startsWith('*')) wild = true;
      else {
        const list = exact.get(h);
        if (list) list.push(vs);
        else exact.set(h, [vs]);
      }
    }
    if (wild) wildcard.push(vs);
  }
  const cache = new Map<string, PreparedVirtualServices>();
  lookup = (fqdn) => {
    let hit = cache.get(fqdn);
    if (!hit) {
      const mine = exact.get(fqdn) ?? [];
      // Keep the prepared order (a VirtualService with an exact and a wildcard host appears once).
      const list = wildcard.length === 0 ? mine : prepared.vs.list.filter((vs) => mine.includes(vs) || wildcard.includes(vs));
      cache.set(fqdn, (hit = { list, byKey: prepared.vs.byKey }));
    }
    return hit;
  };
  hostIndexes.set(prepared, lookup);
  return lookup;
}

function tableFor(routes: Map<number, RouteTable>, port: number): RouteTable {
  let table = routes.get(port);
  if (!table) routes.set(port, (table = { port, vhosts: new Map() }));
  return table;
}

/**
 * Incremental recompile (a config push after one VirtualService changed): a vhost is a pure
 * function of the registry, the profile, the view, the view's clusters (names and hash policies)
 * and the candidate VirtualServices for its host. Resources are immutable and replaced as whole
 * objects on change (run.ts applyTimelineAction), so "same inputs" is checked by identity.
 */
export interface VhostMemo {
  /** Vhosts of the previous version by `view|fqdn|port`, or null for a first compile. */
  previous: ReadonlyMap<string, VhostMemoEntry> | null;
  /** The clusters the previous version compiled for this view, or null. */
  previousClusters: ReadonlyMap<string, ClusterConfig> | null;
  /** True when the DestinationRules are the previous version's objects, so the clusters are too. */
  clustersUnchanged: boolean;
  /** Filled with this version's entries. */
  current: Map<string, VhostMemoEntry>;
}

export interface VhostMemoEntry {
  /** What the vhost was compiled from: per candidate VirtualService, its resource, rule count and each rule's source resource (delegates). */
  deps: readonly unknown[];
  vhost: VirtualHost;
}

function vhostDeps(candidates: readonly PreparedVs[]): unknown[] {
  const deps: unknown[] = [];
  for (const vs of candidates) {
    deps.push(vs.res, vs.rules.length);
    for (const r of vs.rules) deps.push(r.source);
  }
  return deps;
}

function sameDeps(a: readonly unknown[], b: readonly unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function sameClusters(a: ReadonlyMap<string, ClusterConfig>, b: ReadonlyMap<string, ClusterConfig>): boolean {
  if (a.size !== b.size) return false;
  for (const [name, c] of b) if (a.get(name) !== c) return false;
  return true;
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
