/**
 * Route tests in istio-config-validator's format, answered by meshsim's own routing (the tables
 * istiod would push and the lookup the sidecar runs), so the answer follows Istio where the tool
 * simplifies: short names resolve per §1.2, query/port matches count, a destination whose cluster
 * does not exist (undefined subset, unknown host) fails with the 503 NC a client would see.
 * Which proxy asks: by default a sidecar with no special labels in the namespace of the
 * VirtualService that owns the authority; `from` names a Deployment for sourceLabels cases.
 */
import type { Resource, SemanticsProfile, ServiceEntryResource, VirtualServiceResource } from '../config/types.ts';
import { CODES } from '../config/codes.ts';
import { didYouMean } from '../config/suggest.ts';
import { InputError, type SourceLocation } from '../domain/diagnostics.ts';
import { ControlPlane } from '../control-plane/control-plane.ts';
import { hostMatches, MESH_GATEWAY, resolveShortname, resolveGatewayName } from '../control-plane/hosts.ts';
import { CLUSTER_DOMAIN, Registry, type PodInfo } from '../control-plane/registry.ts';
import type { RequestHead } from '../control-plane/types.ts';
import type { PreparedRule } from '../control-plane/virtual-services.ts';
import { explainRoute, lookupForProxy } from '../data-plane/explain.ts';
import { expandRequests, type RouteTestCase, type RouteTestInput } from './route-test-parse.ts';

export { parseRouteTests, expandRequests } from './route-test-parse.ts';
export type { RouteTestCase, RouteTestInput } from './route-test-parse.ts';

export interface RouteTestResult {
  description: string;
  input: RouteTestInput;
  passed: boolean;
  /** Why it failed (empty when passed). */
  reasons: string[];
  /** The proxy that asked, "name.namespace". */
  proxy: string;
  source: SourceLocation;
}

export interface RouteTestOptions {
  /** Deployment ("name" or "ns/name") whose sidecar sends every request. */
  from?: string;
}

/**
 * Istio gives a VirtualService host that is not in the registry a virtual host on port 80 only
 * (istio-semantics.md §1.3). meshsim's tables are built per registry service, so such hosts get a
 * stand-in ServiceEntry on port 80: same reachability, no endpoints of their own.
 */
function standInEntries(resources: readonly Resource[]): ServiceEntryResource[] {
  const registry = new Registry(resources);
  const out: ServiceEntryResource[] = [];
  const seen = new Set<string>();
  let order = 1_000_000_000;
  for (const r of resources) {
    if (r.kind !== 'VirtualService') continue;
    const gws = (r.spec.gateways ?? [MESH_GATEWAY]).map((g) => resolveGatewayName(g, r.meta.namespace));
    if (!gws.includes(MESH_GATEWAY)) continue;
    for (const h of r.spec.hosts ?? []) {
      const fqdn = resolveShortname(h, r.meta.namespace);
      if (fqdn.startsWith('*') || registry.service(fqdn) || seen.has(fqdn)) continue;
      seen.add(fqdn);
      const meta = { ...r.meta, kind: 'ServiceEntry', name: `meshsim-vhost-${out.length}`, order: order++, positions: new Map() };
      out.push({ kind: 'ServiceEntry', meta, spec: { hosts: [fqdn], ports: [{ number: 80, name: 'http', protocol: 'HTTP' }], location: 'MESH_EXTERNAL', resolution: 'DNS' } });
    }
  }
  return out;
}

/** The authority as a client in `ns` would name the service (cluster DNS search path). */
function fqdnFrom(host: string, ns: string): string {
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${ns}.${CLUSTER_DOMAIN}`;
  if (parts.length === 2) return `${host}.${CLUSTER_DOMAIN}`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.cluster.local`;
  return host;
}

/** Namespace of the oldest mesh VirtualService that owns the host; "default" when none does. */
function owningNamespace(vss: readonly VirtualServiceResource[], host: string): string {
  for (const vs of vss) {
    const ns = vs.meta.namespace;
    const want = fqdnFrom(host, ns);
    if ((vs.spec.hosts ?? []).some((h) => hostMatches(resolveShortname(h, ns), want) || h === host)) return ns;
  }
  return 'default';
}

