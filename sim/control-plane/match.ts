/**
 * HTTPMatchRequest → a precompiled request matcher (istio-semantics.md §1.5; istio route.go
 * TranslateRouteMatch). Conditions inside one block are ANDed; the caller ORs blocks.
 *
 * - uri matches the path without the query string; `ignoreUriCase` applies to exact/prefix only.
 * - method, authority and scheme are header matchers on the pseudo-headers (case-sensitive);
 *   authority is the Host as sent, with `:port` unless it is the scheme's default.
 * - headers: `{}` or regex `*` is a presence check; a missing header fails any other check.
 * - withoutHeaders: inverted; a missing header counts as "" for value checks
 *   (Envoy treat_missing_header_as_empty) and as "absent" for presence checks, so it passes unless
 *   the check would accept "".
 * - queryParams: first occurrence of the name, value not URL-decoded; `?key` alone has value "".
 * - `@request.auth.claims.*` keys match JWT claims; meshsim models no JWTs, so such a condition
 *   never holds (and its withoutHeaders form always holds).
 * Config-time selectors (port, sourceLabels, sourceNamespace, gateways) are applied by the caller.
 */
import type { HTTPMatchRequest, StringMatch } from '../config/istio-types.ts';
import { compileStringMatch, describeMatcher, matchString, MatchKind, type StringMatcher } from './string-match.ts';
import { PathMatchKind, type CompiledMatch, type RequestHead } from './types.ts';

interface HeaderCondition {
  name: string;
  matcher: StringMatcher;
  /** withoutHeaders. */
  invert: boolean;
  /** JWT claim condition: no claims are ever present. */
  claim: boolean;
}

interface QueryCondition {
  name: string;
  matcher: StringMatcher;
}

export interface MatchProblem {
  /** Field path under the match block, e.g. "headers.end-user" or "uri". */
  field: string;
  message: string;
  /** true: the regex is invalid (IST0122); false: an informational note about JS regex semantics. */
  invalid: boolean;
}

export type MatchCompile = { ok: true; match: HttpMatcher; notes: MatchProblem[] } | { ok: false; problems: MatchProblem[] };

export class HttpMatcher implements CompiledMatch {
  readonly index: number;
  readonly name: string;
  readonly pathKind: PathMatchKind;
  readonly prefixLength: number;
  readonly catchAll: boolean;
  private readonly path: StringMatcher | null;
  private readonly method: StringMatcher | null;
  private readonly authority: StringMatcher | null;
  private readonly scheme: StringMatcher | null;
  private readonly headers: HeaderCondition[];
  private readonly query: QueryCondition[];

  constructor(
    index: number,
    name: string,
    path: StringMatcher | null,
    method: StringMatcher | null,
    authority: StringMatcher | null,
    scheme: StringMatcher | null,
    headers: HeaderCondition[],
    query: QueryCondition[],
  ) {
    this.index = index;
    this.name = name;
    this.path = path;
    this.method = method;
    this.authority = authority;
    this.scheme = scheme;
    this.headers = headers;
    this.query = query;
    if (!path) {
      this.pathKind = PathMatchKind.None;
      this.prefixLength = 1;
    } else if (path.kind === MatchKind.Prefix) {
      this.pathKind = PathMatchKind.Prefix;
      this.prefixLength = path.value.length;
    } else {
      this.pathKind = path.kind === MatchKind.Exact ? PathMatchKind.Exact : PathMatchKind.Regex;
      this.prefixLength = -1;
    }
    // istio route.go IsCatchAllRoute: prefix "/" or regex ".*" (or no uri), and no header/query conditions.
    const catchAllPath = !path || (path.kind === MatchKind.Prefix && path.value === '/') || (path.kind === MatchKind.Regex && path.value === '.*');
    this.catchAll = catchAllPath && !method && !authority && !scheme && headers.length === 0 && query.length === 0;
  }

  test(req: RequestHead): boolean {
    if (this.path !== null && !matchString(this.path, req.path)) return false;
    if (this.method !== null && !matchString(this.method, req.method)) return false;
    if (this.scheme !== null && !matchString(this.scheme, req.scheme)) return false;
    if (this.authority !== null && !matchString(this.authority, authorityOf(req))) return false;
    const hs = this.headers;
    for (let i = 0; i < hs.length; i++) {
      const h = hs[i];
      const value = h.claim ? undefined : req.headers.get(h.name);
      let ok: boolean;
      if (value === undefined) {
        ok = h.invert && !h.claim && h.matcher.kind !== MatchKind.Present ? matchString(h.matcher, '') : false;
      } else {
        ok = matchString(h.matcher, value);
      }
      if (ok === h.invert) return false;
    }
    const qs = this.query;
    for (let i = 0; i < qs.length; i++) {
      const v = queryParam(req.query, qs[i].name);
      if (v === undefined || !matchString(qs[i].matcher, v)) return false;
    }
    return true;
  }

