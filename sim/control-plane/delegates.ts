/**
 * Delegate VirtualServices, one level (istio-semantics.md §1.9; istio/istio pilot/pkg/model
 * virtualservice.go mergeHTTPRoute): each delegate rule is merged into the root rule that
 * delegates to it. Its match must lie inside one of the root's match blocks (else Istio drops the
 * delegate rule); the merged block combines both; fields the delegate leaves unset (timeout,
 * retries, fault, mirror, rewrite, headers, …) are inherited from the root rule.
 */
import type { HTTPMatchRequest, HTTPRoute, StringMatch } from '../config/istio-types.ts';

/** istio mergeHTTPRoute: null when the delegate's match conflicts with the root's. */
export function mergeDelegateRule(root: HTTPRoute, sub: HTTPRoute): HTTPRoute | null {
  const matches = mergeMatches(root.match ?? [], sub.match ?? []);
  if (matches === null) return null;
  const name = sub.name ? (root.name ? `${root.name}-${sub.name}` : sub.name) : root.name;
  return {
    ...sub,
    name,
    match: matches.length > 0 ? matches : undefined,
    rewrite: sub.rewrite ?? root.rewrite,
    directResponse: sub.directResponse ?? root.directResponse,
    timeout: sub.timeout ?? root.timeout,
    retries: sub.retries ?? root.retries,
    fault: sub.fault ?? root.fault,
    mirror: sub.mirror ?? root.mirror,
    mirrorPercent: sub.mirrorPercent ?? root.mirrorPercent,
    mirrorPercentage: sub.mirrorPercentage ?? root.mirrorPercentage,
    corsPolicy: sub.corsPolicy ?? root.corsPolicy,
    mirrors: sub.mirrors ?? root.mirrors,
    headers: sub.headers ?? root.headers,
  };
}

function mergeMatches(root: HTTPMatchRequest[], leaf: HTTPMatchRequest[]): HTTPMatchRequest[] | null {
  if (root.length === 0) return leaf;
  if (leaf.length === 0) return root;
  const out: HTTPMatchRequest[] = [];
  for (const sub of leaf) {
    let found = false;
    for (const r of root) {
      if (matchConflict(r, sub)) continue;
      out.push(mergeMatch(r, sub));
      found = true;
    }
    if (!found) return null;
  }
  return out.length === 0 ? null : out;
}

function mergeMatch(root: HTTPMatchRequest, sub: HTTPMatchRequest): HTTPMatchRequest {
  return {
    ...sub,
    name: sub.name ? (root.name ? `${root.name}-${sub.name}` : sub.name) : root.name,
    uri: sub.uri ?? root.uri,
    scheme: sub.scheme ?? root.scheme,
    method: sub.method ?? root.method,
    authority: sub.authority ?? root.authority,
    headers: root.headers || sub.headers ? { ...root.headers, ...sub.headers } : undefined,
    withoutHeaders: root.withoutHeaders || sub.withoutHeaders ? { ...root.withoutHeaders, ...sub.withoutHeaders } : undefined,
    queryParams: root.queryParams || sub.queryParams ? { ...root.queryParams, ...sub.queryParams } : undefined,
    port: sub.port ?? root.port,
    sourceLabels: root.sourceLabels || sub.sourceLabels ? { ...root.sourceLabels, ...sub.sourceLabels } : undefined,
    sourceNamespace: sub.sourceNamespace ?? root.sourceNamespace,
    gateways: sub.gateways && sub.gateways.length > 0 ? sub.gateways : root.gateways,
  };
}

function matchConflict(root: HTTPMatchRequest, leaf: HTTPMatchRequest): boolean {
  const pairs: [StringMatch | undefined, StringMatch | undefined][] = [
    [root.uri, leaf.uri],
    [root.scheme, leaf.scheme],
    [root.method, leaf.method],
    [root.authority, leaf.authority],
  ];
  for (const [r, l] of pairs) if (stringMatchConflict(r, l)) return true;
  for (const [k, v] of Object.entries(leaf.headers ?? {})) if (stringMatchConflict(root.headers?.[k], v)) return true;
  for (const [k, v] of Object.entries(leaf.withoutHeaders ?? {})) if (stringMatchConflict(root.withoutHeaders?.[k], v)) return true;
  for (const [k, v] of Object.entries(leaf.queryParams ?? {})) if (stringMatchConflict(root.queryParams?.[k], v)) return true;
  if ((root.ignoreUriCase ?? false) !== (leaf.ignoreUriCase ?? false)) return true;
  if (root.port && leaf.port && root.port !== leaf.port) return true;
  if (root.sourceNamespace && leaf.sourceNamespace !== root.sourceNamespace) return true;
  for (const [k, v] of Object.entries(leaf.sourceLabels ?? {})) if (root.sourceLabels?.[k] !== undefined && root.sourceLabels[k] !== v) return true;
  if (root.gateways?.length && leaf.gateways?.length) {
    if (root.gateways.length < leaf.gateways.length) return true;
    for (const g of leaf.gateways) if (!root.gateways.includes(g)) return true;
  }
  return false;
}

/** istio stringMatchConflict: the delegate's condition must be a subset of the root's. */
function stringMatchConflict(root: StringMatch | undefined, leaf: StringMatch | undefined): boolean {
  if (!root || !leaf) return false;
  if (root.regex) return !!(leaf.regex || leaf.prefix || leaf.exact);
  if (leaf.regex) return !!(root.regex || root.prefix || root.exact);
  if (root.exact) return !!leaf.prefix || leaf.exact !== root.exact;
  if (root.prefix) {
    if (leaf.prefix) return !leaf.prefix.startsWith(root.prefix);
    if (leaf.exact) return !leaf.exact.startsWith(root.prefix);
  }
  return true;
}
