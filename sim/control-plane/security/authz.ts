/**
 * AuthorizationPolicy compiled to predicates (istio-semantics.md §5.2). Compilation happens once
 * per config version; the data plane only runs the closures.
 *
 * - String values match exact `abc`, prefix `abc*`, suffix `*abc`, presence `*` (non-empty).
 * - A source matches when every field it sets matches (positive list: any entry; `not` list: none).
 *   A rule matches when ≥1 `from` source AND ≥1 `to` operation AND every `when` condition match;
 *   absent `from`/`to`/`when` constrain nothing; an absent rule list never matches.
 * - Evaluation at the server proxy: CUSTOM → DENY → no ALLOW policy ⇒ allow → any ALLOW ⇒ allow
 *   → deny. AUDIT never changes the decision.
 * - CUSTOM is an external decision. meshsim models the provider as Istio's sample ext-authz server
 *   (samples/extauthz): it allows a request carrying `x-ext-authz: allow` and denies the rest
 *   (403, flag UAEX).
 */
import type { AuthorizationPolicyResource, AuthzCondition, AuthzOperation, AuthzRule, AuthzSource } from '../../config/security-schema.ts';

/** What an inbound request looks like to the RBAC filter. Header names are lower case. */
export interface AuthzRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  /** Host (authority) without port. */
  host: string;
  /** Workload (container) port the request arrived on. */
  port: number;
  headers: ReadonlyMap<string, string>;
  /** Peer principal "cluster.local/ns/NS/sa/SA"; "" for plaintext. */
  principal: string;
  /** Peer namespace; "" for plaintext. */
  namespace: string;
  sourceIp: string;
  destinationIp: string;
  /** "<iss>/<sub>" of a validated JWT; "" when none. */
  requestPrincipal: string;
  /** Claims of the validated JWT (values as strings or string lists); null when none. */
  claims: Readonly<Record<string, unknown>> | null;
}

export type AuthzPredicate = (r: AuthzRequest) => boolean;

export interface CompiledPolicy {
  /** "ns/name" */
  key: string;
  action: 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';
  provider: string;
  /** Some rule matches; a policy without rules never matches. */
  matches: AuthzPredicate;
}

/** Policies in force for one workload, split by action and in creation order. */
export interface WorkloadAuthz {
  custom: CompiledPolicy[];
  deny: CompiledPolicy[];
  allow: CompiledPolicy[];
  audit: CompiledPolicy[];
}

export interface AuthzDecision {
  allowed: boolean;
  /** "ns/name" of the policy that decided, or null (default allow, or deny for lack of an ALLOW match). */
  policy: string | null;
  /** Which step of §5.2 decided. */
  reason: 'custom-deny' | 'deny' | 'no-allow-policies' | 'allow' | 'no-allow-match';
  /** Envoy response flag: UAEX for CUSTOM denials, "-" otherwise. */
  flag: string;
}

const ALLOW_NONE: AuthzDecision = { allowed: true, policy: null, reason: 'no-allow-policies', flag: '-' };
const DENY_DEFAULT: AuthzDecision = { allowed: false, policy: null, reason: 'no-allow-match', flag: '-' };

/** The §5.2 evaluation order. `null` authz = no policy applies to the workload. */
export function evaluateAuthz(authz: WorkloadAuthz | null, r: AuthzRequest): AuthzDecision {
  if (authz === null) return ALLOW_NONE;
  for (const p of authz.custom) {
    if (p.matches(r) && r.headers.get('x-ext-authz') !== 'allow') return { allowed: false, policy: p.key, reason: 'custom-deny', flag: 'UAEX' };
  }
  for (const p of authz.deny) if (p.matches(r)) return { allowed: false, policy: p.key, reason: 'deny', flag: '-' };
  if (authz.allow.length === 0) return ALLOW_NONE;
  for (const p of authz.allow) if (p.matches(r)) return { allowed: true, policy: p.key, reason: 'allow', flag: '-' };
  return DENY_DEFAULT;
}

// ---- Compilation ---------------------------------------------------------------------------------

export type AuthzProblem = (path: string, message: string) => void;

const NEVER: AuthzPredicate = () => false;
const ALWAYS: AuthzPredicate = () => true;

