import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../sim/domain/time.ts';
import { defaultProfile } from '../../sim/config/profile.ts';
import { fnv1a64, parseComparison, parsePercent, parseRate, parseUrl } from '../../sim/config/units.ts';
import { closest, editDistance } from '../../sim/config/suggest.ts';

describe('durations', () => {
  it('duration: "1m30s" is 90 s', () => {
    expect(parseDuration('1m30s')).toEqual({ ok: true, us: 90_000_000 });
  });
  it('duration: "250us", "1.5ms" and "2h" are integer microseconds', () => {
    expect(parseDuration('250us')).toEqual({ ok: true, us: 250 });
    expect(parseDuration('1.5ms')).toEqual({ ok: true, us: 1500 });
    expect(parseDuration('2h')).toEqual({ ok: true, us: 7_200_000_000 });
  });
  it('duration: "-1s" is refused as negative', () => {
    const d = parseDuration('-1s');
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error).toMatch(/negative/);
  });
  it('duration: "1e309s" is refused (not a duration, never Infinity)', () => {
    const d = parseDuration('1e309s');
    expect(d.ok).toBe(false);
  });
  it('duration: a bare number needs a unit', () => {
    const d = parseDuration(60);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error).toMatch(/"60s"/);
  });
});

describe('rates', () => {
  it('rate: "20/s" is 20 per second', () => expect(parseRate('20/s')).toEqual({ ok: true, value: 20 }));
  it('rate: "30/m" and "60/min" are per minute', () => {
    expect(parseRate('30/m')).toEqual({ ok: true, value: 0.5 });
    expect(parseRate('60/min')).toEqual({ ok: true, value: 1 });
  });
  it('rate: a plain number is per second', () => expect(parseRate(12.5)).toEqual({ ok: true, value: 12.5 }));
  it('rate: negative, zero and above 1e6/s are refused with a hint', () => {
    const neg = parseRate('-5/s');
    expect(neg.ok).toBe(false);
    if (!neg.ok) expect(neg.error).toMatch(/negative.*> 0/);
    const zero = parseRate(0);
    expect(zero.ok).toBe(false);
    if (!zero.ok) expect(zero.error).toMatch(/must be > 0/);
    const big = parseRate('2000000/s');
    expect(big.ok).toBe(false);
    if (!big.ok) expect(big.error).toMatch(/1000000\/s/);
  });
  it('rate: garbage says what would be right', () => {
    const r = parseRate('fast');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toMatch(/"20\/s"/);
  });
});

describe('percentages and comparisons', () => {
  it('percent: "10%" and 0.1 are the same fraction', () => {
    expect(parsePercent('10%')).toEqual({ ok: true, value: 0.1 });
    expect(parsePercent(0.1)).toEqual({ ok: true, value: 0.1 });
    expect(parsePercent('33.3%')).toEqual({ ok: true, value: 0.333 });
  });
  it('percent: 10 (no %) is ambiguous, 150% is out of range', () => {
    expect(parsePercent(10).ok).toBe(false);
    expect(parsePercent('150%').ok).toBe(false);
  });
  it('comparison: "< 100ms" splits into operator and value', () => {
    expect(parseComparison('< 100ms')).toEqual({ ok: true, value: { op: '<', rest: '100ms' } });
    expect(parseComparison('>=99%')).toEqual({ ok: true, value: { op: '>=', rest: '99%' } });
    expect(parseComparison('about 5').ok).toBe(false);
  });
});

describe('URLs', () => {
  it('url: http defaults to port 80, https to 443', () => {
    expect(parseUrl('http://productpage/productpage')).toEqual({
      ok: true,
      value: { scheme: 'http', host: 'productpage', port: 80, path: '/productpage', query: '' },
    });
    const s = parseUrl('https://httpbin.org');
    expect(s.ok && s.value.port).toBe(443);
    expect(s.ok && s.value.path).toBe('/');
  });
  it('url: explicit port, path and query are kept apart', () => {
    expect(parseUrl('http://reviews:9080/reviews/0?x=1&y')).toEqual({
      ok: true,
      value: { scheme: 'http', host: 'reviews', port: 9080, path: '/reviews/0', query: 'x=1&y' },
    });
  });
  it('url: other schemes and bad ports are refused', () => {
    const ftp = parseUrl('ftp://files/x');
    expect(ftp.ok).toBe(false);
    if (!ftp.ok) expect(ftp.error).toMatch(/http:\/\/ or https:\/\//);
    expect(parseUrl('http://a:70000/').ok).toBe(false);
    expect(parseUrl('reviews:9080').ok).toBe(false);
  });
});

describe('input hash', () => {
  it('fnv1a64: matches the published FNV-1a 64 test vectors', () => {
    expect(fnv1a64('')).toBe('cbf29ce484222325');
    expect(fnv1a64('a')).toBe('af63dc4c8601ec8c');
    expect(fnv1a64('foobar')).toBe('85944171f73967e8');
  });
});

describe('did you mean', () => {
  it('suggest: "weigth" is closest to "weight"', () => {
    expect(editDistance('weigth', 'weight')).toBe(1);
    expect(closest('weigth', ['destination', 'weight', 'headers'])).toBe('weight');
    expect(closest('zzzzzz', ['destination', 'weight'])).toBe(null);
  });
});

describe('semantics profile', () => {
  it('profile: 1.28 is LEAST_REQUEST, relative weights, no 503 retry, strict ejection, NC', () => {
    expect(defaultProfile('1.28')).toEqual({
      istioVersion: '1.28',
      defaultLoadBalancer: 'LEAST_REQUEST',
      weightsMustSum100: false,
      defaultRetryOn503: false,
      inboundResetBeforeRequestRetry: true,
      legacyFirstEjectionAlwaysAllowed: false,
      missingClusterFlag: 'NC',
      outboundTrafficPolicy: 'ALLOW_ANY',
      rootNamespace: 'istio-system',
      trustDomain: 'cluster.local',
    });
  });
  it('profile: version boundaries 1.14, 1.15, 1.17, 1.19, 1.24', () => {
    expect(defaultProfile('1.13').defaultLoadBalancer).toBe('ROUND_ROBIN');
    expect(defaultProfile('1.14').defaultLoadBalancer).toBe('LEAST_REQUEST');
    expect(defaultProfile('1.14').weightsMustSum100).toBe(true);
    expect(defaultProfile('1.15').weightsMustSum100).toBe(false);
    expect(defaultProfile('1.16').missingClusterFlag).toBe('NR');
    expect(defaultProfile('1.17').missingClusterFlag).toBe('NC');
    expect(defaultProfile('1.18').legacyFirstEjectionAlwaysAllowed).toBe(true);
    expect(defaultProfile('1.19').legacyFirstEjectionAlwaysAllowed).toBe(false);
    expect(defaultProfile('1.23').defaultRetryOn503).toBe(true);
    expect(defaultProfile('1.23').inboundResetBeforeRequestRetry).toBe(false);
    expect(defaultProfile('1.24').defaultRetryOn503).toBe(false);
    expect(defaultProfile('1.9').defaultLoadBalancer).toBe('ROUND_ROBIN');
    expect(defaultProfile().istioVersion).toBe('1.28');
  });
});
