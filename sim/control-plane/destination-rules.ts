/**
 * DestinationRules as a proxy sees them (istio-semantics.md §2.1–2.3):
 * - lookup for a (client proxy, service) pair, first hit wins: (1) the client's namespace (any
 *   exportTo; rules with a workloadSelector only when it selects the client), (2) the service's
 *   namespace, (3) the root namespace — (2) and (3) only when exported to the client's namespace;
 *   inside one namespace the most specific host wins (exact over wildcard, longer wildcard first);
 * - several rules for the same host in the same scope merge, oldest first: subsets unioned (first
 *   definition of a name wins), only the first top-level trafficPolicy kept;
 * - effective policy per cluster (istio util.MergeSubsetTrafficPolicy): the top-level policy, or
 *   its portLevelSettings entry for the port — which replaces it wholesale (nothing inherited);
 *   a subset's policy then overrides block by block, or its own port-level entry replaces the
 *   connectionPool/loadBalancer/outlierDetection/tls blocks wholesale.
 * SRC: istio/istio pilot/pkg/model/push_context.go destinationRule(), destination_rule.go,
 * pilot/pkg/networking/util/util.go.
 */
import type { DestinationRuleSpec, LoadBalancerSettings, Subset, TrafficPolicy } from '../config/istio-types.ts';
import type { DestinationRuleResource, SemanticsProfile } from '../config/types.ts';
import { parseDuration } from '../domain/time.ts';
import { hostMatches, hostSpecificity, isExportedTo, resolveShortname } from './hosts.ts';
import { labelsMatch, type RegistryService } from './registry.ts';
import type { EffectiveTrafficPolicy, HashPolicy, LbPolicy } from './types.ts';

export interface PreparedDr {
  res: DestinationRuleResource;
  key: string;
  namespace: string;
  /** Host after short-name resolution in the rule's namespace. */
  host: string;
  spec: DestinationRuleSpec;
}

/** One or more DestinationRules merged for a (client, service) pair. */
export interface ConsolidatedDr {
  /** "ns/name" of each rule merged in, oldest first. */
  sources: string[];
  trafficPolicy: TrafficPolicy | undefined;
  subsets: Map<string, Subset>;
  /** Identity for caches: the keys of the merged rules. */
  id: string;
}

export function prepareDestinationRules(resources: readonly DestinationRuleResource[]): PreparedDr[] {
  return [...resources]
    .sort((a, b) => a.meta.order - b.meta.order)
    .map((res) => ({
      res,
      key: `${res.meta.namespace}/${res.meta.name}`,
      namespace: res.meta.namespace,
      host: resolveShortname(res.spec.host, res.meta.namespace),
      spec: res.spec,
    }));
}

export interface ClientView {
  namespace: string;
  labels: Readonly<Record<string, string>>;
}

/** The merged DestinationRule a client proxy uses for `svc`, or null when none applies. */
export function destinationRuleFor(drs: readonly PreparedDr[], client: ClientView, svc: RegistryService, rootNs: string): ConsolidatedDr | null {
  const scopes: { ns: string; local: boolean }[] = [];
  if (client.namespace !== rootNs) scopes.push({ ns: client.namespace, local: true });
  if (svc.namespace !== client.namespace) scopes.push({ ns: svc.namespace, local: false });
  if (rootNs !== svc.namespace || client.namespace === rootNs) scopes.push({ ns: rootNs, local: client.namespace === rootNs });
  for (const scope of scopes) {
    const candidates = drs.filter((d) => {
      if (d.namespace !== scope.ns || !hostMatches(d.host, svc.fqdn)) return false;
      const selector = d.spec.workloadSelector?.matchLabels;
      if (selector && Object.keys(selector).length > 0) return scope.local && labelsMatch(selector, client.labels);
      return scope.local || isExportedTo(d.spec.exportTo, d.namespace, client.namespace);
    });
    if (candidates.length === 0) continue;
    // Most specific host first; rules with a workloadSelector before those without; then oldest.
    const best = Math.max(...candidates.map((d) => hostSpecificity(d.host)));
    const chosen = candidates.filter((d) => hostSpecificity(d.host) === best);
    const selected = chosen.filter((d) => d.spec.workloadSelector?.matchLabels);
    const ordered = [...selected, ...chosen.filter((d) => !d.spec.workloadSelector?.matchLabels)];
    return consolidate(ordered);
  }
  return null;
}

function consolidate(rules: readonly PreparedDr[]): ConsolidatedDr {
  const subsets = new Map<string, Subset>();
  let trafficPolicy: TrafficPolicy | undefined;
  for (const r of rules) {
    if (trafficPolicy === undefined && r.spec.trafficPolicy) trafficPolicy = r.spec.trafficPolicy;
    for (const s of r.spec.subsets ?? []) if (!subsets.has(s.name)) subsets.set(s.name, s);
  }
  const sources = rules.map((r) => r.key);
  return { sources, trafficPolicy, subsets, id: sources.join(',') };
}