  describe(): string {
    const parts: string[] = [];
    if (this.path) parts.push(`uri ${describeMatcher(this.path)}`);
    if (this.method) parts.push(`method ${describeMatcher(this.method)}`);
    if (this.authority) parts.push(`authority ${describeMatcher(this.authority)}`);
    if (this.scheme) parts.push(`scheme ${describeMatcher(this.scheme)}`);
    for (const h of this.headers) parts.push(`${h.invert ? 'without header' : 'header'} ${h.name} ${describeMatcher(h.matcher)}`);
    for (const q of this.query) parts.push(`query ${q.name} ${describeMatcher(q.matcher)}`);
    return parts.length === 0 ? 'any request' : parts.join(', ');
  }
}

/** The :authority a client sends: host, plus ":port" unless it is the scheme's default port. */
export function authorityOf(req: RequestHead): string {
  const defaultPort = req.scheme === 'https' ? 443 : 80;
  return req.port === defaultPort ? req.host : `${req.host}:${req.port}`;
}

/** First value of a query parameter in a raw query string, or undefined; "" for `?key` or `?key=`. */
export function queryParam(query: string, name: string): string | undefined {
  if (query.length === 0) return undefined;
  let start = 0;
  while (start <= query.length) {
    let end = query.indexOf('&', start);
    if (end < 0) end = query.length;
    const eq = query.indexOf('=', start);
    const keyEnd = eq >= 0 && eq < end ? eq : end;
    if (keyEnd - start === name.length && query.startsWith(name, start)) {
      return keyEnd === end ? '' : query.slice(keyEnd + 1, end);
    }
    start = end + 1;
  }
  return undefined;
}

const CLAIM_PREFIX = '@request.auth.claims';

/** Compiles one match block; invalid regexes make it fail (the caller drops the rule, IST0122). */
export function compileHttpMatch(m: HTTPMatchRequest, index: number): MatchCompile {
  const problems: MatchProblem[] = [];
  const notes: MatchProblem[] = [];
  const one = (sm: StringMatch | undefined, field: string, allowPresent: boolean, ignoreCase = false): StringMatcher | null => {
    if (!sm) return null;
    const c = compileStringMatch(sm, allowPresent, ignoreCase);
    if (!c.ok) {
      problems.push({ field, message: c.error, invalid: true });
      return null;
    }
    if (c.jsNote) notes.push({ field, message: c.jsNote, invalid: false });
    return c.matcher;
  };
  const path = one(m.uri, 'uri', false, m.ignoreUriCase === true);
  const method = one(m.method, 'method', false);
  const authority = one(m.authority, 'authority', false);
  const scheme = one(m.scheme, 'scheme', false);
  const headers: HeaderCondition[] = [];
  for (const [key, invert] of [['headers', false], ['withoutHeaders', true]] as const) {
    const map = m[key];
    if (!map) continue;
    // Sorted by name like istio does, so evaluation order (and explanations) are stable.
    for (const name of Object.keys(map).sort(byCodeUnit)) {
      // istio ignores these keys under headers; they have their own fields.
      if (!invert && (name === 'uri' || name === 'scheme' || name === 'method' || name === 'authority')) continue;
      const matcher = one(map[name], `${key}.${name}`, true);
      if (matcher) headers.push({ name: name.toLowerCase(), matcher, invert, claim: name.startsWith(CLAIM_PREFIX) });
    }
  }
  const query: QueryCondition[] = [];
  if (m.queryParams) {
    for (const name of Object.keys(m.queryParams).sort(byCodeUnit)) {
      const matcher = one(m.queryParams[name], `queryParams.${name}`, true);
      if (matcher) query.push({ name, matcher });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, match: new HttpMatcher(index, m.name ?? '', path, method, authority, scheme, headers, query), notes };
}

/** A rule without match blocks matches everything. */
export function anyRequestMatcher(): HttpMatcher {
  return new HttpMatcher(-1, '', null, null, null, null, [], []);
}

function byCodeUnit(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
