import { describe, expect, it } from 'vitest';
import { defaultProfile, loadManifests } from '../../sim/config/index.ts';
import { expandRequests, parseRouteTests, runRouteTests } from '../../sim/analyze/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meshsim, ROOT } from '../helpers/cli.ts';

const DIR = 'test/fixtures/route-tests';
const BOOKINFO = ['scenarios/bookinfo/platform.yaml', 'scenarios/bookinfo/destination-rule-all.yaml'];

function run(tests: string, config: string[], from?: string) {
  const profile = defaultProfile();
  const { cases, diagnostics } = parseRouteTests(readFileSync(join(ROOT, tests), 'utf8'), tests);
  expect(diagnostics).toEqual([]);
  const { resources } = loadManifests(config, nodeFiles({ cwd: ROOT }), { profile });
  return runRouteTests(cases, resources, profile, { from });
}

describe('route tests: istio-config-validator format', () => {
  it('request lists expand into their cross product (authority × method × uri)', () => {
    const { cases } = parseRouteTests(readFileSync(join(ROOT, DIR, 'virtualservice_test.yaml'), 'utf8'), 'x.yaml');
    expect(expandRequests(cases[0]).map((i) => `${i.authority} ${i.method} ${i.uri}`)).toEqual([
      'www.example.com GET /users',
      'www.example.com GET /users/',
      'www.example.com POST /users',
      'www.example.com POST /users/',
      'example.com GET /users',
      'example.com GET /users/',
      'example.com POST /users',
      'example.com POST /users/',
    ]);
    expect(cases[1].wantMatch).toBe(false);
    expect(cases[0].source.line).toBe(4);
  });

  it("the tool's example suite passes (users regex, partners by method, fault, rewrite, fallback)", () => {
    const results = run(`${DIR}/virtualservice_test.yaml`, [`${DIR}/platform.yaml`, `${DIR}/virtualservice.yaml`]);
    expect(results.filter((r) => !r.passed)).toEqual([]);
    expect(results).toHaveLength(36);
  });

  it('wantMatch: false fails when the route is exactly the stated one', () => {
    const profile = defaultProfile();
    const text = readFileSync(join(ROOT, DIR, 'virtualservice_test.yaml'), 'utf8').replace('method: ["PUT", "POST", "PATCH"]', 'method: ["GET"]');
    const { cases } = parseRouteTests(text, 'x.yaml');
    const { resources } = loadManifests([`${DIR}/platform.yaml`, `${DIR}/virtualservice.yaml`], nodeFiles({ cwd: ROOT }), { profile });
    const partner = runRouteTests([cases[1]], resources, profile);
    expect(partner.every((r) => !r.passed)).toBe(true);
    expect(partner[0].reasons[0]).toMatch(/wantMatch: false/);
  });

  it('a typo in a test-case field is an error, not a test that asserts nothing', () => {
    const { diagnostics } = parseRouteTests('testCases:\n  - description: x\n    request: {authority: [a], uri: [/]}\n    routes: []\n', 't.yaml');
    expect(diagnostics.length).toBeGreaterThan(0);
    expect(diagnostics[0].source?.line).toBe(4);
  });
});

describe('route tests: beyond the tool, where Istio decides', () => {
  const config = [...BOOKINFO, `${DIR}/bookinfo/reviews-routing.yaml`];

  it('short names (§1.2), query parameters and port matches route as Istio does', () => {
    const results = run(`${DIR}/bookinfo/reviews_test.yaml`, config);
    expect(results.filter((r) => !r.passed)).toEqual([]);
    expect(results).toHaveLength(9);
  });

  it('sourceLabels rules apply to the --from workload; weights compare as shares (80/20 = 4/1)', () => {
    const results = run(`${DIR}/bookinfo/productpage_test.yaml`, config, 'productpage-v1');
    expect(results.map((r) => r.passed)).toEqual([true, true]);
    expect(results[0].proxy).toMatch(/^productpage-v1-.*\.default$/);
    // The same cases from a client without productpage's labels get the catch-all instead.
    expect(run(`${DIR}/bookinfo/productpage_test.yaml`, config).every((r) => !r.passed)).toBe(true);
  });

  it('a route to a subset no DestinationRule defines fails with 503 NC explained', () => {
    const [r] = run(`${DIR}/bookinfo/undefined-subset_test.yaml`, [...BOOKINFO, `${DIR}/bookinfo/undefined-subset.yaml`]);
    expect(r.passed).toBe(false);
    expect(r.reasons.join('\n')).toMatch(/no DestinationRule for ratings\.default\.svc\.cluster\.local defines subset "v9".*503 NC/);
  });
});

describe('meshsim test-routes: command line', () => {
  it('PASS/FAIL per input, the summary alone on the last line, exit 0 when all pass', () => {
    const r = meshsim(['test-routes', '-t', `${DIR}/virtualservice_test.yaml`, `${DIR}/platform.yaml`, `${DIR}/virtualservice.yaml`]);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('36 passed, 0 failed');
    expect(lines.filter((l) => l.startsWith('PASS '))).toHaveLength(36);
    expect(r.code).toBe(0);
  });

  it('--from a gateway Deployment routes by Host header with the VirtualServices bound to its Gateways (§4, §8.9)', () => {
    const edge = ['scenarios/edge/istio-ingressgateway.yaml', 'scenarios/edge/httpbin.yaml', 'scenarios/edge/httpbin-gateway.yaml'];
    const r = meshsim(['test-routes', '-t', `${DIR}/ingress_test.yaml`, ...edge, '--from', 'istio-system/istio-ingressgateway']);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('4 passed, 0 failed');
    expect(r.code).toBe(0);
    // From a sidecar the gateway-only VirtualService does not apply: the /status case fails there.
    const fromSleep = meshsim(['test-routes', '-t', `${DIR}/ingress_test.yaml`, ...edge, '--from', 'sleep']);
    expect(fromSleep.stdout).toMatch(/^FAIL GET httpbin\.example\.com\/status\/200$/m);
    expect(fromSleep.code).toBe(1);
  });

  it('exit 1 when an input fails', () => {
    const r = meshsim(['test-routes', '-t', `${DIR}/bookinfo/undefined-subset_test.yaml`, ...BOOKINFO, `${DIR}/bookinfo/undefined-subset.yaml`]);
    expect(r.stdout).toMatch(/^FAIL GET ratings:9080\/ratings\/0$/m);
    expect(r.stdout.trimEnd().split('\n').at(-1)).toBe('0 passed, 1 failed');
    expect(r.code).toBe(1);
  });

  it('exit 2 for invalid input: missing tests, unknown --from, broken config', () => {
    expect(meshsim(['test-routes', '-t', 'no/such.yaml', `${DIR}/platform.yaml`]).code).toBe(2);
    expect(meshsim(['test-routes', '-t', `${DIR}/bookinfo/productpage_test.yaml`, '--from', 'nobody', ...BOOKINFO]).code).toBe(2);
    expect(meshsim(['test-routes', '-t', `${DIR}/virtualservice_test.yaml`, 'test/fixtures/validate/broken.yaml.txt']).code).toBe(2);
  });
});
