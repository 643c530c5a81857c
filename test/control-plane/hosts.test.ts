import { describe, expect, it } from 'vitest';
import { hostMatches, isExportedTo, resolveGatewayName, resolveShortname } from '../../sim/control-plane/hosts.ts';

describe('host names (istio-semantics.md §1.2, ResolveShortnameToFQDN)', () => {
  it('§1.2 step 2: a name without dots gets the namespace of the rule, then .svc.cluster.local', () => {
    expect(resolveShortname('reviews', 'default')).toBe('reviews.default.svc.cluster.local');
    expect(resolveShortname('reviews', 'prod')).toBe('reviews.prod.svc.cluster.local');
  });

  it('§1.2 step 3 (trap): a name with any dot is used verbatim, so reviews.default is not expanded', () => {
    expect(resolveShortname('reviews.default', 'default')).toBe('reviews.default');
    expect(resolveShortname('reviews.default.svc.cluster.local', 'other')).toBe('reviews.default.svc.cluster.local');
  });

  it('§1.2 step 1: * and IPs stay as they are; wildcards are not expanded', () => {
    expect(resolveShortname('*', 'default')).toBe('*');
    expect(resolveShortname('10.0.0.1', 'default')).toBe('10.0.0.1');
    expect(resolveShortname('*.example.com', 'default')).toBe('*.example.com');
  });

  it('§1.3 wildcard hosts cover the names under them', () => {
    expect(hostMatches('*', 'reviews.default.svc.cluster.local')).toBe(true);
    expect(hostMatches('*.default.svc.cluster.local', 'reviews.default.svc.cluster.local')).toBe(true);
    expect(hostMatches('*.prod.svc.cluster.local', 'reviews.default.svc.cluster.local')).toBe(false);
  });

  it('§1.1 exportTo: empty = everywhere, "." = own namespace, names, "~" = nowhere', () => {
    expect(isExportedTo(undefined, 'a', 'b')).toBe(true);
    expect(isExportedTo(['.'], 'a', 'a')).toBe(true);
    expect(isExportedTo(['.'], 'a', 'b')).toBe(false);
    expect(isExportedTo(['b'], 'a', 'b')).toBe(true);
    expect(isExportedTo(['~'], 'a', 'a')).toBe(false);
    expect(isExportedTo(['*'], 'a', 'z')).toBe(true);
  });

  it('§1.2 step 5: gateway references resolve to ns/name', () => {
    expect(resolveGatewayName('bookinfo-gateway', 'default')).toBe('default/bookinfo-gateway');
    expect(resolveGatewayName('./gw', 'default')).toBe('default/gw');
    expect(resolveGatewayName('istio-system/gw', 'default')).toBe('istio-system/gw');
    expect(resolveGatewayName('gw.istio-system.svc.cluster.local', 'default')).toBe('istio-system/gw');
    expect(resolveGatewayName('mesh', 'default')).toBe('mesh');
  });
});
