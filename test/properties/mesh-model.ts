/**
 * A small, printable description of a random mesh and its scenario, and the fast-check arbitraries
 * that generate it. Everything generated is valid (what istiod and the loader accept), small
 * (a few hundred simulated milliseconds, tens of requests) and acyclic: application i only calls
 * applications after it, so call plans form a DAG (call cycles are refused at load time).
 *
 * The model is turned into a ResolvedScenario in code and into YAML text by build-model.ts;
 * both must give the same run.
 */
import fc from 'fast-check';

export type DistModel =
  | { kind: 'constant'; valueUs: number }
  | { kind: 'exponential'; meanUs: number }
  | { kind: 'uniform'; minUs: number; maxUs: number }
  | { kind: 'lognormal'; medianUs: number; p99Us: number };

export interface CallModel {
  /**
   * How many applications after the caller the called one is (clamped to the last). Relative, so
   * that shrinking can drop applications and every call stays valid; the last application's
   * calls are dropped, which keeps the call graph a DAG.
   */
  ahead: number;
  /** How the host is written: "name", "name.ns" or the FQDN. */
  hostForm: 'short' | 'ns' | 'fqdn';
  timeoutMs: number;
  attempts: number;
  retryWhen: 'error' | 'non-2xx';
}

export interface VersionModel {
  replicas: number;
  serviceTime: DistModel;
  concurrency: number;
  queueLimit: number;
  /** Whole percent of requests the app fails with `errorStatus`. */
  errorPct: number;
  errorStatus: number;
  /** Answer 503 when a downstream call finally failed (else carry on with 200). */
  failOnCallError: boolean;
  /** Call plan: steps in order, calls of a step in parallel. */
  steps: CallModel[][];
}

/** VirtualService + DestinationRule for an application with two versions. */
export interface RoutingModel {
  /** Weight of v1 in the default route (v2 gets the rest). */
  weightV1: number;
  /** A first rule sending requests with `x-test: a` to v2. */
  headerToV2: boolean;
  /** With headerToV2: no default route, so requests without the header get 404 NR. */
  headerOnly: boolean;
  timeoutMs: number;
  retries: { attempts: number; perTryTimeoutMs: number } | null;
  /** Percentage of requests the sidecar aborts with 503 (fault injection). */
  abortPct: number;
}

export interface AppModel {
  namespace: 'default' | 'ns1';
  port: number;
  versions: VersionModel[];
  routing: RoutingModel | null;
}

export type LoadModelSpec = { kind: 'open'; ratePerSec: number; arrival: 'poisson' | 'constant' } | { kind: 'closed'; connections: number; qps: number };

export interface ClientModel {
  /** From the `sleep` Deployment (through its sidecar) or from outside the mesh. */
  fromMesh: boolean;
  /** Index of the application it calls, modulo the number of applications. */
  target: number;
  load: LoadModelSpec;
  /** Stop after this many requests; 0 = no limit. */
  requests: number;
  timeoutMs: number;
  /** Send `x-test: a` (matched by RoutingModel.headerToV2). */
  header: boolean;
}

export interface MeshModel {
  seed: number;
  durationMs: number;
  /** Whether pods in ns1 get sidecars (default always does): clients then reach them directly. */
  ns1Injected: boolean;
  apps: AppModel[];
  clients: ClientModel[];
}

/** Index of the application a call of application `from` reaches, or null (the last one calls nothing). */
export function callTarget(m: MeshModel, from: number, c: CallModel): number | null {
  return from + 1 < m.apps.length ? Math.min(from + c.ahead, m.apps.length - 1) : null;
}

export const clientTarget = (m: MeshModel, c: ClientModel): number => c.target % m.apps.length;

export const appName = (i: number): string => `svc${i}`;
export const deploymentName = (i: number, v: number): string => `svc${i}-v${v + 1}`;

