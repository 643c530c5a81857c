/**
 * Random meshes with a random timeline (issue 4 item 5; istio-semantics.md §6.1, §6.3): pods are
 * killed, crash, scale, roll; Deployments are applied and deleted, Services deleted; apps slow down and fail; partitions open and close; client rates
 * step and ramp; config propagates at once or with istiod's debounce and per-proxy delays. Every
 * such scenario must load, run without an exception or budget stop, keep the trace invariants
 * (no attempt to a pod that is gone, ejected hosts untouched, counts consistent …) and replay
 * identically from its seed. A failure prints the shrunk scenario as YAML.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { memoryFiles, parseScenarioText } from '../../sim/config/index.ts';
import { runScenario } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import { checkInvariants } from '../helpers/invariants.ts';
import { SCENARIO_FILE, toYaml } from './build-model.ts';
import { deploymentName, meshModelArb, type MeshModel } from './mesh-model.ts';
import { assertProperty, propertySettings } from './settings.ts';

const settings = propertySettings();

/** One timeline entry, with targets given as indexes (resolved modulo what the mesh has, so shrinking keeps them valid). */
type ActionModel =
  | { kind: 'kill'; app: number; version: number; replace: boolean; graceMs: number }
  | { kind: 'crash'; app: number; version: number }
  | { kind: 'scale'; app: number; version: number; replicas: number }
  | { kind: 'restart'; app: number; version: number }
  | { kind: 'slow'; app: number; version: number; extraMs: number; forMs: number }
  | { kind: 'fail'; app: number; version: number; ratioPct: number; forMs: number }
  | { kind: 'partition'; fromSleep: boolean; fromApp: number; app: number; version: number; forMs: number }
  | { kind: 'traffic'; client: number; rate: number; overMs: number }
  /** Merge-patch the app's DestinationRule (when it has one) with outlier detection, pool limits and/or locality LB. */
  | { kind: 'policy'; app: number; outlier: boolean; pool: boolean; locality: 'none' | 'failover' | 'distribute' }
  /** Apply a new Deployment `svcI-canary` (the app's Service selects it; no subset does) with `replicas` pods. */
  | { kind: 'deploy'; app: number; replicas: number }
  /** Delete one of the app's Deployments: its pods terminate. */
  | { kind: 'undeploy'; app: number; version: number }
  /** Delete the app's Service: its name stops resolving. */
  | { kind: 'unservice'; app: number };

interface TimelineCase {
  mesh: MeshModel;
  /** Simulated time of each action as a fraction (‰) of the run. */
  actions: { atPermille: number; action: ActionModel }[];
  propagation: 'instant' | 'default';
  readinessDelayMs: number;
  /** Locality of each Deployment's pods by declaration order (`istio-locality` label, §2.6), or none at all. */
  localities: number[] | null;
}

/** The localities of the istio.io locality task (§8.8), as `istio-locality` label values. */
const LOCALITIES = ['region1.zone1', 'region1.zone2', 'region2.zone3', 'region3.zone4'];

const target = { app: fc.nat(3), version: fc.nat(1) };
const actionArb: fc.Arbitrary<ActionModel> = fc.oneof(
  fc.record({ kind: fc.constant('kill' as const), ...target, replace: fc.boolean(), graceMs: fc.constantFrom(0, 0, 50) }),
  fc.record({ kind: fc.constant('crash' as const), ...target }),
  fc.record({ kind: fc.constant('scale' as const), ...target, replicas: fc.integer({ min: 0, max: 3 }) }),
  fc.record({ kind: fc.constant('restart' as const), ...target }),
  fc.record({ kind: fc.constant('slow' as const), ...target, extraMs: fc.integer({ min: 1, max: 50 }), forMs: fc.constantFrom(0, 100) }),
  fc.record({ kind: fc.constant('fail' as const), ...target, ratioPct: fc.constantFrom(30, 100), forMs: fc.constantFrom(0, 100) }),
  fc.record({ kind: fc.constant('partition' as const), fromSleep: fc.boolean(), fromApp: fc.nat(3), ...target, forMs: fc.constantFrom(0, 100) }),
  fc.record({ kind: fc.constant('traffic' as const), client: fc.nat(1), rate: fc.integer({ min: 1, max: 80 }), overMs: fc.constantFrom(0, 200) }),
  fc.record({ kind: fc.constant('policy' as const), app: fc.nat(3), outlier: fc.boolean(), pool: fc.boolean(), locality: fc.constantFrom('none' as const, 'failover' as const, 'distribute' as const) }),
  fc.record({ kind: fc.constant('deploy' as const), app: fc.nat(3), replicas: fc.integer({ min: 0, max: 2 }) }),
  fc.record({ kind: fc.constant('undeploy' as const), ...target }),
  fc.record({ kind: fc.constant('unservice' as const), app: fc.nat(3) }),
);

