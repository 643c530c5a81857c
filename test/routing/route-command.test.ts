/**
 * `meshsim route` (DESIGN.md CLI contract) on the Bookinfo manifests in scenarios/bookinfo.
 */
import { describe, expect, it } from 'vitest';
import { routeCommand, type RouteArgs } from '../../sim/cli/route.ts';

const MANIFESTS = ['scenarios/bookinfo/platform.yaml', 'scenarios/bookinfo/destination-rule-all.yaml', 'scenarios/bookinfo/virtual-service-reviews-test-v2.yaml'];

async function route(args: Partial<RouteArgs>) {
  let out = '';
  let err = '';
  const code = await routeCommand(
    { manifests: MANIFESTS, from: 'productpage-v1', url: 'http://reviews:9080/reviews/0', headers: [], method: 'GET', json: true, ...args },
    { out: (t) => (out += t), err: (t) => (err += t) },
  );
  return { code, out, err };
}

describe('meshsim route', () => {
  it('§8.1 jason → reviews v2 with rule 0 and match block 0 (JSON contract)', async () => {
    const r = await route({ headers: ['end-user: jason'] });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      proxy: 'productpage-v1-0.default',
      virtualService: 'default/reviews',
      rule: 0,
      match: 0,
      destinations: [{ host: 'reviews.default.svc.cluster.local', subset: 'v2', port: 9080, weightPercent: 100 }],
      result: null,
    });
  });

  it('§8.1 anonymous → reviews v1 with rule 1 and no match block', async () => {
    const j = JSON.parse((await route({})).out);
    expect([j.rule, j.match, j.destinations[0].subset]).toEqual([1, null, 'v1']);
  });

  it('text output names the rule, the match block and the endpoint', async () => {
    const r = await route({ json: false, headers: ['end-user: jason'] });
    expect(r.out).toContain('virtual service default/reviews rule 0, match 0: header end-user exact "jason"');
    expect(r.out).toContain('reviews-v2-0');
  });

  it('§8.1 note: without the DestinationRules the subsets do not exist → 503 NC, with IST0101 on stderr', async () => {
    const r = await route({ manifests: [MANIFESTS[0], MANIFESTS[2]] });
    expect(JSON.parse(r.out).result).toEqual({ code: 503, flag: 'NC' });
    expect(r.err).toContain('IST0101');
  });

  it('invalid input exits 2 with a message: unknown workload, bad URL, bad header, missing file', async () => {
    const bad = [
      await route({ from: 'productpag-v1' }),
      await route({ url: 'reviews:9080' }),
      await route({ headers: ['no-colon'] }),
      await route({ manifests: ['scenarios/bookinfo/nope.yaml'] }),
    ];
    for (const r of bad) {
      expect(r.code).toBe(2);
      expect(r.err.length).toBeGreaterThan(0);
      expect(r.out).toBe('');
    }
    expect(bad[0].err).toContain("did you mean 'productpage-v1'");
  });
});