const distArb: fc.Arbitrary<DistModel> = fc.oneof(
  fc.record({ kind: fc.constant('constant' as const), valueUs: fc.integer({ min: 0, max: 5000 }) }),
  fc.record({ kind: fc.constant('exponential' as const), meanUs: fc.integer({ min: 100, max: 20_000 }) }),
  fc
    .tuple(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 20_000 }))
    .map(([a, b]) => ({ kind: 'uniform' as const, minUs: Math.min(a, b), maxUs: Math.max(a, b) })),
  fc
    .tuple(fc.integer({ min: 100, max: 10_000 }), fc.integer({ min: 1, max: 40_000 }))
    .map(([median, extra]) => ({ kind: 'lognormal' as const, medianUs: median, p99Us: median + extra })),
);

function callArb(): fc.Arbitrary<CallModel> {
  return fc.record({
    ahead: fc.integer({ min: 1, max: 3 }),
    hostForm: fc.constantFrom('short' as const, 'ns' as const, 'fqdn' as const),
    timeoutMs: fc.constantFrom(0, 0, 5, 20, 100),
    attempts: fc.integer({ min: 1, max: 2 }),
    retryWhen: fc.constantFrom('error' as const, 'non-2xx' as const),
  });
}

function versionArb(): fc.Arbitrary<VersionModel> {
  const steps = fc.array(fc.array(callArb(), { minLength: 1, maxLength: 2 }), { maxLength: 2 });
  return fc.record({
    replicas: fc.integer({ min: 1, max: 3 }),
    serviceTime: distArb,
    concurrency: fc.integer({ min: 0, max: 4 }),
    queueLimit: fc.integer({ min: 0, max: 3 }),
    errorPct: fc.constantFrom(0, 0, 0, 10, 50),
    errorStatus: fc.constantFrom(500, 503),
    failOnCallError: fc.boolean(),
    steps,
  });
}

const routingArb: fc.Arbitrary<RoutingModel> = fc.record({
  weightV1: fc.integer({ min: 0, max: 100 }),
  headerToV2: fc.boolean(),
  headerOnly: fc.boolean(),
  timeoutMs: fc.constantFrom(0, 0, 10, 50, 200),
  retries: fc.option(fc.record({ attempts: fc.integer({ min: 0, max: 3 }), perTryTimeoutMs: fc.constantFrom(0, 20) }), { nil: null }),
  abortPct: fc.constantFrom(0, 0, 10),
});

function appArb(): fc.Arbitrary<AppModel> {
  return fc
    .record({
      namespace: fc.constantFrom('default' as const, 'ns1' as const),
      port: fc.constantFrom(8080, 9080),
      versions: fc.array(versionArb(), { minLength: 1, maxLength: 2 }),
      routing: fc.option(routingArb, { nil: null }),
    })
    .map((a) => (a.versions.length === 2 ? a : { ...a, routing: null }));
}

function clientArb(): fc.Arbitrary<ClientModel> {
  const load: fc.Arbitrary<LoadModelSpec> = fc.oneof(
    fc.record({ kind: fc.constant('open' as const), ratePerSec: fc.integer({ min: 1, max: 80 }), arrival: fc.constantFrom('poisson' as const, 'constant' as const) }),
    fc.record({ kind: fc.constant('closed' as const), connections: fc.integer({ min: 1, max: 2 }), qps: fc.integer({ min: 5, max: 50 }) }),
  );
  return fc.record({
    fromMesh: fc.boolean(),
    target: fc.integer({ min: 0, max: 3 }),
    load,
    requests: fc.constantFrom(0, 0, 5),
    timeoutMs: fc.constantFrom(0, 0, 50),
    header: fc.boolean(),
  });
}

// No `chain`: every part shrinks on its own, so a failure shrinks to few applications and calls.
export const meshModelArb: fc.Arbitrary<MeshModel> = fc.record({
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  durationMs: fc.integer({ min: 100, max: 1000 }),
  ns1Injected: fc.boolean(),
  apps: fc.array(appArb(), { minLength: 1, maxLength: 4 }),
  clients: fc.array(clientArb(), { minLength: 1, maxLength: 2 }),
});
