/**
 * AuthorizationPolicy semantics (istio-semantics.md §5.2): the evaluation order, the canonical
 * shapes, the string forms and the `from`/`to`/`when` fields, table-driven.
 */
import { describe, expect, it } from 'vitest';
import type { AuthorizationPolicySpec } from '../../sim/config/security-schema.ts';
import type { AuthorizationPolicyResource } from '../../sim/config/types.ts';
import { cidrMatcher, compilePolicy, evaluateAuthz, pathMatcher, stringMatcher, type AuthzRequest, type WorkloadAuthz } from '../../sim/control-plane/security/authz.ts';

let order = 0;
function ap(name: string, spec: AuthorizationPolicySpec, ns = 'default'): AuthorizationPolicyResource {
  return {
    kind: 'AuthorizationPolicy',
    meta: { kind: 'AuthorizationPolicy', apiVersion: 'security.istio.io/v1', name, namespace: ns, labels: {}, annotations: {}, source: { file: '<test>', line: 1, col: 1 }, order: order++, positions: new Map() },
    spec,
  };
}

function workload(...policies: AuthorizationPolicyResource[]): WorkloadAuthz {
  const w: WorkloadAuthz = { custom: [], deny: [], allow: [], audit: [] };
  for (const p of policies) {
    const c = compilePolicy(p, (path, message) => {
      throw new Error(`${path}: ${message}`);
    });
    ({ CUSTOM: w.custom, DENY: w.deny, AUDIT: w.audit, ALLOW: w.allow })[c.action].push(c);
  }
  return w;
}

const PP = 'cluster.local/ns/default/sa/bookinfo-productpage';

function req(over: Partial<AuthzRequest> = {}, headers: Record<string, string> = {}): AuthzRequest {
  return {
    method: 'GET',
    path: '/details/0',
    host: 'details',
    port: 9080,
    headers: new Map(Object.entries(headers)),
    principal: PP,
    namespace: 'default',
    sourceIp: '10.244.0.2',
    destinationIp: '10.244.0.3',
    requestPrincipal: '',
    claims: null,
    ...over,
  };
}

const allowAll = () => ap('allow-all', { action: 'ALLOW', rules: [{}] });
const denyAll = () => ap('deny-all', { action: 'DENY', rules: [{}] });
const allowNothing = () => ap('allow-nothing', {});
const allowGet = () => ap('allow-get', { rules: [{ to: [{ operation: { methods: ['GET'] } }] }] });
const denyPost = () => ap('deny-post', { action: 'DENY', rules: [{ to: [{ operation: { methods: ['POST'] } }] }] });
const audit = () => ap('audit-all', { action: 'AUDIT', rules: [{}] });
const custom = () => ap('ext', { action: 'CUSTOM', provider: { name: 'sample-ext-authz' }, rules: [{ to: [{ operation: { paths: ['/headers'] } }] }] });

describe('AuthorizationPolicy evaluation order (§5.2: CUSTOM → DENY → no ALLOW ⇒ allow → ALLOW match ⇒ allow → deny)', () => {
  const rows: { rule: string; policies: () => AuthorizationPolicyResource[]; request: AuthzRequest; allowed: boolean; reason: string; flag?: string }[] = [
    { rule: 'no policy at all ⇒ allow', policies: () => [], request: req(), allowed: true, reason: 'no-allow-policies' },
    { rule: '1. CUSTOM matching and the provider denies ⇒ deny (403 UAEX)', policies: () => [custom(), allowAll()], request: req({ path: '/headers' }), allowed: false, reason: 'custom-deny', flag: 'UAEX' },
    { rule: '1. CUSTOM matching and the provider allows (x-ext-authz: allow) ⇒ go on', policies: () => [custom()], request: req({ path: '/headers' }, { 'x-ext-authz': 'allow' }), allowed: true, reason: 'no-allow-policies' },
    { rule: '1. CUSTOM not matching ⇒ not asked', policies: () => [custom()], request: req({ path: '/ip' }), allowed: true, reason: 'no-allow-policies' },
    { rule: '2. DENY matching ⇒ deny', policies: () => [denyPost()], request: req({ method: 'POST' }), allowed: false, reason: 'deny' },
    { rule: '2. DENY beats a matching ALLOW', policies: () => [allowAll(), denyAll()], request: req(), allowed: false, reason: 'deny' },
    { rule: '2. DENY not matching, no ALLOW ⇒ allow', policies: () => [denyPost()], request: req(), allowed: true, reason: 'no-allow-policies' },
    { rule: '3. only AUDIT policies ⇒ allow (AUDIT never decides)', policies: () => [audit()], request: req(), allowed: true, reason: 'no-allow-policies' },
    { rule: '4. an ALLOW matches ⇒ allow', policies: () => [allowGet()], request: req(), allowed: true, reason: 'allow' },
    { rule: '4. any of several ALLOWs matching ⇒ allow', policies: () => [allowNothing(), allowGet()], request: req(), allowed: true, reason: 'allow' },
    { rule: '5. ALLOW policies exist, none matches ⇒ deny', policies: () => [allowGet()], request: req({ method: 'DELETE' }), allowed: false, reason: 'no-allow-match' },
    { rule: 'allow-nothing `spec: {}` ⇒ deny everything', policies: () => [allowNothing()], request: req(), allowed: false, reason: 'no-allow-match' },
    { rule: 'deny-all `action: DENY, rules: [{}]` beats allow-all', policies: () => [denyAll(), allowAll()], request: req(), allowed: false, reason: 'deny' },
    { rule: 'allow-all `rules: [{}]` ⇒ allow', policies: () => [allowAll()], request: req(), allowed: true, reason: 'allow' },
    { rule: 'AUDIT matching next to allow-nothing does not allow', policies: () => [audit(), allowNothing()], request: req(), allowed: false, reason: 'no-allow-match' },
  ];
  it.each(rows)('$rule', ({ policies, request, allowed, reason, flag }) => {
    const ps = policies();
    const d = evaluateAuthz(ps.length === 0 ? null : workload(...ps), request);
    expect(d.allowed).toBe(allowed);
    expect(d.reason).toBe(reason);
    expect(d.flag).toBe(flag ?? '-');
  });
});

