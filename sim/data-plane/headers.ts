/**
 * What the client sidecar does to the request head before it goes upstream, and what a redirect
 * answers (istio-semantics.md §1.4, §1.9):
 * - header operations: route level, then destination level (a destination `set` wins); within a
 *   level Envoy removes first, then sets, then appends (`add` joins with ",");
 * - `rewrite.uri` replaces the part of the path the route matched (the prefix for prefix matches,
 *   the whole path otherwise; "/" when the rule had no uri condition); `uriRegexRewrite` is an RE2
 *   global replace; the original path travels in `x-envoy-original-path`;
 * - host rewrite from `rewrite.authority` or a `:authority`/`host` header set.
 * Only called for routes that have such operations, so the common path allocates nothing here.
 */
import { authorityOf } from '../control-plane/match.ts';
import { PathMatchKind, type CompiledMatch, type CompiledRoute, type HeaderOps, type RequestHead, type RouteAction, type WeightedCluster } from '../control-plane/types.ts';

export function needsUpstreamHead(route: CompiledRoute, dest: WeightedCluster): boolean {
  return route.rewrite !== null || route.requestHeaders !== null || !!dest.requestHeaders || !!dest.authority;
}

export function applyHeaderOps(headers: Map<string, string>, ops: HeaderOps): void {
  for (let i = 0; i < ops.remove.length; i++) headers.delete(ops.remove[i]);
  for (let i = 0; i < ops.set.length; i++) headers.set(ops.set[i][0], ops.set[i][1]);
  for (let i = 0; i < ops.add.length; i++) {
    const [k, v] = ops.add[i];
    const old = headers.get(k);
    headers.set(k, old === undefined ? v : `${old},${v}`);
  }
}

/** The path after `rewrite` for the block that matched. */
export function rewritePath(path: string, route: CompiledRoute, matched: CompiledMatch | null): string {
  const rw = route.rewrite;
  if (!rw) return path;
  if (rw.regex && rw.regexRewrite !== null) return rw.regex.replaceAll(path, rw.regexRewrite);
  if (rw.uri === null) return path;
  const kind = matched ? matched.pathKind : PathMatchKind.None;
  if (kind === PathMatchKind.Prefix) return rw.uri + path.slice(matched!.prefixLength);
  if (kind === PathMatchKind.None) return rw.uri + path.slice(1);
  return rw.uri;
}

/** A copy of `head` as the upstream receives it. */
export function buildUpstreamHead(head: RequestHead, route: CompiledRoute, matched: CompiledMatch | null, dest: WeightedCluster): RequestHead {
  const headers = new Map(head.headers);
  if (route.requestHeaders) applyHeaderOps(headers, route.requestHeaders);
  if (dest.requestHeaders) applyHeaderOps(headers, dest.requestHeaders);
  let host = head.host;
  const authority = route.rewrite?.authority ?? dest.authority ?? null;
  if (authority) host = stripPort(authority);
  const path = rewritePath(head.path, route, matched);
  if (path !== head.path) headers.set('x-envoy-original-path', head.path);
  return { method: head.method, scheme: head.scheme, host, port: head.port, path, query: head.query, headers };
}

function stripPort(authority: string): string {
  const colon = authority.lastIndexOf(':');
  return colon > 0 && /^\d+$/.test(authority.slice(colon + 1)) ? authority.slice(0, colon) : authority;
}

/** The `location` a redirect route answers with (Envoy RedirectAction). */
export function redirectLocation(action: Extract<RouteAction, { kind: 'redirect' }>, head: RequestHead, matched: CompiledMatch | null): string {
  const scheme = action.scheme ?? head.scheme;
  let authority = action.authority ?? stripPort(authorityOf(head));
  if (action.port === null) {
    // Keep the request's port unless the scheme changed (Envoy drops it when switching scheme).
    const reqDefault = head.scheme === 'https' ? 443 : 80;
    if (action.authority === null && action.scheme === null && head.port !== reqDefault) authority = `${authority}:${head.port}`;
  } else if (action.port > 0) {
    authority = `${stripPort(authority)}:${action.port}`;
  }
  let path = head.path;
  if (action.uri !== null) path = action.uri;
  else if (action.prefixRewrite !== null && matched && matched.pathKind === PathMatchKind.Prefix) path = action.prefixRewrite + head.path.slice(matched.prefixLength);
  const query = head.query ? `?${head.query}` : '';
  return `${scheme}://${authority}${path}${query}`;
}