const caseArb: fc.Arbitrary<TimelineCase> = fc.record({
  mesh: meshModelArb,
  actions: fc.array(fc.record({ atPermille: fc.integer({ min: 0, max: 999 }), action: actionArb }), { maxLength: 5 }),
  propagation: fc.constantFrom('instant' as const, 'default' as const),
  readinessDelayMs: fc.constantFrom(20, 2000),
  localities: fc.option(fc.array(fc.nat(LOCALITIES.length - 1), { minLength: 1, maxLength: 9 }), { nil: null }),
});

/** "svcI-vV" (or "ns1/svcI-vV") of the target, clamped to what the mesh has. */
function workloadRef(m: MeshModel, app: number, version: number): string {
  const i = app % m.apps.length;
  const a = m.apps[i];
  const name = deploymentName(i, version % a.versions.length);
  return a.namespace === 'default' ? name : `${a.namespace}/${name}`;
}

/**
 * The timeline as YAML entries. Pod-count changes (kill, crash, scale, restart) touch each
 * Deployment at most once, so every entry is valid when it runs (a second kill could find no pod
 * left: a load-time error by design, covered by test/resilience/timeline-yaml.test.ts).
 */
function timelineYaml(c: TimelineCase): { entries: Record<string, unknown>[]; files: Record<string, string> } {
  const m = c.mesh;
  const files: Record<string, string> = {};
  const durationMs = m.durationMs;
  const podCountTouched = new Set<string>();
  const entries: { atUs: number; entry: Record<string, unknown> }[] = [];
  const readinessDelay = `${c.readinessDelayMs}ms`;
  const atUsOf = (atPermille: number): number => Math.floor((durationMs * 1000 * atPermille) / 1000);
  // A deleted Deployment cannot be named later (a load-time error by design): find the deletions
  // first; they take the Deployment's one pod-count change, and later entries naming it are dropped.
  const deletedAt = new Map<string, number>();
  const deletions = new Set<ActionModel>();
  for (const { atPermille, action: a } of c.actions) {
    if (a.kind !== 'undeploy') continue;
    const w = workloadRef(m, a.app, a.version);
    if (deletedAt.has(w)) continue;
    deletedAt.set(w, atUsOf(atPermille));
    podCountTouched.add(w);
    deletions.add(a);
  }
  const gone = (w: string, atUs: number): boolean => (deletedAt.get(w) ?? Infinity) <= atUs;
  for (const { atPermille, action: a } of c.actions) {
    const atUs = atUsOf(atPermille);
    const at = `${atUs}us`;
    let entry: Record<string, unknown> | null = null;
    if (a.kind !== 'undeploy' && 'app' in a && 'version' in a && gone(workloadRef(m, a.app, a.version), atUs)) continue;
    if (a.kind === 'partition' && !a.fromSleep && gone(workloadRef(m, a.fromApp, 0), atUs)) continue;
    switch (a.kind) {
      case 'kill':
      case 'crash':
      case 'scale':
      case 'restart': {
        const w = workloadRef(m, a.app, a.version);
        if (podCountTouched.has(w)) break;
        podCountTouched.add(w);
        if (a.kind === 'kill') entry = { at, kill: { workload: w, replace: a.replace, grace: `${a.graceMs}ms`, readinessDelay } };
        else if (a.kind === 'crash') entry = { at, crash: { workload: w, readinessDelay } };
        else if (a.kind === 'scale') entry = { at, scale: { workload: w, replicas: a.replicas, readinessDelay } };
        else entry = { at, restart: { workload: w, readinessDelay } };
        break;
      }
      case 'slow':
        entry = { at, slow: { workload: workloadRef(m, a.app, a.version), extra: `${a.extraMs}ms`, ...(a.forMs > 0 ? { for: `${a.forMs}ms` } : {}) } };
        break;
      case 'fail':
        entry = { at, fail: { workload: workloadRef(m, a.app, a.version), ratio: `${a.ratioPct}%`, ...(a.forMs > 0 ? { for: `${a.forMs}ms` } : {}) } };
        break;
      case 'partition': {
        const from = a.fromSleep ? 'sleep' : workloadRef(m, a.fromApp, 0);
        entry = { at, partition: { from, to: workloadRef(m, a.app, a.version), ...(a.forMs > 0 ? { for: `${a.forMs}ms` } : {}) } };
        break;
      }
      case 'traffic':
        entry = { at, traffic: { client: `c${a.client % m.clients.length}`, rate: `${a.rate}/s`, ...(a.overMs > 0 ? { over: `${a.overMs}ms` } : {}) } };
        break;
      case 'policy': {
        const i = a.app % m.apps.length;
        const app = m.apps[i];
        // Only apps with routing have a DestinationRule (build-model.ts); patching a missing one is a load error by design.
        if (app.routing === null || (!a.outlier && !a.pool && a.locality === 'none')) break;
        const trafficPolicy: Record<string, unknown> = {};
        // Only one of failover / distribute may be set: each patch deletes the other (null in a merge patch).
        if (a.locality === 'failover') trafficPolicy.loadBalancer = { localityLbSetting: { enabled: true, failover: [{ from: 'region1', to: 'region2' }], distribute: null } };
        if (a.locality === 'distribute') {
          trafficPolicy.loadBalancer = { localityLbSetting: { enabled: true, distribute: [{ from: 'region1/zone1/*', to: { 'region1/zone1/*': 70, 'region2/zone3/*': 30 } }], failover: null } };
        }
        if (a.outlier) trafficPolicy.outlierDetection = { consecutive5xxErrors: 1, interval: '50ms', baseEjectionTime: '100ms', maxEjectionPercent: 100 };
        if (a.pool) trafficPolicy.connectionPool = { tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1, maxRequestsPerConnection: 1 } };
        entry = { at, patch: { kind: 'DestinationRule', name: `svc${i}`, namespace: app.namespace, merge: { spec: { trafficPolicy } } } };
        break;
      }
      case 'deploy': {
        const i = a.app % m.apps.length;
        const file = `canary-svc${i}.yaml`;
        if (files[`prop/${file}`] !== undefined) break;
        const labels = { app: `svc${i}`, version: 'canary' };
        files[`prop/${file}`] = stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: `svc${i}-canary`, namespace: m.apps[i].namespace },
          spec: { replicas: a.replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app', ports: [{ containerPort: 8080 }] }] } } },
        });
        entry = { at, apply: file };
        break;
      }
      case 'undeploy': {
        if (!deletions.has(a)) break;
        const w = workloadRef(m, a.app, a.version);
        const slash = w.indexOf('/');
        entry = { at, delete: slash < 0 ? { kind: 'Deployment', name: w } : { kind: 'Deployment', namespace: w.slice(0, slash), name: w.slice(slash + 1) } };
        break;
      }
      case 'unservice': {
        const i = a.app % m.apps.length;
        entry = { at, delete: { kind: 'Service', name: `svc${i}`, namespace: m.apps[i].namespace } };
        break;
      }
    }
    if (entry) entries.push({ atUs, entry });
  }
  return { entries: entries.sort((x, y) => x.atUs - y.atUs).map((e) => e.entry), files };
}

