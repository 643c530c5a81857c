import { describe, expect, it } from 'vitest';
import type { HTTPMatchRequest } from '../../sim/config/istio-types.ts';
import { compileHttpMatch, queryParam, type HttpMatcher } from '../../sim/control-plane/match.ts';
import { req } from '../helpers/istio.ts';

function m(spec: HTTPMatchRequest): HttpMatcher {
  const c = compileHttpMatch(spec, 0);
  if (!c.ok) throw new Error(c.problems.map((p) => p.message).join('; '));
  return c.match;
}

describe('HTTPMatchRequest (istio-semantics.md §1.5)', () => {
  it('uri exact is whole-path equality and ignores the query string', () => {
    const x = m({ uri: { exact: '/productpage' } });
    expect(x.test(req('http://p:9080/productpage?u=1'))).toBe(true);
    expect(x.test(req('http://p:9080/productpage/'))).toBe(false);
  });

  it('uri prefix is a plain string prefix, not segment-aware (/foo matches /foobar)', () => {
    const x = m({ uri: { prefix: '/foo' } });
    expect(x.test(req('http://h/foobar'))).toBe(true);
    expect(x.test(req('http://h/fo'))).toBe(false);
  });

  it('uri regex is RE2 and must match the ENTIRE path', () => {
    const x = m({ uri: { regex: '/reviews/[0-9]+' } });
    expect(x.test(req('http://h/reviews/12'))).toBe(true);
    expect(x.test(req('http://h/reviews/12/x'))).toBe(false);
    expect(x.test(req('http://h/api/reviews/12'))).toBe(false);
  });

  it('ignoreUriCase applies to exact and prefix (ASCII)', () => {
    expect(m({ uri: { exact: '/Login' }, ignoreUriCase: true }).test(req('http://h/LOGIN'))).toBe(true);
    expect(m({ uri: { prefix: '/API' }, ignoreUriCase: true }).test(req('http://h/api/v1'))).toBe(true);
    expect(m({ uri: { exact: '/Login' } }).test(req('http://h/LOGIN'))).toBe(false);
  });

  it('headers: exact is case-sensitive (jason ≠ Jason), prefix and regex work, missing header fails', () => {
    const x = m({ headers: { 'end-user': { exact: 'jason' } } });
    expect(x.test(req('http://h/', { 'end-user': 'jason' }))).toBe(true);
    expect(x.test(req('http://h/', { 'end-user': 'Jason' }))).toBe(false);
    expect(x.test(req('http://h/'))).toBe(false);
    expect(m({ headers: { 'x-v': { prefix: 'v1' } } }).test(req('http://h/', { 'x-v': 'v1.2' }))).toBe(true);
    expect(m({ headers: { 'x-v': { regex: 'v[0-9]' } } }).test(req('http://h/', { 'x-v': 'v12' }))).toBe(false);
  });

  it('headers: {} and regex "*" are presence checks', () => {
    for (const sm of [{}, { regex: '*' }]) {
      const x = m({ headers: { 'x-canary': sm } });
      expect(x.test(req('http://h/', { 'x-canary': '' }))).toBe(true);
      expect(x.test(req('http://h/', { 'x-canary': 'anything' }))).toBe(true);
      expect(x.test(req('http://h/'))).toBe(false);
    }
  });

  it('withoutHeaders inverts; a missing header passes', () => {
    const x = m({ withoutHeaders: { 'end-user': { exact: 'jason' } } });
    expect(x.test(req('http://h/', { 'end-user': 'jason' }))).toBe(false);
    expect(x.test(req('http://h/', { 'end-user': 'kim' }))).toBe(true);
    expect(x.test(req('http://h/'))).toBe(true);
    const present = m({ withoutHeaders: { 'x-debug': {} } });
    expect(present.test(req('http://h/', { 'x-debug': '1' }))).toBe(false);
    expect(present.test(req('http://h/'))).toBe(true);
  });

  it('conditions in one block are ANDed', () => {
    const x = m({ uri: { prefix: '/api' }, method: { exact: 'POST' }, headers: { 'end-user': { exact: 'jason' } } });
    expect(x.test(req('http://h/api/x', { 'end-user': 'jason' }, 'POST'))).toBe(true);
    expect(x.test(req('http://h/api/x', { 'end-user': 'jason' }, 'GET'))).toBe(false);
    expect(x.test(req('http://h/api/x', {}, 'POST'))).toBe(false);
  });

  it('authority is the Host as sent, including a non-default port; scheme matches :scheme', () => {
    expect(m({ authority: { exact: 'reviews:9080' } }).test(req('http://reviews:9080/'))).toBe(true);
    expect(m({ authority: { exact: 'reviews' } }).test(req('http://reviews:9080/'))).toBe(false);
    expect(m({ authority: { exact: 'httpbin' } }).test(req('http://httpbin/'))).toBe(true);
    expect(m({ scheme: { exact: 'http' } }).test(req('http://h/'))).toBe(true);
  });

  it('queryParams: exact/prefix/regex on the first value; exact "" matches ?key', () => {
    expect(m({ queryParams: { user: { exact: 'jason' } } }).test(req('http://h/p?a=1&user=jason'))).toBe(true);
    expect(m({ queryParams: { user: { exact: 'jason' } } }).test(req('http://h/p?user=kim'))).toBe(false);
    expect(m({ queryParams: { user: { regex: 'j.*' } } }).test(req('http://h/p?user=jo'))).toBe(true);
    expect(m({ queryParams: { debug: { exact: '' } } }).test(req('http://h/p?debug'))).toBe(true);
    expect(m({ queryParams: { debug: { exact: '' } } }).test(req('http://h/p'))).toBe(false);
    expect(queryParam('a=1&b=2&a=3', 'a')).toBe('1');
    expect(queryParam('ab=1', 'a')).toBeUndefined();
  });

  it('catch-all detection: only prefix "/" or regex ".*" (or nothing) without other conditions', () => {
    expect(m({ uri: { prefix: '/' } }).catchAll).toBe(true);
    expect(m({ uri: { regex: '.*' } }).catchAll).toBe(true);
    expect(m({ uri: { prefix: '/' }, headers: { a: { exact: 'b' } } }).catchAll).toBe(false);
    expect(m({ uri: { prefix: '/api' } }).catchAll).toBe(false);
    expect(m({ method: { exact: 'GET' } }).catchAll).toBe(false);
  });

  it('an invalid RE2 regex is reported (IST0122), not turned into a JS RegExp', () => {
    const c = compileHttpMatch({ uri: { regex: '/(a' } }, 0);
    expect(c.ok).toBe(false);
    // Lookahead is valid JS but not RE2.
    expect(compileHttpMatch({ headers: { a: { regex: '(?=x)x' } } }, 0).ok).toBe(false);
  });

  it('a regex that means something else in JavaScript compiles, with a note saying so', () => {
    const c = compileHttpMatch({ uri: { regex: '(?i)/API/.*' } }, 0);
    expect(c.ok).toBe(true);
    if (c.ok) {
      expect(c.notes.length).toBe(1);
      expect(c.match.test(req('http://h/api/x'))).toBe(true);
    }
  });
});
