/**
 * VirtualServices prepared once per config version, independent of any proxy
 * (istio-semantics.md §1.1–1.5, §1.9 delegate, §9.3 diagnostics):
 * - hosts, gateways and destination hosts resolved (§1.2; the `reviews.default` trap noted);
 * - delegates expanded one level (istio mergeHTTPRoute: the delegate's match must sit inside the
 *   root's, unset fields are inherited from the root rule, conflicting delegate rules dropped);
 * - match blocks precompiled; a rule with an invalid regex is dropped (IST0122);
 * - what istiod's webhook would reject (weights) makes the whole VirtualService ignored (IST0106);
 * - rules after a catch-all are reported unreachable (IST0130), duplicates for a host IST0109.
 * Selection for one proxy (gateways, exportTo, most specific host, oldest first) is `candidatesFor`.
 */
import type { HTTPMatchRequest, HTTPRoute } from '../config/istio-types.ts';
import type { DestinationRuleResource, SemanticsProfile, VirtualServiceResource } from '../config/types.ts';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { CP_CODES } from './codes.ts';
import { mergeDelegateRule } from './delegates.ts';
import { hostMatches, hostSpecificity, isExportedTo, MESH_GATEWAY, resolveGatewayName, resolveShortname } from './hosts.ts';
import { compileHttpMatch, type HttpMatcher } from './match.ts';
import { compileRe2, type Re2 } from './re2/index.ts';
import type { Registry } from './registry.ts';
import { checkDuplicates, checkHostInRegistry, checkReachability, checkSubsets, webhookAccepts, type Emit } from './vs-diagnostics.ts';

export interface PreparedMatch {
  raw: HTTPMatchRequest;
  compiled: HttpMatcher;
  /** Gateways of this block after resolution (empty = inherit the VirtualService's). */
  gateways: string[];
}

export interface PreparedRule {
  /** Index in the (delegate-expanded) http list: the "rule" of explanations and traces. */
  index: number;
  http: HTTPRoute;
  name: string;
  /** null: the rule has no match blocks (matches every request). */
  matches: PreparedMatch[] | null;
  /** Namespace that destination short names resolve in. */
  hostNamespace: string;
  /** "ns/name#i" when the rule came from a delegate VirtualService. */
  delegate: string | null;
  uriRegex: Re2 | null;
  /** The resource and field path the rule was written at (the delegate's for delegated rules). */
  source: VirtualServiceResource;
  path: string;
}

export interface PreparedVs {
  res: VirtualServiceResource;
  key: string;
  namespace: string;
  order: number;
  hosts: string[];
  gateways: string[];
  exportTo: string[] | undefined;
  rules: PreparedRule[];
}

export interface PreparedVirtualServices {
  /** Root VirtualServices (with hosts) that survived validation, oldest first. */
  list: PreparedVs[];
  byKey: Map<string, PreparedVs>;
}

export function prepareVirtualServices(
  resources: readonly VirtualServiceResource[],
  drs: readonly DestinationRuleResource[],
  registry: Registry,
  profile: SemanticsProfile,
  diagnostics: Diagnostic[],
): PreparedVirtualServices {
  const emit: Emit = (res, path, code, level, message) => {
    diagnostics.push({
      code,
      level,
      resource: `VirtualService ${res.meta.namespace}/${res.meta.name}`,
      message,
      source: res.meta.positions.get(path) ?? res.meta.source,
      path,
    });
  };
  const sorted = [...resources].sort((a, b) => a.meta.order - b.meta.order);
  const delegates = new Map<string, VirtualServiceResource>();
  for (const r of sorted) if (!r.spec.hosts || r.spec.hosts.length === 0) delegates.set(`${r.meta.namespace}/${r.meta.name}`, r);

  const rejected = new Set<VirtualServiceResource>();
  for (const res of sorted) if (!webhookAccepts(res, profile, emit)) rejected.add(res);
  for (const [k, d] of delegates) if (rejected.has(d)) delegates.delete(k);

  const list: PreparedVs[] = [];
  for (const res of sorted) {
    const spec = res.spec;
    if (!spec.hosts || spec.hosts.length === 0 || rejected.has(res)) continue;
    const ns = res.meta.namespace;
    const hosts = spec.hosts.map((h) => resolveShortname(h, ns));
    const gateways = spec.gateways && spec.gateways.length > 0 ? spec.gateways.map((g) => resolveGatewayName(g, ns)) : [MESH_GATEWAY];
    // Hosts of a gateway-only VirtualService are Host headers at the gateway (§4), not registry names.
    if (gateways.includes(MESH_GATEWAY)) hosts.forEach((h, i) => checkHostInRegistry(res, spec.hosts![i], h, i, registry, emit));
    const rules = expandRules(res, delegates, emit);
    checkSubsets(res, rules, drs, registry, emit);
    checkReachability(rules, emit);
    list.push({ res, key: `${ns}/${res.meta.name}`, namespace: ns, order: res.meta.order, hosts, gateways, exportTo: spec.exportTo, rules });
  }
  checkDuplicates(list, emit);
  return { list, byKey: new Map(list.map((v) => [v.key, v])) };
}

