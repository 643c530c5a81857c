/**
 * One VirtualService http rule → the Envoy route a given proxy gets on a given listener port
 * (istio-semantics.md §1.4–1.9; istio route.go translateRoute / applyHTTPRouteDestination):
 * - match blocks filtered at config time by `port`, `gateways` (per block) or
 *   `sourceLabels`+`sourceNamespace`; a rule whose blocks all drop out is not installed;
 * - a block that is a catch-all ends the route list (later blocks and rules are unreachable);
 * - destinations: one destination gets 100 % whatever its weight; several keep their relative
 *   weights with weight 0 dropped; the port is `destination.port`, else the service's only port,
 *   else the listener port; the cluster is `outbound|port|subset|fqdn` (missing ⇒ 503 NC at run time);
 * - timeout (0 = none), retries (retry-policy.ts; consistent hash on a single destination drops the
 *   previous-hosts predicate), fault, mirrors, header operations, rewrite, redirect, directResponse.
 */
import type { Destination, HeaderOperations, HTTPFaultInjection, HTTPRoute, Percent } from '../config/istio-types.ts';
import type { SemanticsProfile } from '../config/types.ts';
import { parseDuration } from '../domain/time.ts';
import { MESH_GATEWAY, resolveShortname } from './hosts.ts';
import type { Registry } from './registry.ts';
import { convertRetryPolicy, describeRetryPolicy } from './retry-policy.ts';
import { clusterName, type ClusterConfig, type CompiledMatch, type CompiledRoute, type FaultPolicy, type HeaderOps, type MirrorPolicy, type RouteAction, type WeightedCluster } from './types.ts';
import type { PreparedRule } from './virtual-services.ts';

export interface RouteContext {
  registry: Registry;
  profile: SemanticsProfile;
  /** Listener (service) port the route table is for. */
  port: number;
  namespace: string;
  labels: Readonly<Record<string, string>>;
  /** Gateway names this proxy answers to; sidecars: {"mesh"}. */
  gateways: ReadonlySet<string>;
  clusters: ReadonlyMap<string, ClusterConfig>;
}

export interface RuleCompile {
  route: CompiledRoute | null;
  /** A catch-all was installed: stop adding rules. */
  catchAll: boolean;
}

/** istio sourceMatchHTTP: per-block gateways override; otherwise sourceLabels ⊆ pod labels and sourceNamespace. */
function blockApplies(gateways: readonly string[], sourceLabels: Record<string, string> | undefined, sourceNamespace: string | undefined, ctx: RouteContext): boolean {
  if (gateways.length > 0) return gateways.some((g) => ctx.gateways.has(g));
  if (sourceLabels) for (const k in sourceLabels) if (ctx.labels[k] !== sourceLabels[k]) return false;
  return !sourceNamespace || sourceNamespace === ctx.namespace;
}

export function compileRule(rule: PreparedRule, vsKey: string, ctx: RouteContext): RuleCompile {
  let matches: CompiledMatch[];
  let catchAll = false;
  if (rule.matches === null) {
    matches = [];
    catchAll = true;
  } else {
    matches = [];
    for (const m of rule.matches) {
      if (m.raw.port && m.raw.port !== ctx.port) continue;
      if (!blockApplies(m.gateways, m.raw.sourceLabels, m.raw.sourceNamespace, ctx)) continue;
      matches.push(m.compiled);
      if (m.compiled.catchAll) {
        catchAll = true;
        break;
      }
    }
    if (matches.length === 0) return { route: null, catchAll: false };
  }
  return { route: buildRoute(rule, vsKey, matches, ctx), catchAll };
}

