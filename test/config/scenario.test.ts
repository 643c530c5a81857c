import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../sim/domain/diagnostics.ts';
import type { Diagnostic } from '../../sim/domain/diagnostics.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { memoryFiles } from '../../sim/config/file-source.ts';
import { loadScenario, parseScenarioText } from '../../sim/config/index.ts';
import type { ResolvedScenario, VirtualServiceResource } from '../../sim/config/index.ts';

/** The Bookinfo files under sc/bookinfo/ plus the given extra files. */
function files(extra: Record<string, string> = {}): ReturnType<typeof memoryFiles> {
  const map: Record<string, string> = {};
  for (const f of readdirSync('scenarios/bookinfo')) map[`sc/bookinfo/${f}`] = readFileSync(`scenarios/bookinfo/${f}`, 'utf8');
  return memoryFiles({ ...map, ...extra });
}

/** A small scenario over the Bookinfo platform; `spec` lines are appended under spec:. */
function scenario(spec: string): string {
  return ['apiVersion: meshsim.dev/v1alpha1', 'kind: Scenario', 'metadata: {name: t}', 'spec:', '  manifests: [bookinfo/platform.yaml]', spec, ''].join('\n');
}

function diagnosticsOf(text: string, extra: Record<string, string> = {}, overrides = {}): Diagnostic[] {
  return parseScenarioText(text, 'sc/t.yaml', files(extra), overrides).diagnostics;
}

function load(text: string, extra: Record<string, string> = {}, overrides = {}): ResolvedScenario {
  return loadScenario('sc/t.yaml', files({ 'sc/t.yaml': text, ...extra }), overrides);
}

function thrown(fn: () => unknown): Diagnostic[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof InputError) return e.diagnostics;
    throw e;
  }
  throw new Error('expected an InputError');
}