export function compilePolicy(p: AuthorizationPolicyResource, problem: AuthzProblem): CompiledPolicy {
  const rules = p.spec.rules;
  const key = `${p.meta.namespace}/${p.meta.name}`;
  const action = p.spec.action ?? 'ALLOW';
  let matches: AuthzPredicate = NEVER;
  if (rules && rules.length > 0) {
    const compiled = rules.map((r, i) => compileRule(r, `spec.rules[${i}]`, problem));
    matches = compiled.length === 1 ? compiled[0] : (req) => compiled.some((m) => m(req));
  }
  return { key, action, provider: p.spec.provider?.name ?? '', matches };
}

function compileRule(rule: AuthzRule, path: string, problem: AuthzProblem): AuthzPredicate {
  const parts: AuthzPredicate[] = [];
  if (rule.from && rule.from.length > 0) {
    const sources = rule.from.map((f) => (f.source ? compileSource(f.source) : ALWAYS));
    parts.push((r) => sources.some((s) => s(r)));
  }
  if (rule.to && rule.to.length > 0) {
    const ops = rule.to.map((t) => (t.operation ? compileOperation(t.operation) : ALWAYS));
    parts.push((r) => ops.some((o) => o(r)));
  }
  (rule.when ?? []).forEach((c, i) => parts.push(compileCondition(c, `${path}.when[${i}]`, problem)));
  return all(parts);
}

function all(parts: AuthzPredicate[]): AuthzPredicate {
  if (parts.length === 0) return ALWAYS;
  if (parts.length === 1) return parts[0];
  return (r) => {
    for (const p of parts) if (!p(r)) return false;
    return true;
  };
}

/** Positive list (any matches) and negative list (none matches) over one attribute. */
function field(values: string[] | undefined, notValues: string[] | undefined, get: (r: AuthzRequest) => string, match: (pattern: string) => (v: string) => boolean = stringMatcher): AuthzPredicate | null {
  if (!values && !notValues) return null;
  const pos = values ? values.map(match) : null;
  const neg = notValues ? notValues.map(match) : null;
  return (r) => {
    const v = get(r);
    if (pos && !pos.some((m) => m(v))) return false;
    if (neg && neg.some((m) => m(v))) return false;
    return true;
  };
}

function compileSource(s: AuthzSource): AuthzPredicate {
  const parts: (AuthzPredicate | null)[] = [
    field(s.principals, s.notPrincipals, (r) => r.principal, principalMatcher),
    field(s.requestPrincipals, s.notRequestPrincipals, (r) => r.requestPrincipal),
    field(s.namespaces, s.notNamespaces, (r) => r.namespace),
    field(
      s.serviceAccounts?.map(saPrincipal),
      s.notServiceAccounts?.map(saPrincipal),
      (r) => r.principal,
      (p) => (v) => v !== '' && v.endsWith(p),
    ),
    field(s.ipBlocks, s.notIpBlocks, (r) => r.sourceIp, cidrMatcher),
    // No proxy protocol / XFF in the simulation: the remote address is the peer address.
    field(s.remoteIpBlocks, s.notRemoteIpBlocks, (r) => r.sourceIp, cidrMatcher),
  ];
  return all(parts.filter((p): p is AuthzPredicate => p !== null));
}

function saPrincipal(sa: string): string {
  const [ns, name] = sa.split('/');
  return `/ns/${ns}/sa/${name}`;
}

function compileOperation(o: AuthzOperation): AuthzPredicate {
  const lower = (xs: string[] | undefined) => xs?.map((x) => x.toLowerCase());
  const parts: (AuthzPredicate | null)[] = [
    field(lower(o.hosts), lower(o.notHosts), (r) => r.host.toLowerCase(), hostMatcher),
    field(o.ports, o.notPorts, (r) => String(r.port), (p) => (v) => v === p),
    field(o.methods, o.notMethods, (r) => r.method),
    field(o.paths, o.notPaths, (r) => r.path, pathMatcher),
  ];
  return all(parts.filter((p): p is AuthzPredicate => p !== null));
}

function compileCondition(c: AuthzCondition, path: string, problem: AuthzProblem): AuthzPredicate {
  const get = conditionGetter(c.key);
  if (!get) {
    problem(`${path}.key`, `condition key '${c.key}' is not supported; the condition never matches`);
    return NEVER;
  }
  const match = c.key === 'source.ip' || c.key === 'remote.ip' || c.key === 'destination.ip' ? cidrMatcher : stringMatcher;
  const pos = c.values ? c.values.map(match) : null;
  const neg = c.notValues ? c.notValues.map(match) : null;
  return (r) => {
    const vs = get(r);
    if (pos && !vs.some((v) => pos.some((m) => m(v)))) return false;
    if (neg && vs.some((v) => neg.some((m) => m(v)))) return false;
    return true;
  };
}