function buildRoute(rule: PreparedRule, vsKey: string, matches: CompiledMatch[], ctx: RouteContext): CompiledRoute {
  const http = rule.http;
  const timeoutUs = durationUs(http.timeout);
  const routeHeaders = headerOps(http.headers?.request);
  let authority = routeHeaders.authority;
  if (http.rewrite?.authority) authority = http.rewrite.authority;
  let action: RouteAction;
  let consistentHash = false;
  if (http.redirect) {
    const r = http.redirect;
    let port: number | null = null;
    if (r.port !== undefined) port = r.port;
    else if (r.derivePort === 'FROM_REQUEST_PORT') port = ctx.port;
    else if (r.derivePort === 'FROM_PROTOCOL_DEFAULT') port = 0;
    const scheme = r.scheme ?? null;
    // istio ApplyRedirect: no explicit :80 for http or :443 for https.
    if (port !== null && ((port === 80 && (scheme ?? 'http') === 'http') || (port === 443 && scheme === 'https'))) port = 0;
    action = { kind: 'redirect', status: r.redirectCode ?? 301, scheme, authority: r.authority ?? null, port, uri: r.uri ?? null, prefixRewrite: null };
  } else if (http.directResponse) {
    const body = http.directResponse.body;
    action = { kind: 'direct', status: http.directResponse.status, body: body?.string ?? body?.bytes ?? '' };
  } else {
    const routes = http.route ?? [];
    const destinations: WeightedCluster[] = [];
    let total = 0;
    for (const r of routes) {
      if (routes.length > 1 && !(r.weight && r.weight > 0)) continue;
      const w = routes.length === 1 ? 100 : r.weight!;
      const d = destination(r.destination, rule.hostNamespace, ctx);
      const ops = r.headers ? headerOps(r.headers.request) : null;
      const respOps = r.headers ? headerOps(r.headers.response) : null;
      destinations.push({
        ...d,
        weight: w,
        requestHeaders: ops && !emptyOps(ops.ops) ? ops.ops : null,
        responseHeaders: respOps && !emptyOps(respOps.ops) ? respOps.ops : null,
        authority: ops?.authority ?? null,
      });
      total += w;
    }
    if (destinations.length === 1) consistentHash = !!ctx.clusters.get(destinations[0].cluster)?.hash;
    action = { kind: 'forward', destinations, totalWeight: total };
  }
  const retry = convertRetryPolicy(http.retries, ctx.profile, consistentHash);
  const route: CompiledRoute = {
    vs: vsKey,
    ruleIndex: rule.index,
    name: http.name ?? '',
    delegate: rule.delegate,
    matches,
    action,
    timeoutUs,
    retry,
    fault: faultPolicy(http.fault),
    mirrors: [],
    requestHeaders: emptyOps(routeHeaders.ops) ? null : routeHeaders.ops,
    responseHeaders: nullIfEmpty(headerOps(http.headers?.response).ops),
    rewrite:
      http.rewrite || authority
        ? {
            uri: http.rewrite?.uri ?? null,
            regex: rule.uriRegex,
            regexRewrite: http.rewrite?.uriRegexRewrite?.rewrite ?? null,
            authority: authority ?? null,
          }
        : null,
    retryText: describeRetryPolicy(retry),
  };
  if (action.kind === 'forward') route.mirrors = mirrorPolicies(http, rule.hostNamespace, ctx, timeoutUs);
  return route;
}

function destination(d: Destination, hostNamespace: string, ctx: RouteContext): Omit<WeightedCluster, 'weight'> {
  const host = resolveShortname(d.host, hostNamespace);
  const svc = ctx.registry.service(host);
  // istio GetDestinationCluster: explicit port, else the service's only port, else the listener port.
  let port = ctx.port;
  if (d.port?.number) port = d.port.number;
  else if (svc && svc.ports.length === 1) port = svc.ports[0].port;
  const subset = d.subset ?? null;
  return { cluster: clusterName(port, subset, host), host, subset, port };
}

/** §1.8: delay (fixedDelay only; percentage, else the deprecated int percent, else none) and abort. */
export function faultPolicy(f: HTTPFaultInjection | undefined): FaultPolicy | null {
  if (!f) return null;
  let delay: FaultPolicy['delay'] = null;
  if (f.delay && f.delay.fixedDelay !== undefined) {
    const ppm = f.delay.percentage ? percentToPpm(f.delay.percentage) : Math.max(0, Math.min(100, f.delay.percent ?? 0)) * 10_000;
    const d = parseDuration(f.delay.fixedDelay);
    if (ppm > 0 && d.ok) delay = { delayUs: d.us, ppm };
  }
  let abort: FaultPolicy['abort'] = null;
  if (f.abort && (f.abort.httpStatus !== undefined || f.abort.grpcStatus !== undefined)) {
    const ppm = f.abort.percentage ? percentToPpm(f.abort.percentage) : 0;
    // A gRPC abort is an HTTP 200 carrying grpc-status (Envoy fault filter).
    const status = f.abort.httpStatus ?? 200;
    if (ppm > 0) abort = { status, ppm, grpcStatus: f.abort.grpcStatus ?? null };
  }
  return delay || abort ? { delay, abort } : null;
}