describe('the Bookinfo scenario', () => {
  const s = loadScenario('scenarios/bookinfo.yaml', nodeFiles());

  it('bookinfo: loads with no diagnostics at all', () => {
    expect(s.diagnostics).toEqual([]);
    expect(s.name).toBe('bookinfo');
    expect(s.seed).toBe(1);
    expect(s.durationUs).toBe(60_000_000);
    expect(s.profile.istioVersion).toBe('1.28');
    expect(s.inputHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('bookinfo: 18 resources (1 Namespace, 5 ServiceAccounts, 5 Services, 7 Deployments), no VS or DR', () => {
    const byKind: Record<string, number> = {};
    for (const r of s.resources) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1;
    expect(byKind).toEqual({ Namespace: 1, ServiceAccount: 5, Service: 5, Deployment: 7 });
  });

  it('bookinfo: every Deployment has a behaviour; productpage calls details then reviews (2 attempts, non-2xx)', () => {
    expect(s.workloads.map((w) => w.deployment)).toEqual(['details-v1', 'ratings-v1', 'reviews-v1', 'reviews-v2', 'reviews-v3', 'productpage-v1', 'sleep']);
    const pp = s.workloads.find((w) => w.deployment === 'productpage-v1');
    expect(pp?.serviceTime).toEqual({ kind: 'lognormal', medianUs: 4000, p99Us: 20000 });
    expect(pp?.propagateHeaders).toEqual(['end-user', 'x-request-id']);
    expect(pp?.calls.map((c) => c.parallel.map((x) => [x.url.host, x.timeoutUs, x.attempts, x.retryWhen]))).toEqual([
      [['details', 3_000_000, 1, 'error']],
      [['reviews', 3_000_000, 2, 'non-2xx']],
    ]);
    expect(s.workloads.find((w) => w.deployment === 'reviews-v3')?.calls[0].parallel[0].timeoutUs).toBe(2_500_000);
    expect(s.workloads.find((w) => w.deployment === 'reviews-v1')?.calls).toEqual([]);
    const sleep = s.workloads.find((w) => w.deployment === 'sleep');
    expect(sleep).toMatchObject({ serviceTime: { kind: 'lognormal', medianUs: 1000, p99Us: 5000 }, concurrency: 0, status: 200, calls: [], source: null });
  });

  it('bookinfo: anonymous 20/s and jason 5/s from sleep; three expectations', () => {
    expect(s.traffic.map((t) => [t.name, t.from?.deployment, t.load, t.headers])).toEqual([
      ['anonymous', 'sleep', { kind: 'open', ratePerSec: 20, arrival: 'poisson' }, []],
      ['jason', 'sleep', { kind: 'open', ratePerSec: 5, arrival: 'poisson' }, [['end-user', 'jason']]],
    ]);
    expect(s.expectations.map((e) => e.check.kind)).toEqual(['split', 'latency', 'errorRate']);
    expect(s.expectations[0].check).toEqual({ kind: 'split', by: 'version', shares: { v1: 0.333, v2: 0.333, v3: 0.334 }, tolerance: null, confidence: 0.999 });
  });

  it('bookinfo: defaults for sidecar latency and budgets', () => {
    expect(s.latency).toEqual({
      outbound: { kind: 'lognormal', medianUs: 200, p99Us: 800 },
      inbound: { kind: 'lognormal', medianUs: 200, p99Us: 800 },
      network: { kind: 'constant', valueUs: 50 },
    });
    expect(s.budgets).toEqual({ maxEvents: 50_000_000, maxSimTimeUs: 3_600_000_000, maxInFlight: 1_000_000 });
  });
});

describe('invalid scenarios give InputError with file:line:col', () => {
  it('scenario: unknown field gets a did-you-mean at the key', () => {
    const ds = thrown(() => load(scenario('  duraton: 30s')));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({
      code: 'MSH0010',
      level: 'error',
      path: 'spec.duraton',
      message: "unknown field 'duraton' (did you mean 'duration'?)",
      source: { file: 'sc/t.yaml', line: 6, col: 3 },
    });
  });

  it('scenario: unknown field deep inside a traffic entry', () => {
    const ds = thrown(() => load(scenario('  traffic:\n    - name: a\n      from: sleep\n      url: http://productpage:9080/\n      rate: 1/s\n      header: {x: y}')));
    expect(ds.map((d) => [d.path, d.message, d.source?.line, d.source?.col])).toEqual([
      ['spec.traffic[0].header', "unknown field 'header' (did you mean 'headers'?)", 11, 7],
    ]);
  });

  it('scenario: broken YAML is MSH0001', () => {
    const ds = thrown(() => load('apiVersion: meshsim.dev/v1alpha1\nkind: Scenario\nspec:\n  seed: [1\n'));
    expect(ds[0].code).toBe('MSH0001');
    expect(ds[0].source?.file).toBe('sc/t.yaml');
  });

  it('scenario: a Service selecting nothing is an error (MSH0201) at its selector', () => {
    const ds = thrown(() =>
      load(scenario('  resources:\n    - apiVersion: v1\n      kind: Service\n      metadata: {name: ghost}\n      spec: {selector: {app: ghost}, ports: [{port: 80, name: http}]}')),
    );
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'MSH0201', level: 'error', resource: 'Service default/ghost', path: 'spec.selector', source: { file: 'sc/t.yaml', line: 10, col: 24 } });
    expect(ds[0].message).toMatch(/matches no Deployment's pod labels.*productpage-v1 \(app=productpage,version=v1\)/);
  });

  it('scenario: a manifest path that does not exist is reported where it is named', () => {
    const text = ['apiVersion: meshsim.dev/v1alpha1', 'kind: Scenario', 'metadata: {name: t}', 'spec:', '  manifests:', '    - bookinfo/platform.yaml', '    - bookinfo/nope.yaml', ''].join('\n');
    const ds = thrown(() => load(text));
    expect(ds).toEqual([
      {
        code: 'MSH0003',
        level: 'error',
        resource: '',
        message: "cannot read manifest 'sc/bookinfo/nope.yaml': file not found",
        source: { file: 'sc/t.yaml', line: 7, col: 7 },
        path: 'spec.manifests[1]',
      },
    ]);
  });

  it('scenario: a negative rate is refused with what would be right', () => {
    const ds = thrown(() => load(scenario('  traffic:\n    - {name: a, from: sleep, url: "http://productpage:9080/", rate: -5/s}')));
    expect(ds).toHaveLength(1);
    expect(ds[0].path).toBe('spec.traffic[0].rate');
    expect(ds[0].message).toMatch(/negative.*"20\/s"/);
    expect(ds[0].source).toEqual({ file: 'sc/t.yaml', line: 7, col: 69 });
  });

  it('scenario: `from` naming a missing deployment lists the deployments', () => {
    const ds = thrown(() => load(scenario('  traffic:\n    - {name: a, from: sleeep, url: "http://productpage:9080/", rate: 5/s}')));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'MSH0020', path: 'spec.traffic[0].from', source: { line: 7, col: 23 } });
    expect(ds[0].message).toBe(
      "from 'sleeep' names no Deployment (did you mean 'sleep'?); deployments: details-v1, ratings-v1, reviews-v1, reviews-v2, reviews-v3, productpage-v1, sleep",
    );
  });

  it('scenario: bad durations "-1s" and "1e309s" are errors at the field', () => {
    const ds = thrown(() => load(scenario('  duration: -1s\n  budgets: {maxSimTime: 1e309s}')));
    expect(ds.map((d) => [d.path, d.source?.line, d.source?.col])).toEqual([
      ['spec.duration', 6, 13],
      ['spec.budgets.maxSimTime', 7, 25],
    ]);
    expect(ds[0].message).toMatch(/negative/);
    expect(ds[1].message).toMatch(/not a duration/);
  });

  it('scenario: a duration written as a number asks for a unit', () => {
    const ds = thrown(() => load(scenario('  duration: 60')));
    expect(ds.map((d) => [d.path, d.message])).toEqual([['spec.duration', 'a number needs a unit here: write "60s" or "60ms"']]);
  });

  it('scenario: a VirtualService with route and redirect fails the load at its manifest line', () => {
    const vs = 'apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: reviews}\nspec:\n  hosts: [reviews]\n  http:\n  - route: [{destination: {host: reviews}}]\n    redirect: {uri: /x}\n';
    const text = scenario('').replace('[bookinfo/platform.yaml]', '[bookinfo/platform.yaml, vs.yaml]');
    const ds = thrown(() => load(text, { 'sc/vs.yaml': vs }));
    expect(ds).toHaveLength(1);
    expect(ds[0]).toMatchObject({ code: 'IST0106', resource: 'VirtualService default/reviews', source: { file: 'sc/vs.yaml', line: 7, col: 5 } });
  });

  it('scenario: multi-destination weights all 0 fail the load', () => {
    const text = scenario(`  resources:
    - apiVersion: networking.istio.io/v1
      kind: VirtualService
      metadata: {name: reviews}
      spec:
        hosts: [reviews]
        http:
        - route:
          - {destination: {host: reviews, subset: v1}}
          - {destination: {host: reviews, subset: v2}, weight: 0}`);
    const ds = thrown(() => load(text));
    expect(ds).toHaveLength(1);
    expect(ds[0].message).toMatch(/total destination weight = 0/);
    expect(ds[0].path).toBe('spec.http[0].route');
    expect(ds[0].source).toEqual({ file: 'sc/t.yaml', line: 14, col: 11 });
  });

  it('scenario: an unknown kind is only a warning', () => {
    const s = load(scenario('  resources:\n    - {apiVersion: v1, kind: ConfigMap, metadata: {name: c}, data: {a: b}}'));
    expect(s.diagnostics.map((d) => [d.code, d.level])).toEqual([['MSH0101', 'warning']]);
  });

  it('scenario: every problem is reported at once, not just the first', () => {
    const text = scenario(`  seed: -1
  workloads:
    reviewz-v1: {serviceTime: 3ms}
    details-v1: {serviceTime: {distribution: lognormal, median: 5ms, p99: 2ms}}
  traffic:
    - {name: a, from: sleep, url: "ftp://productpage/", rate: 5/s}
    - {name: b, from: sleep, url: "http://productpage:9080/"}
  expect:
    - {name: e, client: c, errorRate: "< 1%"}
    - {name: s, split: {v1: 50%, v2: 40%}}`);
    const ds = thrown(() => load(text));
    expect(ds.map((d) => d.path)).toEqual([
      'spec.seed',
      'spec.workloads.reviewz-v1',
      'spec.workloads.details-v1.serviceTime.p99',
      'spec.traffic[0].url',
      'spec.traffic[1]',
      'spec.expect[0].client',
      'spec.expect[1].split',
    ]);
    expect(ds[1].message).toMatch(/did you mean 'reviews-v1'/);
    expect(ds[2].message).toMatch(/must be greater than the median/);
    expect(ds[4].message).toMatch(/needs rate .* or connections/);
    expect(ds[6].message).toMatch(/add up to 90%/);
  });

  it('scenario: a manifest given as the scenario says so', () => {
    const ds = diagnosticsOf(readFileSync('scenarios/bookinfo/virtual-service-reviews-v3.yaml', 'utf8'));
    expect(ds).toHaveLength(1);
    expect(ds[0].message).toMatch(/VirtualService manifest, not a scenario/);
  });

  it('scenario: the Istio version must be a quoted string', () => {
    const ds = thrown(() => load(scenario('  mesh: {istio: {version: 1.10}}')));
    expect(ds[0].message).toMatch(/quoted string/);
  });
});

