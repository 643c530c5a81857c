/**
 * Host names as istiod reads them in VirtualServices and DestinationRules (istio-semantics.md §1.2,
 * pilot/pkg/model/config.go ResolveShortnameToFQDN), wildcard host matching, exportTo visibility
 * (§1.1) and gateway references (§1.2 step 5).
 */
import { CLUSTER_DOMAIN } from './registry.ts';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * §1.2: `*` and IPs stay; a name without any dot gets `.<ns>.svc.cluster.local` with the namespace
 * of the resource that wrote it (not the service's); a name with any dot is taken verbatim, so
 * `reviews.default` is NOT expanded and matches no registry host.
 */
export function resolveShortname(host: string, namespace: string): string {
  if (host === '*' || host.includes(':') || IPV4.test(host)) return host;
  if (host.startsWith('*')) return host;
  if (!host.includes('.')) return `${host}.${namespace}.${CLUSTER_DOMAIN}`;
  return host;
}

/** Does a (possibly wildcard) host pattern cover a concrete FQDN? `*` covers all, `*.b.c` covers `a.b.c`. */
export function hostMatches(pattern: string, fqdn: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*')) return fqdn.endsWith(pattern.slice(1));
  return pattern === fqdn;
}

/** Specificity for "most specific wildcard wins": exact hosts beat wildcards, longer wildcards beat shorter. */
export function hostSpecificity(pattern: string): number {
  if (!pattern.startsWith('*')) return 1_000_000;
  return pattern.length;
}

/**
 * exportTo (§1.1): empty ⇒ every namespace; `.` ⇒ the resource's own namespace; `*` ⇒ all;
 * `~` ⇒ none; other entries are namespace names.
 */
export function isExportedTo(exportTo: readonly string[] | undefined, ownerNs: string, clientNs: string): boolean {
  if (!exportTo || exportTo.length === 0) return true;
  for (const e of exportTo) {
    if (e === '*') return true;
    if (e === '.' && ownerNs === clientNs) return true;
    if (e === clientNs) return true;
  }
  return false;
}

export const MESH_GATEWAY = 'mesh';

/**
 * Gateway reference → "ns/name" (istio resolveGatewayName): `name` is in the VirtualService's
 * namespace, `./name` too, `ns/name` stays, legacy `name.ns.svc.cluster.local` becomes `ns/name`.
 * `mesh` stays `mesh`.
 */
export function resolveGatewayName(gw: string, namespace: string): string {
  if (gw === MESH_GATEWAY) return gw;
  const slash = gw.indexOf('/');
  if (slash >= 0) return gw.slice(0, slash) === '.' ? `${namespace}/${gw.slice(slash + 1)}` : gw;
  const dot = gw.indexOf('.');
  if (dot < 0) return `${namespace}/${gw}`;
  const rest = gw.slice(dot + 1);
  const nsEnd = rest.indexOf('.');
  return `${nsEnd < 0 ? rest : rest.slice(0, nsEnd)}/${gw.slice(0, dot)}`;
}

/** Short name of an FQDN for reports ("reviews.default.svc.cluster.local" → "reviews"). */
export function shortHost(fqdn: string): string {
  const suffix = `.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) return fqdn;
  const dot = fqdn.indexOf('.');
  return fqdn.slice(0, dot);
}
