/**
 * Gateways (istio-semantics.md §4): the route tables of a gateway proxy.
 * - A Gateway configures the pods its `selector` matches (all namespaces).
 * - Server port N that equals a port of a Service selecting the gateway pod becomes that port's
 *   targetPort (80 → 8080 on the default ingress), else N itself: the listener port.
 * - A VirtualService binds when its `gateways` names the Gateway ("ns/name"); its hosts are
 *   intersected with the server hosts (`[ns/]dnsName`, `*` and `*.suffix` wildcards; the namespace
 *   part `*`, `.` or a name restricts which namespaces' VirtualServices may bind).
 * - Per listener, vhosts from every bound VirtualService for the same host are merged in creation
 *   order. A request whose Host matches no vhost, or whose path matches no route, gets 404 NR.
 * - Gateway-only VirtualServices never reach sidecars (compile.ts asks for the `mesh` gateway) and
 *   mesh VirtualServices never reach gateways.
 */
import type { GatewayResource, GatewayServer } from '../config/gateway-schema.ts';
import type { Resource, SemanticsProfile } from '../config/types.ts';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { CP_CODES } from './codes.ts';
import { compileVirtualService } from './compile.ts';
import { hostMatches, hostSpecificity, MESH_GATEWAY } from './hosts.ts';
import { labelsMatch, type PodInfo, type Registry, type RegistryService } from './registry.ts';
import type { RouteContext } from './routes.ts';
import type { ClusterConfig, CompiledMatch, CompiledRoute, RequestHead, VirtualHost } from './types.ts';
import type { PreparedVirtualServices } from './virtual-services.ts';

export interface GatewayVhost {
  /** Host pattern of the vhost ("httpbin.example.com", "*.example.com", "*"). */
  host: string;
  vhost: VirtualHost;
}

export interface GatewayListener {
  port: number;
  /** Most specific host first. */
  vhosts: GatewayVhost[];
}

export interface GatewayRoutes {
  /** "ns/name" of the Gateways configuring this proxy. */
  gateways: string[];
  listeners: Map<number, GatewayListener>;
}

export interface PreparedGateway {
  res: GatewayResource;
  key: string;
}

/** Gateways in force, and IST0101 for VirtualServices naming a Gateway that does not exist. */
export function prepareGateways(resources: readonly Resource[], vs: PreparedVirtualServices, registry: Registry, diagnostics: Diagnostic[]): PreparedGateway[] {
  const gws = resources
    .filter((r): r is GatewayResource => r.kind === 'Gateway')
    .sort((a, b) => a.meta.order - b.meta.order)
    .map((res) => ({ res, key: `${res.meta.namespace}/${res.meta.name}` }));
  const known = new Set(gws.map((g) => g.key));
  for (const v of vs.list) {
    v.gateways.forEach((g, i) => {
      if (g === MESH_GATEWAY || known.has(g)) return;
      const path = `spec.gateways[${i}]`;
      diagnostics.push({
        code: CP_CODES.referenceNotFound,
        level: 'warning',
        resource: `VirtualService ${v.key}`,
        message: `Referenced gateway not found: "${g}"`,
        source: v.res.meta.positions.get(path) ?? v.res.meta.source,
        path,
      });
    });
  }
  for (const g of gws) {
    const sel = g.res.spec.selector ?? {};
    if (!registry.pods.some((p) => labelsMatch(sel, p.labels))) {
      diagnostics.push({
        code: CP_CODES.referenceNotFound,
        level: 'warning',
        resource: `Gateway ${g.key}`,
        message: `Referenced selector not found: "${Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(',')}" (no gateway pod has these labels)`,
        source: g.res.meta.positions.get('spec.selector') ?? g.res.meta.source,
        path: 'spec.selector',
      });
    }
  }
  return gws;
}

/** Server port → listener port on `pod` (§4 port resolution). */
function listenerPort(srv: GatewayServer, pod: PodInfo, registry: Registry): number {
  const n = srv.port.number;
  for (const svc of registry.services) {
    if (svc.namespace !== pod.namespace || Object.keys(svc.selector).length === 0 || !labelsMatch(svc.selector, pod.labels)) continue;
    const p = svc.ports.find((x) => x.port === n);
    if (p) return registry.targetPort(p, pod);
  }
  return n;
}

function parseServerHost(h: string): { ns: string; dns: string } {
  const slash = h.indexOf('/');
  return slash < 0 ? { ns: '*', dns: h } : { ns: h.slice(0, slash), dns: h.slice(slash + 1) };
}

/** The vhost name a VS host and a server host agree on, or null (the more specific of the two). */
function intersect(vsHost: string, serverHost: string): string | null {
  if (hostMatches(serverHost, vsHost)) return vsHost;
  if (hostMatches(vsHost, serverHost)) return serverHost;
  return null;
}