describe('scenario semantics', () => {
  it('profile: version "1.22" plus an override switch', () => {
    const s = load(scenario('  mesh:\n    istio: {version: "1.22", legacyFirstEjectionAlwaysAllowed: true}\n    outboundTrafficPolicy: {mode: REGISTRY_ONLY}'));
    expect(s.profile).toMatchObject({ istioVersion: '1.22', defaultRetryOn503: true, legacyFirstEjectionAlwaysAllowed: true, outboundTrafficPolicy: 'REGISTRY_ONLY' });
    expect(load(scenario('  mesh: {istio: {version: "1.18"}}')).profile.legacyFirstEjectionAlwaysAllowed).toBe(true);
  });

  it('overrides: --seed and --duration replace the file values; stop follows the duration', () => {
    const s = load(scenario('  seed: 7\n  traffic: [{name: a, from: sleep, url: "http://productpage:9080/", rate: 1/s}]'), {}, { seed: 42, durationUs: 5_000_000 });
    expect([s.seed, s.durationUs, s.traffic[0].stopUs]).toEqual([42, 5_000_000, 5_000_000]);
  });

  it('traffic: closed loop with connections; qps defaults to 0', () => {
    const s = load(scenario('  traffic: [{name: f, from: sleep, url: "http://productpage:9080/", connections: 2, requests: 20}]'));
    expect(s.traffic[0].load).toEqual({ kind: 'closed', connections: 2, qps: 0 });
    expect(s.traffic[0].requests).toBe(20);
  });

  it('traffic: a rate of 600/m is 10 per second', () => {
    const s = load(scenario('  traffic: [{name: f, url: "http://productpage:9080/", rate: 600/m, arrival: constant}]'));
    expect(s.traffic[0]).toMatchObject({ from: null, load: { kind: 'open', ratePerSec: 10, arrival: 'constant' } });
  });

  it('workloads: "ns/name" keys, parallel call steps, errors as a percentage', () => {
    const s = load(
      scenario(`  workloads:
    default/productpage-v1:
      errors: {rate: 2.5%, status: 503}
      onCallFailure: {status: 502}
      calls:
        - parallel:
            - {url: "http://details:9080/details/0"}
            - {url: "http://reviews:9080/reviews/0", headers: {X-Test: "1"}}`),
    );
    const pp = s.workloads.find((w) => w.deployment === 'productpage-v1');
    expect(pp).toMatchObject({ errorPpm: 25_000, errorStatus: 503, onCallFailure: { kind: 'status', status: 502 } });
    expect(pp?.calls).toHaveLength(1);
    expect(pp?.calls[0].parallel.map((c) => [c.url.host, c.headers])).toEqual([
      ['details', []],
      ['reviews', [['x-test', '1']]],
    ]);
  });

  it('workloads: distributions uniform, exponential and empirical', () => {
    const s = load(
      scenario(`  workloads:
    details-v1: {serviceTime: {distribution: uniform, min: 1ms, max: 3ms}}
    ratings-v1: {serviceTime: {distribution: exponential, mean: 2ms}}
    reviews-v1: {serviceTime: {distribution: empirical, buckets: [{le: 5ms, weight: 3}, {le: 20ms, weight: 1}]}}`),
    );
    const st = (d: string): unknown => s.workloads.find((w) => w.deployment === d)?.serviceTime;
    expect(st('details-v1')).toEqual({ kind: 'uniform', minUs: 1000, maxUs: 3000 });
    expect(st('ratings-v1')).toEqual({ kind: 'exponential', meanUs: 2000 });
    expect(st('reviews-v1')).toEqual({ kind: 'empirical', upperUs: [5000, 20000], weights: [3, 1] });
  });

  it('workloads: a distribution without its kind asks for `distribution`', () => {
    const ds = thrown(() => load(scenario('  workloads:\n    details-v1: {serviceTime: {median: 1ms, p99: 5ms}}')));
    expect(ds.map((d) => [d.path, d.message])).toEqual([
      ['spec.workloads.details-v1.serviceTime.distribution', "missing required field 'distribution' (one of 'constant', 'uniform', 'exponential', 'lognormal', 'empirical')"],
    ]);
  });

  it('expectations: one entry with p50 and p99 becomes two named checks; windows from during/after', () => {
    const s = load(
      scenario(`  traffic: [{name: a, from: sleep, url: "http://productpage:9080/", rate: 1/s}]
  expect:
    - {name: fast, client: a, latency: {p50: "< 10ms", p99: "<= 100ms", mean: "< 20ms"}, during: [10s, 30s]}
    - {name: ok, client: a, codes: {"200": ">= 99%"}, counts: {"503": "== 0"}, after: 45s}
    - {name: even, edge: {service: reviews}, split: {v1: 50%, v3: 0.5}, splitBy: workload, tolerance: 5%, confidence: 99%}`),
    );
    expect(s.expectations.map((e) => e.name)).toEqual(['fast (p50)', 'fast (p99)', 'fast (mean)', 'ok (code 200)', 'ok (count 503)', 'even']);
    expect(s.expectations[1].check).toEqual({ kind: 'latency', percentile: 99, op: '<=', valueUs: 100_000 });
    expect(s.expectations[2].check).toMatchObject({ kind: 'latency', statistic: 'mean' });
    expect(s.expectations[0].scope).toEqual({ client: 'a', window: { fromUs: 10_000_000, toUs: 30_000_000 } });
    expect(s.expectations[3].check).toEqual({ kind: 'code', code: '200', op: '>=', fraction: 0.99, count: null });
    expect(s.expectations[4].check).toEqual({ kind: 'code', code: '503', op: '==', fraction: null, count: 0 });
    expect(s.expectations[4].scope.window?.fromUs).toBe(45_000_000);
    expect(s.expectations[5].check).toEqual({ kind: 'split', by: 'workload', shares: { v1: 0.5, v3: 0.5 }, tolerance: 0.05, confidence: 0.99 });
  });

  it('timeline: apply files are loaded at load time and sorted by time; delete names keys', () => {
    const s = load(
      scenario(`  timeline:
    - {at: 40s, delete: {kind: VirtualService, name: reviews}}
    - {at: 30s, apply: [bookinfo/destination-rule-all.yaml, bookinfo/virtual-service-reviews-50-v3.yaml]}`),
    );
    expect(s.timeline.map((a) => [a.kind, a.atUs, a.label])).toEqual([
      ['apply', 30_000_000, 'apply bookinfo/destination-rule-all.yaml, bookinfo/virtual-service-reviews-50-v3.yaml'],
      ['delete', 40_000_000, 'delete VirtualService default/reviews'],
    ]);
    const apply = s.timeline[0];
    expect(apply.kind === 'apply' && apply.resources.map((r) => [r.kind, r.meta.name, r.meta.order])).toEqual([
      ['DestinationRule', 'productpage', 18],
      ['DestinationRule', 'reviews', 19],
      ['DestinationRule', 'ratings', 20],
      ['DestinationRule', 'details', 21],
      ['VirtualService', 'reviews', 22],
    ]);
    expect(s.timeline[1].kind === 'delete' && s.timeline[1].keys).toEqual(['VirtualService/default/reviews']);
    expect(s.diagnostics).toEqual([]);
  });

  it('timeline: an error inside an applied file fails the load with that file\'s position', () => {
    const ds = thrown(() =>
      load(scenario('  timeline:\n    - {at: 30s, apply: bad.yaml}'), {
        'sc/bad.yaml': 'apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: r}\nspec:\n  host: reviews\n  subsets: [{name: v1}, {name: v1}]\n',
      }),
    );
    expect(ds.map((d) => [d.source?.file, d.source?.line, d.message])).toEqual([['sc/bad.yaml', 6, "duplicate subset name 'v1' (also subsets[0])"]]);
  });

  it('--apply: same kind/namespace/name replaces in place (keeping its order), others are added', () => {
    const base = scenario('').replace('[bookinfo/platform.yaml]', '[bookinfo/platform.yaml, bookinfo/virtual-service-reviews-test-v2.yaml]');
    const s = load(base, {}, { apply: ['sc/bookinfo/virtual-service-reviews-v3.yaml', 'sc/bookinfo/destination-rule-all.yaml'] });
    const vss = s.resources.filter((r): r is VirtualServiceResource => r.kind === 'VirtualService');
    expect(vss).toHaveLength(1);
    expect(vss[0].meta.source.file).toBe('sc/bookinfo/virtual-service-reviews-v3.yaml');
    expect(vss[0].meta.order).toBe(18);
    expect(s.resources.indexOf(vss[0])).toBe(18);
    expect(vss[0].spec.http?.[0].route?.[0].destination.subset).toBe('v3');
    expect(s.resources.filter((r) => r.kind === 'DestinationRule').map((r) => r.meta.order)).toEqual([20, 21, 22, 23]);
    expect(s.resources).toHaveLength(23);
  });

  it('--apply: a missing file is an error without a position', () => {
    const ds = thrown(() => load(scenario(''), {}, { apply: ['nope.yaml'] }));
    expect(ds).toEqual([{ code: 'MSH0003', level: 'error', resource: '', message: "cannot read --apply file 'nope.yaml': file not found", source: null }]);
  });

  it('inputHash: changes when any input file changes, stable otherwise', () => {
    const text = scenario('');
    const a = load(text).inputHash;
    expect(load(text).inputHash).toBe(a);
    const changed = readFileSync('scenarios/bookinfo/platform.yaml', 'utf8').replace('replicas: 1', 'replicas: 2');
    expect(load(text, { 'sc/bookinfo/platform.yaml': changed }).inputHash).not.toBe(a);
  });
});