/** Percent{value} → parts per million, truncated like istio's uint32(value*10000). */
export function percentToPpm(p: Percent): number {
  const v = p.value ?? 0;
  return Math.max(0, Math.min(1_000_000, Math.floor(v * 10_000 + 1e-9)));
}

/** §1.4/§1.9: mirror + mirrorPercentage (absent ⇒ 100 %, explicit 0 ⇒ none), or mirrors[] with their own percentage. */
function mirrorPolicies(http: HTTPRoute, hostNamespace: string, ctx: RouteContext, timeoutUs: number): MirrorPolicy[] {
  const out: MirrorPolicy[] = [];
  const add = (dst: Destination, ppm: number): void => {
    if (ppm <= 0) return;
    const d = destination(dst, hostNamespace, ctx);
    out.push({ ...d, ppm, route: shadowRoute(d, timeoutUs) });
  };
  if (http.mirror) {
    let ppm = 1_000_000;
    if (http.mirrorPercentage) ppm = percentToPpm(http.mirrorPercentage);
    else if (http.mirrorPercent !== undefined) ppm = Math.max(0, Math.min(100, http.mirrorPercent)) * 10_000;
    add(http.mirror, ppm);
  }
  for (const m of http.mirrors ?? []) add(m.destination, m.percentage ? percentToPpm(m.percentage) : 1_000_000);
  return out;
}

function shadowRoute(d: Omit<WeightedCluster, 'weight'>, timeoutUs: number): CompiledRoute {
  return {
    vs: null,
    ruleIndex: -1,
    name: 'shadow',
    matches: [],
    action: { kind: 'forward', destinations: [{ ...d, weight: 100 }], totalWeight: 100 },
    timeoutUs,
    retry: null,
    fault: null,
    mirrors: [],
    requestHeaders: null,
    responseHeaders: null,
    rewrite: null,
    retryText: 'no retries (shadow request)',
  };
}

/** Header operations; `:authority`/`host` in set/add become a host rewrite (set beats add), other pseudo-headers are dropped. */
function headerOps(ops: HeaderOperations | undefined): { ops: HeaderOps; authority: string | null } {
  const out: HeaderOps = { set: [], add: [], remove: [] };
  let setAuthority: string | null = null;
  let addAuthority: string | null = null;
  if (!ops) return { ops: out, authority: null };
  const internal = (k: string): boolean => k.startsWith(':') || k.toLowerCase() === 'host';
  const isAuthority = (k: string): boolean => k.toLowerCase() === ':authority' || k.toLowerCase() === 'host';
  for (const k of Object.keys(ops.set ?? {}).sort()) {
    if (isAuthority(k)) setAuthority = ops.set![k];
    if (!internal(k)) out.set.push([k.toLowerCase(), ops.set![k]]);
  }
  for (const k of Object.keys(ops.add ?? {}).sort()) {
    if (isAuthority(k)) addAuthority = ops.add![k];
    if (!internal(k)) out.add.push([k.toLowerCase(), ops.add![k]]);
  }
  for (const k of ops.remove ?? []) if (!internal(k)) out.remove.push(k.toLowerCase());
  return { ops: out, authority: setAuthority ?? addAuthority };
}

function emptyOps(o: HeaderOps): boolean {
  return o.set.length === 0 && o.add.length === 0 && o.remove.length === 0;
}

function nullIfEmpty(o: HeaderOps): HeaderOps | null {
  return emptyOps(o) ? null : o;
}

function durationUs(text: string | undefined): number {
  if (text === undefined) return 0;
  const d = parseDuration(text);
  return d.ok ? d.us : 0;
}

/** The route a service gets when no VirtualService applies (§1.3): prefix "/" → outbound|port||fqdn. */
export function defaultRoute(fqdn: string, port: number, ctx: RouteContext): CompiledRoute {
  const name = clusterName(port, null, fqdn);
  const retry = convertRetryPolicy(undefined, ctx.profile, !!ctx.clusters.get(name)?.hash);
  return {
    vs: null,
    ruleIndex: -1,
    name: 'default',
    matches: [],
    action: { kind: 'forward', destinations: [{ cluster: name, weight: 100, host: fqdn, subset: null, port }], totalWeight: 100 },
    timeoutUs: 0,
    retry,
    fault: null,
    mirrors: [],
    requestHeaders: null,
    responseHeaders: null,
    rewrite: null,
    retryText: describeRetryPolicy(retry),
  };
}

export const SIDECAR_GATEWAYS: ReadonlySet<string> = new Set([MESH_GATEWAY]);
