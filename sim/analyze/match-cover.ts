/**
 * "Does match block A win every request that match block B would win?" — the test behind
 * IST0131 (VirtualServiceIneffectiveMatch). Conservative on purpose: it answers yes only when
 * every condition of A is implied by a condition of B on the same field, so a finding is never a
 * guess. Regexes imply only themselves (comparing RE2 languages is out of scope).
 */
import type { HTTPMatchRequest, StringMatch } from '../config/istio-types.ts';

/** Does string match `a` accept every value `b` accepts? */
function stringCovers(a: StringMatch, b: StringMatch, ignoreCase = false): boolean {
  const norm = (s: string): string => (ignoreCase ? s.toLowerCase() : s);
  if (a.exact !== undefined) return b.exact !== undefined && norm(a.exact) === norm(b.exact);
  if (a.prefix !== undefined) {
    const p = norm(a.prefix);
    if (b.exact !== undefined) return norm(b.exact).startsWith(p);
    if (b.prefix !== undefined) return norm(b.prefix).startsWith(p);
    return false;
  }
  if (a.regex !== undefined) return a.regex === '.*' || (b.regex !== undefined && a.regex === b.regex);
  // An empty StringMatch is a presence check on headers: any value of b satisfies it.
  return true;
}

function mapCovers(a: Record<string, StringMatch> | undefined, b: Record<string, StringMatch> | undefined): boolean {
  for (const [k, am] of Object.entries(a ?? {})) {
    const bm = b?.[k];
    if (bm === undefined || !stringCovers(am, bm)) return false;
  }
  return true;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/** Same key set, same matchers: withoutHeaders narrows by exclusion, so only equality is safe. */
function sameMap(a: Record<string, StringMatch> | undefined, b: Record<string, StringMatch> | undefined): boolean {
  const ka = Object.keys(a ?? {}).sort();
  const kb = Object.keys(b ?? {}).sort();
  return sameJson(ka, kb) && ka.every((k) => sameJson(a![k], b![k]));
}

export function matchCovers(a: HTTPMatchRequest, b: HTTPMatchRequest): boolean {
  // Config-time selectors decide which proxies get the route at all; they must agree exactly.
  if (!sameJson(a.sourceLabels, b.sourceLabels) || (a.sourceNamespace ?? '') !== (b.sourceNamespace ?? '')) return false;
  if (!sameJson(a.gateways, b.gateways) || (a.port ?? 0) !== (b.port ?? 0)) return false;
  if (!sameMap(a.withoutHeaders, b.withoutHeaders)) return false;
  if (a.uri) {
    if (!b.uri) return false;
    // ignoreUriCase on A widens it: B must then be compared case-insensitively; the reverse is unsafe.
    if (b.ignoreUriCase && !a.ignoreUriCase) return false;
    if (!stringCovers(a.uri, b.uri, Boolean(a.ignoreUriCase))) return false;
  }
  for (const f of ['scheme', 'method', 'authority'] as const) {
    const am = a[f];
    if (am && (!b[f] || !stringCovers(am, b[f]!))) return false;
  }
  return mapCovers(a.headers, b.headers) && mapCovers(a.queryParams, b.queryParams);
}

/** A block that asks for nothing at all: IST0130 already reports what follows it. */
export function isUnconditional(m: HTTPMatchRequest): boolean {
  return !m.uri && !m.scheme && !m.method && !m.authority && !m.headers && !m.queryParams && !m.withoutHeaders && !m.port && !m.sourceLabels && !m.sourceNamespace && !m.gateways;
}