/** Puts an `istio-locality` label on every Deployment's pods (sleep first, then the apps' Deployments in order). */
function withLocalities(meshText: string, localities: number[]): string {
  let k = 0;
  return parseAllDocuments(meshText)
    .map((d) => {
      const doc = d.toJS() as { kind: string; spec?: { template: { metadata: { labels: Record<string, string> } } } };
      if (doc.kind === 'Deployment' && doc.spec) {
        const labels = { ...doc.spec.template.metadata.labels, 'istio-locality': LOCALITIES[localities[k++ % localities.length]] };
        doc.spec.template.metadata = { ...doc.spec.template.metadata, labels };
      }
      return stringify(doc);
    })
    .join('---\n');
}

function scenarioYaml(c: TimelineCase): { scenario: string; files: Record<string, string> } {
  const y = toYaml(c.mesh);
  if (c.localities) for (const f of Object.keys(y.files)) y.files[f] = withLocalities(y.files[f], c.localities);
  const doc = parse(y.scenario) as { spec: Record<string, unknown> };
  const timeline = timelineYaml(c);
  if (timeline.entries.length > 0) doc.spec.timeline = timeline.entries;
  doc.spec.mesh = { propagation: c.propagation };
  return { scenario: stringify(doc), files: { ...y.files, ...timeline.files } };
}

function show(c: TimelineCase): string {
  const y = scenarioYaml(c);
  return [`# ${SCENARIO_FILE}`, y.scenario, ...Object.entries(y.files).map(([f, t]) => `# ${f}\n${t}`)].join('\n');
}

function loadAndRun(c: TimelineCase) {
  const y = scenarioYaml(c);
  const parsed = parseScenarioText(y.scenario, SCENARIO_FILE, memoryFiles(y.files));
  const errors = parsed.diagnostics.filter((d) => d.level === 'error');
  if (!parsed.scenario || errors.length > 0) throw new Error(`loader errors:\n  ${errors.map((d) => `${d.source?.line}:${d.source?.col} ${d.code}: ${d.message}`).join('\n  ')}`);
  const sink = new MemorySink();
  const result = runScenario(parsed.scenario, { sinks: [sink] });
  return { scenario: parsed.scenario, result, events: sink.events };
}