/** Expands delegate rules one level and precompiles match blocks and rewrite regexes. */
function expandRules(res: VirtualServiceResource, delegates: Map<string, VirtualServiceResource>, emit: Emit): PreparedRule[] {
  const out: PreparedRule[] = [];
  const ns = res.meta.namespace;
  // Rule indexes count every rule of the expanded list, dropped ones included, so that without
  // delegates a rule's index is its position in spec.http.
  let next = 0;
  (res.spec.http ?? []).forEach((http, i) => {
    const path = `spec.http[${i}]`;
    if (!http.delegate) {
      const rule = prepareRule(res, http, path, ns, null, next++, emit);
      if (rule) out.push(rule);
      return;
    }
    const dns = http.delegate.namespace ?? ns;
    const dkey = `${dns}/${http.delegate.name ?? ''}`;
    const target = delegates.get(dkey);
    if (!target) {
      emit(res, `${path}.delegate`, CP_CODES.delegate, 'warning', `delegate VirtualService ${dkey} not found (or it has hosts); this rule is ignored`);
      return;
    }
    if (!isExportedTo(target.spec.exportTo, target.meta.namespace, ns)) {
      emit(res, `${path}.delegate`, CP_CODES.delegate, 'warning', `delegate VirtualService ${dkey} is not exported to namespace ${ns}; this rule is ignored`);
      return;
    }
    (target.spec.http ?? []).forEach((sub, j) => {
      if (sub.delegate) return; // one level only (the webhook rejects nested delegation)
      const merged = mergeDelegateRule(http, sub);
      if (!merged) {
        emit(
          target,
          `spec.http[${j}].match`,
          CP_CODES.delegate,
          'warning',
          `match of delegate rule ${j} is not inside the match of ${res.meta.namespace}/${res.meta.name} ${path}; Istio drops this delegate rule`,
        );
        return;
      }
      const rule = prepareRule(target, merged, `spec.http[${j}]`, target.meta.namespace, `${dkey}#${j}`, next++, emit);
      if (rule) out.push(rule);
    });
  });
  return out;
}

function prepareRule(
  res: VirtualServiceResource,
  http: HTTPRoute,
  path: string,
  hostNamespace: string,
  delegate: string | null,
  index: number,
  emit: Emit,
): PreparedRule | null {
  let invalid = false;
  let matches: PreparedMatch[] | null = null;
  if (http.match && http.match.length > 0) {
    matches = [];
    http.match.forEach((m, mi) => {
      const c = compileHttpMatch(m, mi);
      if (!c.ok) {
        for (const p of c.problems) emit(res, `${path}.match[${mi}].${p.field}`, CP_CODES.invalidRegex, 'error', `${p.message}; Envoy would reject it, so this rule is dropped`);
        invalid = true;
        return;
      }
      for (const n of c.notes) emit(res, `${path}.match[${mi}].${n.field}`, CP_CODES.regexDiffersFromJs, 'info', `RE2 vs JavaScript: ${n.message}`);
      const ns = res.meta.namespace;
      matches!.push({ raw: m, compiled: c.match, gateways: (m.gateways ?? []).map((g) => resolveGatewayName(g, ns)) });
    });
  }
  let uriRegex: Re2 | null = null;
  const rr = http.rewrite?.uriRegexRewrite;
  if (rr?.match !== undefined) {
    const c = compileRe2(rr.match);
    if (!c.ok) {
      emit(res, `${path}.rewrite.uriRegexRewrite.match`, CP_CODES.invalidRegex, 'error', `regex "${rr.match}" is not valid RE2: ${c.error}; this rule is dropped`);
      invalid = true;
    } else {
      uriRegex = c.regex;
      const problem = c.regex.checkRewrite(rr.rewrite ?? '');
      if (problem) emit(res, `${path}.rewrite.uriRegexRewrite.rewrite`, CP_CODES.invalidRegex, 'warning', problem);
    }
  }
  if (invalid) return null;
  return { index, http, name: http.name ?? '', matches, hostNamespace, delegate, uriRegex, source: res, path };
}

/**
 * VirtualServices that may apply to `fqdn` for a sidecar in `clientNs`, best first: bound to the
 * mesh gateway, exported to the client's namespace, most specific matching host, then oldest.
 * The caller takes the first that yields routes for the port (istio builds no virtual host for a
 * VirtualService without routes, so the next one — or the default route — applies).
 */
export function candidatesFor(prepared: PreparedVirtualServices, fqdn: string, clientNs: string, gateway: string = MESH_GATEWAY): PreparedVs[] {
  const scored: { vs: PreparedVs; score: number }[] = [];
  for (const vs of prepared.list) {
    if (!vs.gateways.includes(gateway)) continue;
    if (!isExportedTo(vs.exportTo, vs.namespace, clientNs)) continue;
    let best = -1;
    for (const h of vs.hosts) if (hostMatches(h, fqdn)) best = Math.max(best, hostSpecificity(h));
    if (best >= 0) scored.push({ vs, score: best });
  }
  scored.sort((a, b) => b.score - a.score || a.vs.order - b.vs.order);
  return scored.map((s) => s.vs);
}