function clientPod(namespace: string): PodInfo {
  return { id: -1, name: 'route-test-client', namespace, deployment: 'route-test-client', labels: {}, serviceAccount: 'default', version: null, app: null, hasSidecar: true, ip: '10.255.255.254', namedPorts: {} };
}

function findPod(registry: Registry, from: string): PodInfo {
  const slash = from.indexOf('/');
  const ns = slash >= 0 ? from.slice(0, slash) : null;
  const name = slash >= 0 ? from.slice(slash + 1) : from;
  const pod = registry.pods.find((p) => p.deployment === name && (ns === null || p.namespace === ns));
  if (pod) return pod;
  const names = [...new Set(registry.pods.map((p) => p.deployment))].sort();
  throw new InputError([{ code: CODES.reference, level: 'error', resource: '', message: `--from ${from}: no such Deployment in the config${didYouMean(name, names)}`, source: null }]);
}

function requestHead(input: RouteTestInput): RequestHead {
  const colon = input.authority.lastIndexOf(':');
  const hasPort = colon > 0 && /^\d+$/.test(input.authority.slice(colon + 1));
  const q = input.uri.indexOf('?');
  const extra = Object.entries(input.queryParams).map(([k, v]) => (v === null ? k : `${k}=${v}`));
  const query = [q >= 0 ? input.uri.slice(q + 1) : '', ...extra].filter((s) => s !== '').join('&');
  const headers = new Map<string, string>();
  for (const [k, v] of Object.entries(input.headers)) headers.set(k.toLowerCase(), v);
  return {
    method: input.method.toUpperCase(),
    scheme: 'http',
    host: hasPort ? input.authority.slice(0, colon) : input.authority,
    port: hasPort ? Number(input.authority.slice(colon + 1)) : 80,
    path: q >= 0 ? input.uri.slice(0, q) : input.uri,
    query,
    headers,
  };
}

