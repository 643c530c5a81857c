/**
 * Wizard YAML (viz/src/wizards/generate.ts) loads through the real scenario loader, layered over
 * Bookinfo like the page's Run does, and routes as the form said.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { memoryFiles, parseManifestText, parseScenarioText, runScenario, type RunSummary } from '../../sim/index.ts';
import { evenWeights, generateWizardYaml, rebalanceWeights, type WizardInput, type WizardService } from '../../viz/src/wizards/generate.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function bookinfoFiles(): Record<string, string> {
  const files: Record<string, string> = { 'scenarios/bookinfo.yaml': readFileSync(join(repoRoot, 'scenarios/bookinfo.yaml'), 'utf8') };
  for (const f of readdirSync(join(repoRoot, 'scenarios/bookinfo'))) files[`scenarios/bookinfo/${f}`] = readFileSync(join(repoRoot, 'scenarios/bookinfo', f), 'utf8');
  return files;
}

const reviews: WizardService = { namespace: 'default', name: 'reviews', versions: ['v1', 'v2', 'v3'] };
const ratings: WizardService = { namespace: 'default', name: 'ratings', versions: ['v1'] };

/** Runs Bookinfo for 20 s with the wizard files layered at t=0, as the page does. */
function runWith(...inputs: WizardInput[]): RunSummary {
  const files = bookinfoFiles();
  const apply: string[] = [];
  for (const input of inputs) {
    const r = generateWizardYaml(input);
    if (!r.ok) throw new Error(r.errors.join('\n'));
    const path = `scenarios/${r.file.name}`;
    files[path] = r.file.text;
    apply.push(path);
  }
  const { scenario, diagnostics } = parseScenarioText(files['scenarios/bookinfo.yaml']!, 'scenarios/bookinfo.yaml', memoryFiles(files), { apply, durationUs: 20_000_000 });
  expect(diagnostics.filter((d) => d.level === 'error')).toEqual([]);
  return runScenario(scenario!).summary;
}

const edge = (s: RunSummary, from: string, to: string | null, service: string) => s.edges.filter((e) => e.source === from && e.destination === to && e.service === service).reduce((n, e) => n + e.requests, 0);
const serviceRequests = (s: RunSummary, from: string, service: string) => s.edges.filter((e) => e.source === from && e.service === service).reduce((n, e) => n + e.requests, 0);

describe('wizard weights', () => {
  it('rebalanceWeights keeps whole numbers summing to 100 for any slider move', () => {
    const versions = ['v1', 'v2', 'v3'];
    let w = evenWeights(versions);
    expect(w).toEqual({ v1: 34, v2: 33, v3: 33 });
    for (const [v, x] of [['v1', 80], ['v3', 7], ['v2', 100], ['v2', 0], ['v1', 33], ['v3', 101], ['v1', -5]] as const) {
      w = rebalanceWeights(w, versions, v, x);
      expect(Object.values(w).reduce((a, b) => a + b, 0)).toBe(100);
      expect(Object.values(w).every((n) => Number.isInteger(n) && n >= 0)).toBe(true);
      expect(w[v]).toBe(Math.max(0, Math.min(100, x)));
    }
    // Others keep their proportions: 80 for v1 leaves 20 shared 1:1 by v2 and v3.
    expect(rebalanceWeights({ v1: 34, v2: 33, v3: 33 }, versions, 'v1', 80)).toEqual({ v1: 80, v2: 10, v3: 10 });
    expect(rebalanceWeights({ v1: 100, v2: 0, v3: 0 }, versions, 'v1', 40)).toEqual({ v1: 40, v2: 30, v3: 30 });
  });

  it('refuses weights that do not add up to 100, and unknown versions', () => {
    const r = generateWizardYaml({ kind: 'weighted', service: reviews, weights: { v1: 50, v2: 40, v3: 0 } });
    expect(r).toEqual({ ok: false, errors: ['weights add up to 90; they must add up to 100'] });
    const m = generateWizardYaml({ kind: 'matching', service: reviews, routes: [{ header: 'End User', kind: 'regex', value: '(', version: 'v9' }], fallbackVersion: 'v1' });
    expect(m.ok).toBe(false);
    if (!m.ok) expect(m.errors).toEqual([
      'match 1: header name "End User" must be a lower-case HTTP token (e.g. end-user)',
      'match 1: "(" is not a valid regular expression (Istio uses RE2 syntax)',
      'match 1: reviews has no version v9 (it has v1, v2, v3)',
    ]);
  });
});