const EMPTY: string[] = [];

function conditionGetter(key: string): ((r: AuthzRequest) => string[]) | null {
  const header = /^request\.headers\[([^\]]+)\]$/.exec(key);
  if (header) {
    const name = header[1].toLowerCase();
    return (r) => {
      const v = r.headers.get(name);
      return v === undefined ? EMPTY : [v];
    };
  }
  const claim = /^request\.auth\.claims((?:\[[^\]]+\])+)$/.exec(key);
  if (claim) {
    const names = claim[1].slice(1, -1).split('][');
    return (r) => claimValues(r.claims, names);
  }
  switch (key) {
    case 'source.ip':
    case 'remote.ip':
      return (r) => [r.sourceIp];
    case 'source.namespace':
      return (r) => (r.namespace ? [r.namespace] : EMPTY);
    case 'source.principal':
      return (r) => (r.principal ? [r.principal] : EMPTY);
    case 'request.auth.principal':
      return (r) => (r.requestPrincipal ? [r.requestPrincipal] : EMPTY);
    case 'request.auth.audiences':
      return (r) => claimValues(r.claims, ['aud']);
    case 'request.auth.presenter':
      return (r) => claimValues(r.claims, ['azp']);
    case 'destination.ip':
      return (r) => [r.destinationIp];
    case 'destination.port':
      return (r) => [String(r.port)];
    case 'connection.sni':
      return () => EMPTY;
    default:
      return null;
  }
}

/** A claim (possibly nested) as a list of strings; lists give one value per element. */
export function claimValues(claims: Readonly<Record<string, unknown>> | null, names: readonly string[]): string[] {
  let v: unknown = claims;
  for (const n of names) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return EMPTY;
    v = (v as Record<string, unknown>)[n];
  }
  if (typeof v === 'string') return [v];
  if (typeof v === 'number' || typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) return v.filter((x): x is string | number => typeof x === 'string' || typeof x === 'number').map(String);
  return EMPTY;
}

// ---- String forms --------------------------------------------------------------------------------

/** exact `abc`, prefix `abc*`, suffix `*abc`, presence `*` (§5.2). */
export function stringMatcher(pattern: string): (v: string) => boolean {
  if (pattern === '*') return (v) => v !== '';
  if (pattern.endsWith('*')) {
    const p = pattern.slice(0, -1);
    return (v) => v.startsWith(p);
  }
  if (pattern.startsWith('*')) {
    const p = pattern.slice(1);
    return (v) => v.endsWith(p);
  }
  return (v) => v === pattern;
}

/** Principals may be written with the `spiffe://` prefix. */
function principalMatcher(pattern: string): (v: string) => boolean {
  return stringMatcher(pattern.startsWith('spiffe://') ? pattern.slice('spiffe://'.length) : pattern);
}

/** Hosts match the authority with or without its port. */
function hostMatcher(pattern: string): (v: string) => boolean {
  const m = stringMatcher(pattern);
  return (v) => m(v);
}

/** Paths: the string forms plus `{*}` (one segment) and `{**}` (the rest) templates. */
export function pathMatcher(pattern: string): (v: string) => boolean {
  if (!pattern.includes('{*')) return stringMatcher(pattern);
  const segs = pattern.split('/');
  return (v) => {
    const parts = v.split('/');
    for (let i = 0; i < segs.length; i++) {
      const s = segs[i];
      if (s === '{**}') return i < parts.length && parts.slice(i).join('/') !== '';
      if (i >= parts.length) return false;
      if (s === '{*}') {
        if (parts[i] === '') return false;
      } else if (s !== parts[i]) return false;
    }
    return parts.length === segs.length;
  };
}

/** IPv4 CIDR or single address. */
export function cidrMatcher(pattern: string): (v: string) => boolean {
  const slash = pattern.indexOf('/');
  const base = ipv4(slash < 0 ? pattern : pattern.slice(0, slash));
  const bits = slash < 0 ? 32 : Number(pattern.slice(slash + 1));
  if (base === null || !Number.isInteger(bits) || bits < 0 || bits > 32) return () => false;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return (v) => {
    const ip = ipv4(v);
    return ip !== null && ((ip & mask) >>> 0) === ((base & mask) >>> 0);
  };
}

function ipv4(s: string): number | null {
  const parts = s.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const x = Number(p);
    if (x > 255) return null;
    n = n * 256 + x;
  }
  return n >>> 0;
}