/** JSON with sorted keys: Istio objects compare by content, not by the order fields were written in. */
function canon(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canon).join(',')}]`;
  if (v && typeof v === 'object') {
    const keys = Object.keys(v).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canon((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

interface Actual {
  rule: PreparedRule | null;
  destinations: { host: string; subset: string | null; port: number; weightPercent: number }[];
  /** What happened instead of forwarding, in words ("404 NR", "301 redirect"). */
  outcome: string;
}

/** Differences between what the test case states and what the routing produced. */
function compare(c: RouteTestCase, a: Actual): string[] {
  const diffs: string[] = [];
  if (c.route) {
    if (a.destinations.length === 0) diffs.push(`route: expected ${c.route.length} destination(s), got none (${a.outcome})`);
    else if (a.destinations.length !== c.route.length) diffs.push(`route: expected ${c.route.length} destination(s), got ${a.destinations.length} (${a.destinations.map((d) => d.host).join(', ')})`);
    else {
      const ns = a.rule?.hostNamespace ?? 'default';
      const declared = c.route.map((r) => r.weight);
      const sum = declared.reduce<number>((s, w) => s + (w ?? 0), 0);
      c.route.forEach((want, j) => {
        const got = a.destinations[j];
        const host = resolveShortname(want.destination.host, ns);
        if (host !== got.host) diffs.push(`route[${j}].destination.host: expected ${host}, got ${got.host}`);
        if ((want.destination.subset ?? null) !== got.subset) diffs.push(`route[${j}].destination.subset: expected ${want.destination.subset ?? '(none)'}, got ${got.subset ?? '(none)'}`);
        const port = want.destination.port?.number;
        if (port !== undefined && port !== got.port) diffs.push(`route[${j}].destination.port: expected ${port}, got ${got.port}`);
        // Weights compare as shares of traffic (Istio's relative weights, §1.6), not as written numbers.
        if (declared.some((w) => w !== undefined)) {
          const share = c.route!.length === 1 ? 100 : sum > 0 ? ((want.weight ?? 0) / sum) * 100 : 0;
          if (Math.abs(share - got.weightPercent) > 0.01) diffs.push(`route[${j}].weight: expected ${share}% of traffic, got ${got.weightPercent}%`);
        }
        if (want.headers !== undefined && canon(want.headers) !== canon(a.rule?.http.route?.[j]?.headers)) diffs.push(`route[${j}].headers differ: expected ${canon(want.headers)}, got ${canon(a.rule?.http.route?.[j]?.headers)}`);
      });
    }
  }
  const fields = ['rewrite', 'redirect', 'fault', 'headers'] as const;
  for (const f of fields) {
    if (c[f] === undefined) continue;
    const got = a.rule?.http[f];
    if (canon(c[f]) !== canon(got)) diffs.push(`${f}: expected ${canon(c[f])}, got ${got === undefined ? '(none)' : canon(got)}`);
  }
  if (c.delegate !== undefined) {
    const d = a.rule?.delegate ?? null;
    const got = d ? d.slice(0, d.indexOf('#')) : null;
    const want = `${c.delegate.namespace ?? a.rule?.source.meta.namespace ?? 'default'}/${c.delegate.name ?? ''}`;
    if (got !== want) diffs.push(`delegate: expected ${want}, got ${got ?? '(none)'}`);
  }
  return diffs;
}

export function runRouteTests(cases: readonly RouteTestCase[], resources: readonly Resource[], profile: SemanticsProfile, options: RouteTestOptions = {}): RouteTestResult[] {
  const all = [...resources, ...standInEntries(resources)];
  const registry = new Registry(all);
  const cp = new ControlPlane({ registry, profile, resources: all }, 1);
  const vss = resources.filter((r): r is VirtualServiceResource => r.kind === 'VirtualService' && (r.spec.hosts ?? []).length > 0).sort((a, b) => a.meta.order - b.meta.order);
  const fixed = options.from ? findPod(registry, options.from) : null;
  const results: RouteTestResult[] = [];
  for (const c of cases) {
    for (const input of expandRequests(c)) {
      const head = requestHead(input);
      const pod = fixed ?? clientPod(owningNamespace(vss, head.host));
      const { explanation, lines } = explainRoute(cp, pod, head);
      const config = cp.configFor(pod);
      // The same lookup the explanation made (a gateway pod routes by its Gateways' listeners, §4).
      const look = lookupForProxy(cp, pod, head).look;
      const route = look.kind === 'route' ? look.route : null;
      const rule = route?.vs ? (cp.prepared.vs.byKey.get(route.vs)?.rules.find((r) => r.index === route.ruleIndex) ?? null) : null;
      const result = lines.find((l) => l.startsWith('result') || l.startsWith('host'))?.replace(/^\w+\s+/, '') ?? 'no route';
      const outcome = explanation.result ? `${explanation.result.code} ${explanation.result.flag}: ${result}` : result;
      const diffs = compare(c, { rule, destinations: explanation.destinations, outcome });
      const reasons: string[] = [];
      let passed: boolean;
      if (c.wantMatch) {
        reasons.push(...diffs);
        // Beyond the tool: a destination Envoy has no cluster for is a 503 NC, whatever the YAML says.
        if (route && route.action.kind === 'forward') {
          for (const d of route.action.destinations) {
            if (config.clusters.has(d.cluster)) continue;
            const why = !registry.service(d.host) ? `host ${d.host} is not in the registry` : `no DestinationRule for ${d.host} defines subset "${d.subset}"`;
            reasons.push(`destination ${d.host}${d.subset ? ` subset ${d.subset}` : ''}: ${why}, so Envoy has no cluster ${d.cluster} and answers 503 ${profile.missingClusterFlag} (cluster_not_found)`);
          }
        }
        passed = reasons.length === 0;
      } else {
        passed = diffs.length > 0;
        if (!passed) reasons.push(`wantMatch: false, but the request gets exactly what the test case states (${explanation.virtualService ?? 'no VirtualService'} rule ${explanation.rule ?? '-'})`);
      }
      results.push({ description: c.description, input, passed, reasons, proxy: explanation.proxy, source: c.source });
    }
  }
  return results;
}
