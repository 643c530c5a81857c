/**
 * `proxy-config`-style tables of a sidecar's compiled config (istio-semantics.md §6.1: what istiod
 * pushes as RDS routes and CDS clusters), and the run hook that hands each compiled version out.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario, proxyTables, runScenario, type ProxyConfig } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { ROOT } from '../helpers/cli.ts';

function configsOf(path: string): Map<string, ProxyConfig> {
  const s = loadScenario(path, nodeFiles({ cwd: ROOT }), { durationUs: 200_000 });
  const out = new Map<string, ProxyConfig>();
  runScenario(s, { onProxyConfig: (p, v, c) => out.set(`${p.namespace}/${p.name}@${v}`, c) });
  return out;
}

describe('proxy-config tables', () => {
  const configs = configsOf('scenarios/traffic-shifting.yaml');

  it('the run hands out one config per sidecar and version, versions following the timeline', () => {
    const pp = [...configs.keys()].filter((k) => k.startsWith('default/productpage-v1-0@'));
    // Version 1 at start plus one per timeline change of traffic-shifting.yaml.
    expect(pp.length).toBeGreaterThanOrEqual(2);
    expect(pp.map((k) => Number(k.split('@')[1]))).toEqual(pp.map((_, i) => i + 1));
  });

  it('routes: one row per VirtualService route, named by port, with istioctl\'s "name.namespace" and the weights in force', () => {
    const v1 = proxyTables(configs.get('default/productpage-v1-0@1')!);
    const reviews = v1.routes.filter((r) => r.vhost === 'reviews.default.svc.cluster.local:9080');
    expect(reviews).toEqual([
      { name: '9080', vhost: 'reviews.default.svc.cluster.local:9080', domains: expect.stringContaining('reviews.default.svc.cluster.local'), match: '/*', virtualService: 'reviews.default', action: 'reviews v1' },
    ]);
    const last = [...configs.keys()].filter((k) => k.startsWith('default/productpage-v1-0@')).pop()!;
    const shifted = proxyTables(configs.get(last)!).routes.find((r) => r.vhost === 'reviews.default.svc.cluster.local:9080')!;
    // The timeline's final VirtualService (virtual-service-reviews-v3.yaml or a 50/50 split) is what the later version routes by.
    expect(shifted.action).not.toBe('reviews v1');
    expect(shifted.action).toMatch(/reviews v3/);
  });

  it('clusters: one row per (service, port, subset), with the DestinationRule and the selected pods', () => {
    const t = proxyTables(configs.get('default/productpage-v1-0@1')!);
    const v2 = t.clusters.find((c) => c.serviceFqdn === 'reviews.default.svc.cluster.local' && c.subset === 'v2')!;
    expect(v2).toMatchObject({ port: 9080, direction: 'outbound', type: 'EDS', destinationRule: 'reviews.default', endpoints: ['reviews-v2-0'] });
    const all = t.clusters.find((c) => c.serviceFqdn === 'reviews.default.svc.cluster.local' && c.subset === '')!;
    expect(all.endpoints).toEqual(['reviews-v1-0', 'reviews-v2-0', 'reviews-v3-0']);
    // Sorted like istioctl: by FQDN, port, subset.
    const keys = t.clusters.map((c) => `${c.serviceFqdn}|${String(c.port).padStart(5, '0')}|${c.subset}`);
    expect(keys).toEqual([...keys].sort());
  });

  it('a service without a VirtualService has its default route, no VirtualService named', () => {
    const s = loadScenario('scenarios/bookinfo.yaml', nodeFiles({ cwd: ROOT }), { durationUs: 100_000 });
    let config: ProxyConfig | null = null;
    runScenario(s, { onProxyConfig: (p, _v, c) => (p.name === 'productpage-v1-0' ? (config = c) : undefined) });
    const row = proxyTables(config!).routes.find((r) => r.vhost === 'reviews.default.svc.cluster.local:9080')!;
    expect(row).toMatchObject({ match: '/*', virtualService: '', action: 'reviews' });
  });

  it('the hook does not change the run', () => {
    const s = loadScenario('scenarios/traffic-shifting.yaml', nodeFiles({ cwd: ROOT }), { durationUs: 200_000 });
    const plain = runScenario(s).summary.traceHash;
    expect(runScenario(s, { onProxyConfig: () => {} }).summary.traceHash).toBe(plain);
  });
});
