/**
 * A sidecar's compiled config as the tables `istioctl proxy-config routes` and `istioctl
 * proxy-config clusters` print (istio-semantics.md §6.1: what istiod pushes as RDS and CDS). Plain
 * rows of strings and numbers, so they cross a worker boundary and render as text anywhere.
 */
import { shortHost } from './hosts.ts';
import type { ClusterConfig, CompiledRoute, ProxyConfig, VirtualHost } from './types.ts';

/** One row of `istioctl proxy-config routes`: NAME, VHOST NAME, DOMAINS, MATCH, VIRTUAL SERVICE (+ where it goes). */
export interface RouteTableRow {
  /** Route config name: the listener port ("9080"), or "http.8080" style for gateway listeners. */
  name: string;
  vhost: string;
  domains: string;
  match: string;
  /** "name.namespace" as istioctl prints it, or "" for the default route of a service. */
  virtualService: string;
  /** Where the route sends traffic: "reviews v1 (90%), reviews v2 (10%)", a redirect, a direct response. */
  action: string;
}

/** One row of `istioctl proxy-config clusters`, plus the endpoints (`proxy-config endpoints`). */
export interface ClusterTableRow {
  serviceFqdn: string;
  port: number;
  subset: string;
  direction: 'outbound';
  type: 'EDS' | 'STRICT_DNS' | 'ORIGINAL_DST';
  /** "name.namespace" of the DestinationRule, or "". */
  destinationRule: string;
  /** Pods the cluster selects (the data plane skips those not ready or ejected). */
  endpoints: string[];
}

export interface ProxyTables {
  routes: RouteTableRow[];
  clusters: ClusterTableRow[];
}

/** "ns/name" → "name.ns", istioctl's spelling of a config reference. */
function istioctlRef(ref: string | null | undefined): string {
  if (!ref) return '';
  const slash = ref.indexOf('/');
  return slash < 0 ? ref : `${ref.slice(slash + 1)}.${ref.slice(0, slash)}`;
}

function matchText(route: CompiledRoute): string {
  if (route.matches.length === 0) return '/*';
  return route.matches.map((m) => m.describe()).join(' || ');
}

function actionText(route: CompiledRoute): string {
  const a = route.action;
  if (a.kind === 'redirect') return `redirect ${a.status}${a.uri ? ` to ${a.uri}` : ''}${a.authority ? ` at ${a.authority}` : ''}`;
  if (a.kind === 'direct') return `direct response ${a.status}`;
  if (a.destinations.length === 0) return 'no destination';
  return a.destinations
    .map((d) => {
      const pct = a.totalWeight > 0 ? Math.round((d.weight / a.totalWeight) * 1000) / 10 : 0;
      const where = `${shortHost(d.host)}${d.subset ? ` ${d.subset}` : ''}`;
      return a.destinations.length === 1 ? where : `${where} (${pct}%)`;
    })
    .join(', ');
}

/** Domains Envoy lists for a service's virtual host: the FQDN and its short forms (with and without port). */
function domainsOf(vh: VirtualHost, port: number): string {
  const svc = vh.service;
  if (!svc) return vh.name.replace(/:\d+$/, '');
  return svc.serviceEntry ? `${svc.fqdn}, ${svc.fqdn}:${port}` : `${svc.name}, ${svc.name}.${svc.namespace}, ${svc.fqdn}, ${svc.clusterIp}`;
}

function vhostRows(name: string, vh: VirtualHost, domains: string): RouteTableRow[] {
  return vh.routes.map((r) => ({ name, vhost: vh.name, domains, match: matchText(r), virtualService: istioctlRef(r.vs), action: actionText(r) }));
}

function clusterType(c: ClusterConfig): ClusterTableRow['type'] {
  const se = c.service?.serviceEntry;
  if (!se) return 'EDS';
  if (se.resolution === 'DNS') return 'STRICT_DNS';
  if (se.resolution === 'NONE') return 'ORIGINAL_DST';
  return 'EDS';
}

function byText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The route and cluster tables of one compiled sidecar (or gateway) config, sorted as istioctl does. */
export function proxyTables(config: ProxyConfig): ProxyTables {
  const routes: RouteTableRow[] = [];
  for (const port of [...config.routes.keys()].sort((a, b) => a - b)) {
    const table = config.routes.get(port)!;
    const vhosts = [...table.vhosts.values()].sort((a, b) => byText(a.name, b.name));
    for (const vh of vhosts) routes.push(...vhostRows(String(port), vh, domainsOf(vh, port)));
  }
  if (config.gateway) {
    for (const port of [...config.gateway.listeners.keys()].sort((a, b) => a - b)) {
      for (const gv of config.gateway.listeners.get(port)!.vhosts) routes.push(...vhostRows(`http.${port}`, gv.vhost, gv.host));
    }
  }
  const clusters: ClusterTableRow[] = [...config.clusters.values()]
    .map((c) => ({
      serviceFqdn: c.host,
      port: c.port,
      subset: c.subset ?? '',
      direction: 'outbound' as const,
      type: clusterType(c),
      destinationRule: istioctlRef(c.destinationRule),
      endpoints: c.endpoints.map((e) => e.pod.name),
    }))
    .sort((a, b) => byText(a.serviceFqdn, b.serviceFqdn) || a.port - b.port || byText(a.subset, b.subset));
  return { routes, clusters };
}