describe('AuthorizationPolicy fields (§5.2)', () => {
  const cases: { field: string; spec: AuthorizationPolicySpec; yes: AuthzRequest; no: AuthzRequest }[] = [
    { field: 'principals exact', spec: { rules: [{ from: [{ source: { principals: [PP] } }] }] }, yes: req(), no: req({ principal: 'cluster.local/ns/default/sa/other' }) },
    { field: 'principals need mTLS (plaintext has none)', spec: { rules: [{ from: [{ source: { principals: ['*'] } }] }] }, yes: req(), no: req({ principal: '', namespace: '' }) },
    { field: 'notPrincipals', spec: { rules: [{ from: [{ source: { notPrincipals: ['*/sa/sleep'] } }] }] }, yes: req(), no: req({ principal: 'cluster.local/ns/foo/sa/sleep' }) },
    { field: 'namespaces', spec: { rules: [{ from: [{ source: { namespaces: ['default'] } }] }] }, yes: req(), no: req({ namespace: 'foo', principal: 'cluster.local/ns/foo/sa/x' }) },
    { field: 'notNamespaces', spec: { rules: [{ from: [{ source: { notNamespaces: ['foo'] } }] }] }, yes: req(), no: req({ namespace: 'foo' }) },
    { field: 'serviceAccounts ns/name', spec: { rules: [{ from: [{ source: { serviceAccounts: ['default/bookinfo-productpage'] } }] }] }, yes: req(), no: req({ principal: 'cluster.local/ns/foo/sa/bookinfo-productpage' }) },
    { field: 'ipBlocks CIDR', spec: { rules: [{ from: [{ source: { ipBlocks: ['10.244.0.0/16'] } }] }] }, yes: req(), no: req({ sourceIp: '192.168.1.1' }) },
    { field: 'notIpBlocks', spec: { rules: [{ from: [{ source: { notIpBlocks: ['10.244.0.2'] } }] }] }, yes: req({ sourceIp: '10.244.0.9' }), no: req() },
    { field: 'requestPrincipals presence *', spec: { rules: [{ from: [{ source: { requestPrincipals: ['*'] } }] }] }, yes: req({ requestPrincipal: 'testing@secure.istio.io/testing@secure.istio.io' }), no: req() },
    { field: 'notRequestPrincipals *', spec: { rules: [{ from: [{ source: { notRequestPrincipals: ['*'] } }] }] }, yes: req(), no: req({ requestPrincipal: 'iss/sub' }) },
    { field: 'methods', spec: { rules: [{ to: [{ operation: { methods: ['GET', 'HEAD'] } }] }] }, yes: req({ method: 'HEAD' }), no: req({ method: 'POST' }) },
    { field: 'notMethods', spec: { rules: [{ to: [{ operation: { notMethods: ['POST'] } }] }] }, yes: req(), no: req({ method: 'POST' }) },
    { field: 'paths prefix form abc*', spec: { rules: [{ to: [{ operation: { paths: ['/details/*'] } }] }] }, yes: req(), no: req({ path: '/reviews/0' }) },
    { field: 'paths suffix form *abc', spec: { rules: [{ to: [{ operation: { paths: ['*/0'] } }] }] }, yes: req(), no: req({ path: '/details/1' }) },
    { field: 'paths template {*}', spec: { rules: [{ to: [{ operation: { paths: ['/details/{*}'] } }] }] }, yes: req(), no: req({ path: '/details/0/x' }) },
    { field: 'paths template {**}', spec: { rules: [{ to: [{ operation: { paths: ['/api/{**}'] } }] }] }, yes: req({ path: '/api/v1/products' }), no: req({ path: '/api' }) },
    { field: 'notPaths', spec: { rules: [{ to: [{ operation: { notPaths: ['/healthz'] } }] }] }, yes: req(), no: req({ path: '/healthz' }) },
    { field: 'hosts case-insensitive', spec: { rules: [{ to: [{ operation: { hosts: ['Details'] } }] }] }, yes: req(), no: req({ host: 'reviews' }) },
    { field: 'ports (workload port)', spec: { rules: [{ to: [{ operation: { ports: ['9080'] } }] }] }, yes: req(), no: req({ port: 8080 }) },
    { field: 'when request.headers[...]', spec: { rules: [{ when: [{ key: 'request.headers[version]', values: ['v1', 'v2'] }] }] }, yes: req({}, { version: 'v2' }), no: req({}, { version: 'v3' }) },
    { field: 'when notValues', spec: { rules: [{ when: [{ key: 'source.namespace', notValues: ['foo'] }] }] }, yes: req(), no: req({ namespace: 'foo' }) },
    { field: 'when source.ip CIDR', spec: { rules: [{ when: [{ key: 'source.ip', values: ['10.244.0.0/24'] }] }] }, yes: req(), no: req({ sourceIp: '10.244.1.2' }) },
    { field: 'when request.auth.claims[groups]', spec: { rules: [{ when: [{ key: 'request.auth.claims[groups]', values: ['group1'] }] }] }, yes: req({ requestPrincipal: 'i/s', claims: { groups: ['group1', 'group2'] } }), no: req({ requestPrincipal: 'i/s', claims: { groups: ['group2'] } }) },
    { field: 'when nested claims', spec: { rules: [{ when: [{ key: 'request.auth.claims[nested][key1]', values: ['valueA'] }] }] }, yes: req({ claims: { nested: { key1: 'valueA' } } }), no: req({ claims: { nested: { key1: 'valueB' } } }) },
    { field: 'from entries are ORed', spec: { rules: [{ from: [{ source: { namespaces: ['foo'] } }, { source: { namespaces: ['default'] } }] }] }, yes: req(), no: req({ namespace: 'bar' }) },
    { field: 'fields inside one source are ANDed', spec: { rules: [{ from: [{ source: { namespaces: ['default'], principals: ['*/sa/bookinfo-productpage'] } }] }] }, yes: req(), no: req({ principal: 'cluster.local/ns/default/sa/x' }) },
    { field: 'from AND to AND when', spec: { rules: [{ from: [{ source: { namespaces: ['default'] } }], to: [{ operation: { methods: ['GET'] } }], when: [{ key: 'request.headers[x]', values: ['1'] }] }] }, yes: req({}, { x: '1' }), no: req({}, { x: '2' }) },
    { field: 'rules are ORed', spec: { rules: [{ to: [{ operation: { methods: ['POST'] } }] }, { to: [{ operation: { methods: ['GET'] } }] }] }, yes: req(), no: req({ method: 'PUT' }) },
  ];
  it.each(cases)('$field', ({ spec, yes, no }) => {
    const p = compilePolicy(ap('p', spec), () => {
      throw new Error('unexpected problem');
    });
    expect(p.matches(yes)).toBe(true);
    expect(p.matches(no)).toBe(false);
  });

  it('an unsupported when key never matches and is reported', () => {
    const problems: string[] = [];
    const p = compilePolicy(ap('p', { rules: [{ when: [{ key: 'request.bogus', values: ['x'] }] }] }), (path, m) => problems.push(`${path}: ${m}`));
    expect(p.matches(req())).toBe(false);
    expect(problems).toEqual(["spec.rules[0].when[0].key: condition key 'request.bogus' is not supported; the condition never matches"]);
  });
});

describe('string forms (§5.2)', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abcd', false],
    ['abc*', 'abcd', true],
    ['*abc', 'xabc', true],
    ['*abc', 'abcx', false],
    ['*', 'x', true],
    ['*', '', false],
  ] as const)('%s vs %s → %s', (pattern, value, want) => {
    expect(stringMatcher(pattern)(value)).toBe(want);
  });
  it('path templates and CIDRs', () => {
    expect(pathMatcher('/a/{*}/c')('/a/b/c')).toBe(true);
    expect(pathMatcher('/a/{*}/c')('/a//c')).toBe(false);
    expect(cidrMatcher('0.0.0.0/0')('1.2.3.4')).toBe(true);
    expect(cidrMatcher('10.0.0.0/8')('11.0.0.1')).toBe(false);
  });
});