// Half the mesh properties' runs: each case runs twice and its timeline adds pod machines.
const runs = Math.max(1, Math.ceil(settings.numRuns / 2));

describe(`timeline properties (fast-check seed ${settings.seed}, ${runs} runs; replay with MESHSIM_PROPERTY_SEED=${settings.seed})`, () => {
  it('random timelines on random meshes load, run without exceptions or budget stops, keep the invariants and replay identically', () => {
    const property = fc.property(caseArb, (c) => {
      const a = loadAndRun(c);
      expect(a.result.budgetMessage).toBeNull();
      const violations = checkInvariants(a.events, a.result.summary, a.scenario);
      if (violations.length > 0) throw new Error(`invariants violated:\n  ${violations.join('\n  ')}`);
      const b = loadAndRun(c);
      expect(b.result.summary.traceHash).toBe(a.result.summary.traceHash);
      expect(b.result.summary).toEqual(a.result.summary);
    });
    assertProperty(property, { ...settings, numRuns: runs }, show);
  });

  // Counterexamples the property found, kept as fixed cases (fast-check's shrunk output, verbatim).
  const found: { why: string; c: TimelineCase }[] = [
    {
      why: 'a retry after the DestinationRule push (outlierDetection added) went through the stale cluster to a host the new cluster had ejected; Envoy looks the cluster up again per retry',
      c: {
        mesh: {
          seed: 1102257569,
          durationMs: 432,
          ns1Injected: false,
          apps: [
            {
              namespace: 'default',
              port: 8080,
              versions: [
                { replicas: 1, serviceTime: { kind: 'lognormal', medianUs: 100, p99Us: 101 }, concurrency: 0, queueLimit: 0, errorPct: 0, errorStatus: 500, failOnCallError: false, steps: [] },
                { replicas: 1, serviceTime: { kind: 'exponential', meanUs: 100 }, concurrency: 0, queueLimit: 0, errorPct: 0, errorStatus: 500, failOnCallError: false, steps: [] },
              ],
              routing: { weightV1: 0, headerToV2: false, headerOnly: false, timeoutMs: 0, retries: { attempts: 1, perTryTimeoutMs: 20 }, abortPct: 0 },
            },
          ],
          clients: [{ fromMesh: true, target: 0, load: { kind: 'open', ratePerSec: 31, arrival: 'poisson' }, requests: 0, timeoutMs: 0, header: false }],
        },
        actions: [
          { atPermille: 0, action: { kind: 'slow', app: 0, version: 1, extraMs: 20, forMs: 0 } },
          { atPermille: 0, action: { kind: 'policy', app: 0, outlier: true, pool: false, locality: 'none' } },
        ],
        propagation: 'default',
        readinessDelayMs: 20,
        localities: null,
      },
    },
    {
      why: 'a second DestinationRule push rebuilt the cluster while a host was ejected: the fresh cluster routes to it again, and the trace now says so with outlier.uneject',
      c: {
        mesh: {
          seed: 0,
          durationMs: 100,
          ns1Injected: false,
          apps: [
            {
              namespace: 'default',
              port: 8080,
              versions: [
                { replicas: 1, serviceTime: { kind: 'uniform', minUs: 0, maxUs: 0 }, concurrency: 0, queueLimit: 0, errorPct: 0, errorStatus: 500, failOnCallError: false, steps: [] },
                { replicas: 1, serviceTime: { kind: 'constant', valueUs: 0 }, concurrency: 0, queueLimit: 0, errorPct: 50, errorStatus: 500, failOnCallError: false, steps: [] },
              ],
              routing: { weightV1: 0, headerToV2: false, headerOnly: false, timeoutMs: 0, retries: { attempts: 0, perTryTimeoutMs: 0 }, abortPct: 0 },
            },
          ],
          clients: [
            { fromMesh: false, target: 0, load: { kind: 'closed', connections: 1, qps: 5 }, requests: 0, timeoutMs: 0, header: false },
            { fromMesh: true, target: 0, load: { kind: 'open', ratePerSec: 49, arrival: 'poisson' }, requests: 0, timeoutMs: 0, header: false },
          ],
        },
        actions: [
          { atPermille: 491, action: { kind: 'policy', app: 0, outlier: true, pool: false, locality: 'none' } },
          { atPermille: 505, action: { kind: 'policy', app: 0, outlier: false, pool: true, locality: 'none' } },
        ],
        propagation: 'instant',
        readinessDelayMs: 20,
        localities: null,
      },
    },
  ];
  for (const { why, c } of found) {
    it(`found by the property: ${why}`, () => {
      const a = loadAndRun(c);
      expect(checkInvariants(a.events, a.result.summary, a.scenario)).toEqual([]);
    });
  }
});