export function compileGatewayRoutes(
  pod: PodInfo,
  gateways: readonly PreparedGateway[],
  vs: PreparedVirtualServices,
  registry: Registry,
  profile: SemanticsProfile,
  clusters: ReadonlyMap<string, ClusterConfig>,
): GatewayRoutes | null {
  const mine = gateways.filter((g) => labelsMatch(g.res.spec.selector ?? {}, pod.labels));
  if (mine.length === 0) return null;
  const listeners = new Map<number, GatewayListener>();
  const byListenerHost = new Map<number, Map<string, VirtualHost>>();
  for (const g of mine) {
    const gwNs = g.res.meta.namespace;
    for (const srv of g.res.spec.servers ?? []) {
      const proto = srv.port.protocol.toUpperCase();
      if (proto !== 'HTTP' && proto !== 'HTTP2' && proto !== 'HTTPS' && proto !== 'GRPC' && proto !== 'GRPC-WEB') continue;
      const port = listenerPort(srv, pod, registry);
      let hosts = byListenerHost.get(port);
      if (!hosts) byListenerHost.set(port, (hosts = new Map()));
      const rctx: RouteContext = { registry, profile, port: srv.port.number, namespace: pod.namespace, labels: pod.labels, gateways: new Set([g.key]), clusters };
      for (const v of vs.list) {
        if (!v.gateways.includes(g.key)) continue;
        let routes: CompiledRoute[] | null = null;
        for (const sh of srv.hosts.map(parseServerHost)) {
          if (sh.ns !== '*' && !(sh.ns === '.' ? v.namespace === gwNs : sh.ns === v.namespace)) continue;
          for (const h of v.hosts) {
            const name = intersect(h, sh.dns);
            if (name === null) continue;
            routes ??= compileVirtualService(v, rctx);
            let vh = hosts.get(name);
            if (!vh) hosts.set(name, (vh = { name: `${name}:${srv.port.number}`, service: null, routes: [], vs: v.key }));
            // Merge (gateway-only feature): later VirtualServices append their routes.
            if (!vh.routes.some((r) => r.vs === v.key)) vh.routes.push(...routes);
          }
        }
      }
      if (!listeners.has(port)) listeners.set(port, { port, vhosts: [] });
    }
  }
  for (const [port, hosts] of byListenerHost) {
    for (const vh of hosts.values()) vh.service = soleService(vh.routes, registry);
    const list = [...hosts].map(([host, vhost]) => ({ host, vhost }));
    list.sort((a, b) => hostSpecificity(b.host) - hostSpecificity(a.host) || (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
    listeners.get(port)!.vhosts = list;
  }
  return { gateways: mine.map((g) => g.key), listeners };
}

/**
 * The registry service every forwarding route of a vhost sends to, when there is exactly one: it
 * names the edge in metrics (Istio's destination_service for gateway traffic is the backend).
 */
function soleService(routes: readonly CompiledRoute[], registry: Registry): RegistryService | null {
  let fqdn: string | null = null;
  for (const r of routes) {
    if (r.action.kind !== 'forward') continue;
    for (const d of r.action.destinations) {
      if (fqdn === null) fqdn = d.host;
      else if (fqdn !== d.host) return null;
    }
  }
  return fqdn === null ? null : (registry.service(fqdn) ?? null);
}

export type GatewayLookup =
  | { kind: 'route'; vhost: VirtualHost; route: CompiledRoute; match: number; matched: CompiledMatch | null }
  | { kind: 'no-route'; vhost: VirtualHost };

const BLACKHOLE: VirtualHost = { name: 'blackhole', service: null, routes: [], vs: null };

/** Host without a port, lower case: what the gateway matches vhosts against. */
export function authorityHost(head: RequestHead): string {
  const a = head.headers.get('host') ?? head.host;
  const colon = a.lastIndexOf(':');
  const h = colon > 0 && /^\d+$/.test(a.slice(colon + 1)) ? a.slice(0, colon) : a;
  return h.toLowerCase();
}

/** Route lookup on a gateway: listener by port, vhost by Host header, first matching route. */
export function lookupGatewayRoute(gw: GatewayRoutes, head: RequestHead): GatewayLookup {
  const listener = gw.listeners.get(head.port);
  if (!listener) return { kind: 'no-route', vhost: BLACKHOLE };
  const host = authorityHost(head);
  const vh = listener.vhosts.find((v) => hostMatches(v.host, host));
  if (!vh) return { kind: 'no-route', vhost: BLACKHOLE };
  const routes = vh.vhost.routes;
  for (const route of routes) {
    if (route.matches.length === 0) return { kind: 'route', vhost: vh.vhost, route, match: -1, matched: null };
    for (const m of route.matches) if (m.test(head)) return { kind: 'route', vhost: vh.vhost, route, match: m.index, matched: m };
  }
  return { kind: 'no-route', vhost: vh.vhost };
}