describe('wizard YAML through the scenario loader', () => {
  it('every wizard writes one DestinationRule and one VirtualService named after the service, valid manifests', () => {
    const inputs: WizardInput[] = [
      { kind: 'weighted', service: reviews, weights: { v1: 80, v2: 0, v3: 20 } },
      { kind: 'matching', service: reviews, routes: [{ header: 'end-user', kind: 'exact', value: 'jason', version: 'v2' }], fallbackVersion: 'v1' },
      { kind: 'fault', service: ratings, version: null, delay: { percent: 10, fixedDelayMs: 1500 }, abort: { percent: 5, httpStatus: 500 } },
      { kind: 'timeouts', service: reviews, version: 'v2', timeoutMs: 500, retries: { attempts: 3, perTryTimeoutMs: 200, retryOn: '5xx,connect-failure' } },
    ];
    for (const input of inputs) {
      const r = generateWizardYaml(input);
      expect(r.ok).toBe(true);
      if (!r.ok) continue;
      expect(r.file.name).toBe(`${input.service.name}-${input.kind}.yaml`);
      const parsed = parseManifestText(r.file.text, r.file.name);
      expect(parsed.diagnostics).toEqual([]);
      expect(parsed.resources.map((x) => `${x.kind} ${x.meta.namespace}/${x.meta.name}`)).toEqual([`DestinationRule default/${input.service.name}`, `VirtualService default/${input.service.name}`]);
    }
  });

  // istio-semantics.md §1.6 and §8.3: weights are per cent of the rule's requests.
  it('weighted routing: reviews 80/20 over v1/v3 splits productpage → reviews within a 5-sigma binomial bound, v2 gets none', () => {
    const s = runWith({ kind: 'weighted', service: reviews, weights: { v1: 80, v2: 0, v3: 20 } });
    const n = serviceRequests(s, 'productpage-v1', 'reviews');
    expect(n).toBeGreaterThan(300);
    const v1 = edge(s, 'productpage-v1', 'reviews-v1', 'reviews');
    expect(Math.abs(v1 / n - 0.8)).toBeLessThan(5 * Math.sqrt((0.8 * 0.2) / n));
    expect(edge(s, 'productpage-v1', 'reviews-v3', 'reviews')).toBe(n - v1);
    expect(edge(s, 'productpage-v1', 'reviews-v2', 'reviews')).toBe(0);
  });

  // istio-semantics.md §1.5 and §8.1: header match routes jason; the catch-all rule takes the rest.
  it.each([
    ['exact', 'jason'],
    ['prefix', 'jas'],
    ['regex', '^j.*n$'],
  ] as const)('request matching (%s): every jason page reaches reviews v2, every other one v1', (kind, value) => {
    const s = runWith({ kind: 'matching', service: reviews, routes: [{ header: 'end-user', kind, value, version: 'v2' }], fallbackVersion: 'v1' });
    const jason = s.clients.find((c) => c.name === 'jason')!;
    const anonymous = s.clients.find((c) => c.name === 'anonymous')!;
    expect(jason.requests).toBeGreaterThan(0);
    expect(edge(s, 'productpage-v1', 'reviews-v2', 'reviews')).toBe(jason.requests);
    expect(edge(s, 'productpage-v1', 'reviews-v1', 'reviews')).toBe(anonymous.requests);
    expect(edge(s, 'productpage-v1', 'reviews-v3', 'reviews')).toBe(0);
    expect(s.rules.find((r) => r.virtualService === 'default/reviews' && r.rule === 0)?.hits).toBe(jason.requests);
  });

  // istio-semantics.md §1.8: an abort at 100 % answers every call with the status, no upstream reached.
  it('fault injection: abort 100 % with 503 on ratings fails every ratings call with 503', () => {
    const s = runWith({ kind: 'fault', service: ratings, version: 'v1', delay: null, abort: { percent: 100, httpStatus: 503 } });
    const calls = s.edges.filter((e) => e.service === 'ratings');
    const total = calls.reduce((n, e) => n + e.requests, 0);
    expect(total).toBeGreaterThan(0);
    expect(calls.reduce((n, e) => n + (e.codes['503'] ?? 0), 0)).toBe(total);
  });

  it('fault injection: a 100 % fixed delay of 1s makes every ratings call take at least 1 s', () => {
    const s = runWith({ kind: 'fault', service: ratings, version: null, delay: { percent: 100, fixedDelayMs: 1000 }, abort: null });
    const calls = s.edges.filter((e) => e.service === 'ratings' && e.requests > 0);
    expect(calls.length).toBeGreaterThan(0);
    for (const e of calls) expect(e.latencyMs.p50).toBeGreaterThanOrEqual(1000);
  });

  // istio-semantics.md §8.5: ratings delayed 2 s and a 0.5 s timeout on reviews → 504 UT at productpage.
  it('timeouts: a 500ms route timeout on reviews v2 with ratings delayed 2s turns every reviews call into a 504', () => {
    const s = runWith(
      { kind: 'fault', service: ratings, version: null, delay: { percent: 100, fixedDelayMs: 2000 }, abort: null },
      { kind: 'timeouts', service: reviews, version: 'v2', timeoutMs: 500, retries: null },
    );
    const calls = s.edges.filter((e) => e.source === 'productpage-v1' && e.service === 'reviews');
    const total = calls.reduce((n, e) => n + e.requests, 0);
    expect(total).toBeGreaterThan(0);
    expect(calls.reduce((n, e) => n + (e.codes['504'] ?? 0), 0)).toBe(total);
    expect(calls.reduce((n, e) => n + (e.flags['UT'] ?? 0), 0)).toBe(total);
  });
});