/** A policy's portLevelSettings entry for `port`, as a standalone policy (nothing inherited). */
function portLevel(policy: TrafficPolicy | undefined, port: number): { policy: EffectiveTrafficPolicy | undefined; hasPortLevel: boolean } {
  if (!policy) return { policy: undefined, hasPortLevel: false };
  const p = policy.portLevelSettings?.find((pl) => pl.port?.number === port);
  if (!p) return { policy: withoutPortLevel(policy), hasPortLevel: false };
  return {
    policy: { connectionPool: p.connectionPool, loadBalancer: p.loadBalancer, outlierDetection: p.outlierDetection, tls: p.tls },
    hasPortLevel: true,
  };
}

function withoutPortLevel(p: TrafficPolicy): EffectiveTrafficPolicy {
  const { portLevelSettings: _ignored, ...rest } = p;
  return rest;
}

/** §2.2: the policy in force for cluster (port, subset) of a consolidated rule. */
export function effectivePolicy(dr: ConsolidatedDr | null, subset: Subset | null, port: number): EffectiveTrafficPolicy {
  const top = portLevel(dr?.trafficPolicy, port).policy;
  if (!subset?.trafficPolicy) return top ?? {};
  const sub = portLevel(subset.trafficPolicy, port);
  if (!top) return sub.policy ?? {};
  const merged: EffectiveTrafficPolicy = { ...top };
  const s = sub.policy!;
  const whole = sub.hasPortLevel;
  if (s.connectionPool !== undefined || whole) merged.connectionPool = s.connectionPool;
  if (s.outlierDetection !== undefined || whole) merged.outlierDetection = s.outlierDetection;
  if (s.loadBalancer !== undefined || whole) merged.loadBalancer = s.loadBalancer;
  if (s.tls !== undefined || whole) merged.tls = s.tls;
  if (s.tunnel !== undefined) merged.tunnel = s.tunnel;
  if (s.proxyProtocol !== undefined) merged.proxyProtocol = s.proxyProtocol;
  if (s.retryBudget !== undefined) merged.retryBudget = s.retryBudget;
  return merged;
}

export const DEFAULT_MIN_RING_SIZE = 1024;
export const DEFAULT_MAGLEV_TABLE_SIZE = 65537;

/**
 * §2.3: `simple` → the Envoy algorithm (UNSPECIFIED/unset → profile default: LEAST_REQUEST from
 * Istio 1.14, ROUND_ROBIN before; LEAST_CONN is an alias of LEAST_REQUEST); `consistentHash` →
 * ring hash (minimumRingSize default 1024) or maglev (tableSize default 65537) with its key.
 */
export function loadBalancerPolicy(lb: LoadBalancerSettings | undefined, profile: SemanticsProfile): { lb: LbPolicy; hash: HashPolicy | null } {
  const fallback: LbPolicy = { kind: profile.defaultLoadBalancer };
  if (!lb) return { lb: fallback, hash: null };
  const ch = lb.consistentHash;
  if (ch) {
    let key: HashPolicy['key'] | null = null;
    if (ch.httpHeaderName !== undefined) key = { kind: 'header', name: ch.httpHeaderName.toLowerCase() };
    else if (ch.httpCookie) {
      const ttl = ch.httpCookie.ttl !== undefined ? parseDuration(ch.httpCookie.ttl) : null;
      key = { kind: 'cookie', name: ch.httpCookie.name, ttlUs: ttl && ttl.ok ? ttl.us : null };
    } else if (ch.useSourceIp) key = { kind: 'source-ip' };
    else if (ch.httpQueryParameterName !== undefined) key = { kind: 'query', name: ch.httpQueryParameterName };
    if (key) {
      const hash: HashPolicy = ch.maglev
        ? { key, table: 'maglev', size: ch.maglev.tableSize ?? DEFAULT_MAGLEV_TABLE_SIZE }
        : { key, table: 'ring', size: ch.ringHash?.minimumRingSize ?? ch.minimumRingSize ?? DEFAULT_MIN_RING_SIZE };
      return { lb: fallback, hash };
    }
    return { lb: fallback, hash: null };
  }
  switch (lb.simple) {
    case 'ROUND_ROBIN':
      return { lb: { kind: 'ROUND_ROBIN' }, hash: null };
    case 'RANDOM':
      return { lb: { kind: 'RANDOM' }, hash: null };
    case 'PASSTHROUGH':
      return { lb: { kind: 'PASSTHROUGH' }, hash: null };
    case 'LEAST_REQUEST':
    case 'LEAST_CONN':
      return { lb: { kind: 'LEAST_REQUEST' }, hash: null };
    default:
      return { lb: fallback, hash: null };
  }
}
