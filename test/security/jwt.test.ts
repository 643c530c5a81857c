/**
 * RequestAuthentication without crypto (istio-semantics.md §5.3): declared tokens, 401 cases,
 * the 60s clock skew, and claims exposed for routing at gateways.
 */
import { describe, expect, it } from 'vitest';
import type { WorkloadJwt } from '../../sim/control-plane/security/index.ts';
import { authenticateJwt, JWT_CLOCK_SKEW_US, type DeclaredToken } from '../../sim/control-plane/security/jwt.ts';
import { addClaimHeaders } from '../../sim/data-plane/inbound-security.ts';
import { req } from '../helpers/istio.ts';

const ISS = 'testing@secure.istio.io';
const tokens = new Map<string, DeclaredToken>([
  ['good', { issuer: ISS, subject: 'alice', claims: { groups: ['group1', 'group2'], aud: 'app' }, expiresAtUs: null }],
  ['short', { issuer: ISS, subject: 'bob', claims: {}, expiresAtUs: 5_000_000 }],
  ['other-issuer', { issuer: 'evil@example.com', subject: 'x', claims: {}, expiresAtUs: null }],
]);
const jwt: WorkloadJwt = { rules: [{ issuer: ISS }], policies: ['istio-system/jwt-example'] };
const bearer = (t: string) => req('http://gw/headers', { authorization: `Bearer ${t}` });

describe('RequestAuthentication (§5.3)', () => {
  it('no token ⇒ passes without a request principal', () => {
    expect(authenticateJwt(jwt, req('http://gw/headers'), tokens, 0)).toEqual({ kind: 'none' });
  });
  it('valid token ⇒ request.auth.principal = iss/sub and the claims', () => {
    const r = authenticateJwt(jwt, bearer('good'), tokens, 0);
    expect(r.kind === 'valid' && r.principal).toBe(`${ISS}/alice`);
  });
  it.each([
    ['an undeclared token (Bearer deadbeef)', 'deadbeef', 'Jwt verification fails'],
    ['an issuer no rule names', 'other-issuer', 'Jwt issuer is not configured'],
  ])('%s ⇒ 401', (_n, t, reason) => {
    expect(authenticateJwt(jwt, bearer(t), tokens, 0)).toEqual({ kind: 'invalid', reason });
  });
  it('expiry allows 60s of clock skew', () => {
    expect(authenticateJwt(jwt, bearer('short'), tokens, 5_000_000 + JWT_CLOCK_SKEW_US).kind).toBe('valid');
    expect(authenticateJwt(jwt, bearer('short'), tokens, 5_000_001 + JWT_CLOCK_SKEW_US)).toEqual({ kind: 'invalid', reason: 'Jwt is expired' });
  });
  it('audiences must intersect the aud claim', () => {
    expect(authenticateJwt({ rules: [{ issuer: ISS, audiences: ['app'] }], policies: [] }, bearer('good'), tokens, 0).kind).toBe('valid');
    expect(authenticateJwt({ rules: [{ issuer: ISS, audiences: ['other'] }], policies: [] }, bearer('good'), tokens, 0).kind).toBe('invalid');
  });
  it('?access_token= works by default; fromHeaders replaces the default locations', () => {
    expect(authenticateJwt(jwt, req('http://gw/headers?access_token=good'), tokens, 0).kind).toBe('valid');
    const custom: WorkloadJwt = { rules: [{ issuer: ISS, fromHeaders: [{ name: 'x-jwt' }] }], policies: [] };
    expect(authenticateJwt(custom, req('http://gw/h', { 'x-jwt': 'good' }), tokens, 0).kind).toBe('valid');
    expect(authenticateJwt(custom, bearer('good'), tokens, 0).kind).toBe('none');
  });
  it('claims become @request.auth.claims.* pseudo headers for gateway routing', () => {
    const h = new Map<string, string>();
    addClaimHeaders(h, { groups: ['group1', 'group2'], sub: 'alice', nested: { key1: 'v' } });
    expect(Object.fromEntries(h)).toEqual({ '@request.auth.claims.groups': 'group1,group2', '@request.auth.claims.sub': 'alice', '@request.auth.claims.nested.key1': 'v' });
  });
});
