/**
 * The expectations language as written in scenario files: scopes, time buckets, checks, and
 * `split: fromConfig`, resolved at load time with errors at the offending field.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { memoryFiles } from '../../sim/config/file-source.ts';
import { parseScenarioText } from '../../sim/config/index.ts';
import { resolveExpectationEntries } from '../../sim/config/expectations.ts';
import type { Diagnostic } from '../../sim/domain/diagnostics.ts';
import type { ResolvedScenario } from '../../sim/config/types.ts';

function files(extra: Record<string, string> = {}): ReturnType<typeof memoryFiles> {
  const map: Record<string, string> = {};
  for (const f of readdirSync('scenarios/bookinfo')) map[`sc/bookinfo/${f}`] = readFileSync(`scenarios/bookinfo/${f}`, 'utf8');
  return memoryFiles({ ...map, ...extra });
}

const HEAD = ['apiVersion: meshsim.dev/v1alpha1', 'kind: Scenario', 'metadata: {name: t}', 'spec:', '  duration: 60s'];
const TRAFFIC = '  traffic: [{name: c, from: sleep, url: "http://productpage:9080/productpage", rate: 10/s}]';

function parse(manifests: string[], rest: string): { scenario: ResolvedScenario | null; diagnostics: Diagnostic[] } {
  const text = [...HEAD, `  manifests: [${manifests.map((m) => `bookinfo/${m}`).join(', ')}]`, TRAFFIC, rest, ''].join('\n');
  return parseScenarioText(text, 'sc/t.yaml', files());
}

function ok(manifests: string[], rest: string): ResolvedScenario {
  const r = parse(manifests, rest);
  expect(r.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
  return r.scenario!;
}

function errors(manifests: string[], rest: string): [string | undefined, string][] {
  return parse(manifests, rest)
    .diagnostics.filter((d) => d.level === 'error')
    .map((d) => [d.path, d.message]);
}

const PLATFORM = ['platform.yaml', 'destination-rule-all.yaml'];

describe('scopes', () => {
  it('rule by index or by name; workload', () => {
    const s = ok(
      [...PLATFORM, 'virtual-service-reviews-test-v2.yaml'],
      `  expect:
    - {name: a, rule: {virtualService: default/reviews, index: 1}, requests: "> 0"}
    - {name: b, rule: {virtualService: reviews, index: 0}, workload: reviews-v2, requests: "> 0"}`,
    );
    expect(s.expectations[0].scope).toEqual({ rule: { virtualService: 'default/reviews', index: 1 } });
    expect(s.expectations[1].scope).toEqual({ rule: { virtualService: 'default/reviews', index: 0 }, workload: 'reviews-v2' });
  });

  it('a rule that does not exist, or a workload that is no Deployment, is a reference error with a suggestion', () => {
    expect(
      errors(
        [...PLATFORM, 'virtual-service-reviews-test-v2.yaml'],
        `  expect:
    - {name: a, rule: {virtualService: default/reveiws, index: 0}, requests: "> 0"}
    - {name: b, rule: {virtualService: default/reviews, index: 2}, requests: "> 0"}
    - {name: c, rule: {virtualService: default/reviews, name: nope}, requests: "> 0"}
    - {name: d, workload: reviews-v9, requests: "> 0"}
    - {name: e, neverReaches: reviewz-v3}`,
      ),
    ).toEqual([
      ['spec.expect[0].rule.virtualService', "no VirtualService default/reveiws is loaded (did you mean 'default/reviews'?); VirtualServices: default/reviews"],
      ['spec.expect[1].rule.index', 'VirtualService default/reviews has 2 http rules (indexes 0–1), not 2'],
      ['spec.expect[2].rule.name', "VirtualService default/reviews has no http rule named 'nope'; named rules: (none)"],
      ['spec.expect[3].workload', expect.stringMatching(/^workload 'reviews-v9' names no Deployment \(did you mean 'reviews-v1'\?\)/)],
      ['spec.expect[4].neverReaches', expect.stringMatching(/^neverReaches 'reviewz-v3' names no Deployment \(did you mean 'reviews-v3'\?\)/)],
    ]);
  });
});

describe('checks', () => {
  it('neverReaches (one or several), retries as count or share, ejections, proxyConfig', () => {
    const s = ok(
      PLATFORM,
      `  expect:
    - {name: a, client: c, neverReaches: reviews-v3}
    - {name: b, neverReaches: [reviews-v2, reviews-v3]}
    - {name: c, retries: "<= 10"}
    - {name: d, retries: "< 5%"}
    - {name: e, ejections: "== 0"}
    - {name: f, workload: reviews-v1, proxyConfig: {version: latest, by: 35s}}`,
    );
    expect(s.expectations.map((e) => e.check)).toEqual([
      { kind: 'neverReaches', workloads: ['reviews-v3'] },
      { kind: 'neverReaches', workloads: ['reviews-v2', 'reviews-v3'] },
      { kind: 'retries', op: '<=', count: 10, fraction: null },
      { kind: 'retries', op: '<', count: null, fraction: 0.05 },
      { kind: 'ejections', op: '==', count: 0 },
      { kind: 'proxyConfig', version: 'latest', byUs: 35_000_000 },
    ]);
  });

  it('exact: split values are counts; tolerance and confidence do not apply', () => {
    const s = ok(PLATFORM, '  expect:\n    - {name: a, edge: {service: reviews}, split: {v1: 412, v3: 388}, exact: true}');
    expect(s.expectations[0].check).toEqual({ kind: 'splitCounts', by: 'version', counts: { v1: 412, v3: 388 } });
    expect(errors(PLATFORM, '  expect:\n    - {name: a, edge: {service: reviews}, split: {v1: 50%}, exact: true, tolerance: 5%}')).toEqual([
      ['spec.expect[0].split.v1', '"50%" is not a whole count (with exact: true, split values are request counts such as 206)'],
      ['spec.expect[0].tolerance', 'tolerance does not apply to exact counts; remove it or drop exact'],
    ]);
  });

  it('confidence without a split sets the bound of "== x%" checks, and is an error otherwise', () => {
    const s = ok(PLATFORM, '  expect:\n    - {name: a, client: c, codes: {"503": "== 10%"}, confidence: 99%}');
    expect(s.expectations[0].check).toEqual({ kind: 'code', code: '503', op: '==', fraction: 0.1, count: null, confidence: 0.99 });
    expect(errors(PLATFORM, '  expect:\n    - {name: a, client: c, errorRate: "< 1%", confidence: 99%}')[0][1]).toMatch(/^confidence applies to a split or to a share compared with ==/);
  });

  it('proxyConfig takes no request scope', () => {
    expect(errors(PLATFORM, '  expect:\n    - {name: a, client: c, proxyConfig: {version: 2, by: 10s}}')).toEqual([
      ['spec.expect[0].proxyConfig', 'proxyConfig looks at proxies, not requests: its only scope is workload (and by); remove client, edge, rule, during and after'],
    ]);
  });
});

describe('over time', () => {
  it('always/eventually with a bucket (default 5s)', () => {
    const s = ok(
      PLATFORM,
      `  expect:
    - {name: a, edge: {service: reviews}, split: {v1: 33.3%, v2: 33.3%, v3: 33.4%}, always: true, bucket: 10s}
    - {name: b, client: c, latency: {p99: "< 1s"}, eventually: true}`,
    );
    expect(s.expectations.map((e) => e.temporal)).toEqual([
      { mode: 'always', bucketUs: 10_000_000 },
      { mode: 'eventually', bucketUs: 5_000_000 },
    ]);
  });

  it('both modes, a bucket without a mode, a zero bucket, and proxyConfig per bucket are errors', () => {
    expect(
      errors(
        PLATFORM,
        `  expect:
    - {name: a, client: c, requests: "> 0", always: true, eventually: true}
    - {name: b, client: c, requests: "> 0", bucket: 5s}
    - {name: c, client: c, requests: "> 0", always: true, bucket: 0s}
    - {name: d, proxyConfig: {version: 1, by: 1s}, always: true}`,
      ).map(([p, m]) => `${p}: ${m}`),
    ).toEqual([
      'spec.expect[0]: use either always or eventually, not both',
      'spec.expect[1].bucket: bucket only applies with always: true or eventually: true',
      'spec.expect[2].bucket: bucket must be > 0, e.g. "5s"',
      'spec.expect[3]: proxyConfig cannot be judged per bucket; remove always/eventually or put it in its own entry',
    ]);
  });
});

describe('split: fromConfig', () => {
  it('reads 50/50 v1/v3 from virtual-service-reviews-50-v3.yaml (subsets mapped to version labels)', () => {
    const s = ok([...PLATFORM, 'virtual-service-reviews-50-v3.yaml'], '  expect:\n    - {name: a, edge: {from: productpage-v1, service: reviews}, split: fromConfig}');
    expect(s.expectations[0].check).toEqual({ kind: 'split', by: 'version', shares: { v1: 0.5, v3: 0.5 }, tolerance: null, confidence: 0.999, origin: 'VirtualService default/reviews rule 0' });
  });

  it('by workload maps each subset to its one Deployment', () => {
    const s = ok([...PLATFORM, 'virtual-service-reviews-50-v3.yaml'], '  expect:\n    - {name: a, edge: {service: reviews}, split: fromConfig, splitBy: workload}');
    expect(s.expectations[0].check).toMatchObject({ shares: { 'reviews-v1': 0.5, 'reviews-v3': 0.5 } });
  });

  it('a rule scope picks the rule of a VirtualService with several (jason → v2)', () => {
    const s = ok([...PLATFORM, 'virtual-service-reviews-test-v2.yaml'], '  expect:\n    - {name: a, rule: {virtualService: default/reviews, index: 0}, split: fromConfig}');
    expect(s.expectations[0].check).toMatchObject({ shares: { v2: 1 }, origin: 'VirtualService default/reviews rule 0' });
  });

  it('follows the timeline: the VirtualService in force at the window start', () => {
    const s = ok(
      [...PLATFORM, 'virtual-service-all-v1.yaml'],
      `  timeline: [{at: 20s, apply: bookinfo/virtual-service-reviews-50-v3.yaml}]
  expect:
    - {name: before, edge: {service: reviews}, during: [0s, 20s], split: fromConfig}
    - {name: after, edge: {service: reviews}, after: 25s, split: fromConfig}`,
    );
    expect(s.expectations.map((e) => e.check)).toMatchObject([{ shares: { v1: 1 } }, { shares: { v1: 0.5, v3: 0.5 } }]);
  });

  it('load-time errors when the config does not fix the split', () => {
    const cases: [string[], string, RegExp][] = [
      [PLATFORM, '{name: a, edge: {service: reviews}, split: fromConfig}', /no VirtualService routes reviews at 0s: its traffic is load-balanced over the pods/],
      [[...PLATFORM, 'virtual-service-reviews-test-v2.yaml'], '{name: a, edge: {service: reviews}, split: fromConfig}', /has 2 http rules \(0, 1\); say which one's weights to expect with rule: \{virtualService: default\/reviews, index: N\}/],
      [PLATFORM, '{name: a, client: c, split: fromConfig}', /needs edge.service or rule/],
      [['platform.yaml', 'virtual-service-reviews-50-v3.yaml'], '{name: a, edge: {service: reviews}, split: fromConfig}', /subset v1 of reviews is defined in no DestinationRule at 0s: those requests fail with 503 NC/],
      [[...PLATFORM, 'virtual-service-reviews-50-v3.yaml'], '{name: a, edge: {service: reviews}, split: fromConfig, exact: true}', /exact counts cannot come from config/],
    ];
    for (const [m, entry, re] of cases) {
      const errs = errors(m, `  expect:\n    - ${entry}`);
      expect(errs.map(([, msg]) => msg).join('\n')).toMatch(re);
    }
  });

  it('a change inside the window is an error that asks for a narrower window', () => {
    const errs = errors(
      [...PLATFORM, 'virtual-service-all-v1.yaml'],
      `  timeline: [{at: 20s, apply: bookinfo/virtual-service-reviews-50-v3.yaml}]
  expect:
    - {name: a, edge: {service: reviews}, split: fromConfig}`,
    );
    expect(errs).toEqual([
      ['spec.expect[0].split', 'split: fromConfig: VirtualService default/reviews changes at 20s, inside the window [0s, 60s); narrow the window with during or after so it sees one configuration'],
    ]);
  });
});

describe('resolveExpectationEntries (entries given outside a scenario file, e.g. a lab step)', () => {
  const s = ok([...PLATFORM, 'virtual-service-reviews-50-v3.yaml'], '');

  it('resolves entries against a loaded scenario with the same rules', () => {
    const r = resolveExpectationEntries([{ name: 'half on v3', edge: { service: 'reviews' }, split: 'fromConfig' }], s, { file: 'lab.yaml', base: ['steps', 0, 'expect'] });
    expect(r.diagnostics).toEqual([]);
    expect(r.expectations[0].check).toMatchObject({ kind: 'split', shares: { v1: 0.5, v3: 0.5 } });
  });

  it('reports shape and reference errors with paths under the given base', () => {
    const r = resolveExpectationEntries(
      [
        { name: 'a', client: 'nobody', requests: '> 0' },
        { name: 'b', splt: { v1: '100%' } },
      ],
      s,
      { file: 'lab.yaml', base: ['steps', 0, 'expect'] },
    );
    expect(r.expectations).toEqual([]);
    expect(r.diagnostics.map((d) => [d.path, d.message])).toEqual([
      ['steps[0].expect[1].splt', expect.stringMatching(/unknown field 'splt' \(did you mean 'split'\?\)/)],
      ['steps[0].expect[0].client', "client 'nobody' names no traffic entry; clients: c"],
      ['steps[0].expect[1]', expect.stringMatching(/^expectation 'b' checks nothing/)],
    ]);
  });
});
