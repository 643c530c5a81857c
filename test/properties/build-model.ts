/**
 * MeshModel → the two inputs meshsim accepts: a ResolvedScenario built in code (test/helpers) and
 * the YAML text a user would write (a scenario plus one manifest file). The property tests run
 * both and expect the same trace, which checks the loader against the builder as a side effect.
 */
import { stringify } from 'yaml';
import type { CallSpec, Distribution, Resource, ResolvedScenario, WorkloadBehaviour } from '../../sim/config/types.ts';
import { behaviour, call, deployment, namespace, openTraffic, scenario, service } from '../helpers/build.ts';
import { destinationRule, virtualService } from '../helpers/istio.ts';
import type { VirtualServiceSpec } from '../../sim/config/istio-types.ts';
import { appName, callTarget, clientTarget, deploymentName } from './mesh-model.ts';
import type { CallModel, ClientModel, DistModel, MeshModel, RoutingModel, VersionModel } from './mesh-model.ts';

export const SCENARIO_FILE = 'prop/scenario.yaml';
export const MESH_FILE = 'prop/mesh.yaml';

// ---- shared pieces -----------------------------------------------------------------------------

function callUrl(m: MeshModel, from: number, to: number, c: CallModel): string {
  const target = m.apps[to];
  const name = appName(to);
  const host =
    c.hostForm === 'fqdn' ? `${name}.${target.namespace}.svc.cluster.local` : c.hostForm === 'short' && target.namespace === m.apps[from].namespace ? name : `${name}.${target.namespace}`;
  return `http://${host}:${target.port}/`;
}

/** The calls of each step that reach an application (steps left empty disappear). */
function plan(m: MeshModel, from: number, ver: VersionModel): { to: number; c: CallModel }[][] {
  return ver.steps
    .map((step) => step.flatMap((c) => {
      const to = callTarget(m, from, c);
      return to === null ? [] : [{ to, c }];
    }))
    .filter((step) => step.length > 0);
}

/** Clients (sleep, or outside the mesh) resolve names from the default namespace. */
function clientUrl(m: MeshModel, c: ClientModel): string {
  const i = clientTarget(m, c);
  const app = m.apps[i];
  const host = app.namespace === 'default' ? appName(i) : `${appName(i)}.${app.namespace}`;
  return `http://${host}:${app.port}/`;
}

function routingSpec(i: number, r: RoutingModel): VirtualServiceSpec {
  const host = appName(i);
  const common: Record<string, unknown> = {};
  if (r.timeoutMs > 0) common.timeout = `${r.timeoutMs}ms`;
  if (r.retries) common.retries = { attempts: r.retries.attempts, retryOn: '5xx', ...(r.retries.perTryTimeoutMs > 0 ? { perTryTimeout: `${r.retries.perTryTimeoutMs}ms` } : {}) };
  if (r.abortPct > 0) common.fault = { abort: { httpStatus: 503, percentage: { value: r.abortPct } } };
  const http: Record<string, unknown>[] = [];
  if (r.headerToV2) http.push({ match: [{ headers: { 'x-test': { exact: 'a' } } }], route: [{ destination: { host, subset: 'v2' } }], ...common });
  if (r.headerToV2 && r.headerOnly) return { hosts: [host], http } as VirtualServiceSpec;
  http.push({
    route: [
      { destination: { host, subset: 'v1' }, weight: r.weightV1 },
      { destination: { host, subset: 'v2' }, weight: 100 - r.weightV1 },
    ],
    ...common,
  });
  return { hosts: [host], http } as VirtualServiceSpec;
}

const drSpec = (i: number) => ({ host: appName(i), subsets: [1, 2].map((v) => ({ name: `v${v}`, labels: { version: `v${v}` } })) });

// ---- in code -----------------------------------------------------------------------------------

function distribution(d: DistModel): Distribution {
  return { ...d } as Distribution;
}

function behaviourOf(m: MeshModel, i: number, v: number, ver: VersionModel): WorkloadBehaviour {
  const ns = m.apps[i].namespace;
  return behaviour(
    deploymentName(i, v),
    {
      serviceTime: distribution(ver.serviceTime),
      concurrency: ver.concurrency,
      queueLimit: ver.queueLimit,
      errorPpm: ver.errorPct * 10_000,
      errorStatus: ver.errorStatus,
      onCallFailure: ver.failOnCallError ? { kind: 'status', status: 503 } : { kind: 'continue' },
      calls: plan(m, i, ver).map((step) => ({
        parallel: step.map(({ to, c }): CallSpec => call(callUrl(m, i, to, c), { timeoutUs: c.timeoutMs * 1000, attempts: c.attempts, retryWhen: c.retryWhen })),
      })),
    },
    ns,
  );
}

export function toResolved(m: MeshModel, seed = m.seed): ResolvedScenario {
  const durationUs = m.durationMs * 1000;
  const resources: Resource[] = [namespace('default'), namespace('ns1', m.ns1Injected ? { 'istio-injection': 'enabled' } : {}), deployment('sleep')];
  const workloads: WorkloadBehaviour[] = [behaviour('sleep', { errorStatus: 500 })];
  m.apps.forEach((app, i) => {
    resources.push(service(appName(i), app.port, { namespace: app.namespace }));
    app.versions.forEach((ver, v) => {
      resources.push(deployment(deploymentName(i, v), { app: appName(i), version: `v${v + 1}`, replicas: ver.replicas, namespace: app.namespace }));
      workloads.push(behaviourOf(m, i, v, ver));
    });
  });
  m.apps.forEach((app, i) => {
    if (!app.routing) return;
    resources.push(destinationRule(appName(i), drSpec(i), app.namespace));
    resources.push(virtualService(appName(i), routingSpec(i, app.routing), app.namespace));
  });
  const traffic = m.clients.map((c, k) =>
    openTraffic(`c${k}`, c.fromMesh ? 'sleep' : null, clientUrl(m, c), c.load.kind === 'open' ? c.load.ratePerSec : 1, {
      load: c.load.kind === 'open' ? { kind: 'open', ratePerSec: c.load.ratePerSec, arrival: c.load.arrival } : { kind: 'closed', connections: c.load.connections, qps: c.load.qps },
      requests: c.requests,
      stopUs: durationUs,
      timeoutUs: c.timeoutMs * 1000,
      headers: c.header ? [['x-test', 'a'] as [string, string]] : [],
    }),
  );
  return scenario({ resources, workloads, traffic, seed, durationUs });
}

// ---- as YAML -----------------------------------------------------------------------------------

function distYaml(d: DistModel): unknown {
  switch (d.kind) {
    case 'constant':
      return `${d.valueUs}us`;
    case 'exponential':
      return { distribution: 'exponential', mean: `${d.meanUs}us` };
    case 'uniform':
      return { distribution: 'uniform', min: `${d.minUs}us`, max: `${d.maxUs}us` };
    case 'lognormal':
      return { distribution: 'lognormal', median: `${d.medianUs}us`, p99: `${d.p99Us}us` };
  }
}

function callYaml(m: MeshModel, from: number, to: number, c: CallModel): Record<string, unknown> {
  const out: Record<string, unknown> = { url: callUrl(m, from, to, c), attempts: c.attempts, retryOn: c.retryWhen };
  if (c.timeoutMs > 0) out.timeout = `${c.timeoutMs}ms`;
  return out;
}

function workloadYaml(m: MeshModel, i: number, ver: VersionModel): Record<string, unknown> {
  return {
    serviceTime: distYaml(ver.serviceTime),
    concurrency: ver.concurrency,
    queueLimit: ver.queueLimit,
    errors: { rate: `${ver.errorPct}%`, status: ver.errorStatus },
    onCallFailure: ver.failOnCallError ? { status: 503 } : 'continue',
    calls: plan(m, i, ver).map((step) => (step.length === 1 ? callYaml(m, i, step[0].to, step[0].c) : { parallel: step.map(({ to, c }) => callYaml(m, i, to, c)) })),
  };
}

const k8s = (kind: string, apiVersion: string, name: string, ns: string | null, spec: unknown, labels?: Record<string, string>) => ({
  apiVersion,
  kind,
  metadata: { name, ...(ns ? { namespace: ns } : {}), ...(labels ? { labels } : {}) },
  ...(spec === null ? {} : { spec }),
});

function meshYaml(m: MeshModel): string {
  const docs: unknown[] = [
    k8s('Namespace', 'v1', 'default', null, null, { 'istio-injection': 'enabled' }),
    k8s('Namespace', 'v1', 'ns1', null, null, m.ns1Injected ? { 'istio-injection': 'enabled' } : undefined),
    podsOf('sleep', 'default', { app: 'sleep' }, 1),
  ];
  m.apps.forEach((app, i) => {
    docs.push(k8s('Service', 'v1', appName(i), app.namespace, { selector: { app: appName(i) }, ports: [{ name: 'http', port: app.port, targetPort: 8080 }] }));
    app.versions.forEach((ver, v) => docs.push(podsOf(deploymentName(i, v), app.namespace, { app: appName(i), version: `v${v + 1}` }, ver.replicas)));
  });
  m.apps.forEach((app, i) => {
    if (!app.routing) return;
    docs.push(k8s('DestinationRule', 'networking.istio.io/v1', appName(i), app.namespace, drSpec(i)));
    docs.push(k8s('VirtualService', 'networking.istio.io/v1', appName(i), app.namespace, routingSpec(i, app.routing)));
  });
  return docs.map((d) => stringify(d)).join('---\n');
}

function podsOf(name: string, ns: string, labels: Record<string, string>, replicas: number): unknown {
  return k8s('Deployment', 'apps/v1', name, ns, {
    replicas,
    selector: { matchLabels: labels },
    template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'app', ports: [{ containerPort: 8080 }] }] } },
  });
}

/** The scenario text and the files it names, keyed the way memoryFiles reads them. */
export function toYaml(m: MeshModel, seed = m.seed): { scenario: string; files: Record<string, string> } {
  const workloads: Record<string, unknown> = { sleep: { serviceTime: '1ms' } };
  m.apps.forEach((app, i) => {
    app.versions.forEach((ver, v) => {
      const key = app.namespace === 'default' ? deploymentName(i, v) : `${app.namespace}/${deploymentName(i, v)}`;
      workloads[key] = workloadYaml(m, i, ver);
    });
  });
  const traffic = m.clients.map((c, k) => {
    const t: Record<string, unknown> = { name: `c${k}` };
    if (c.fromMesh) t.from = 'sleep';
    t.url = clientUrl(m, c);
    if (c.load.kind === 'open') Object.assign(t, { rate: `${c.load.ratePerSec}/s`, arrival: c.load.arrival });
    else Object.assign(t, { connections: c.load.connections, qps: c.load.qps });
    if (c.requests > 0) t.requests = c.requests;
    if (c.timeoutMs > 0) t.timeout = `${c.timeoutMs}ms`;
    if (c.header) t.headers = { 'x-test': 'a' };
    return t;
  });
  const doc = {
    apiVersion: 'meshsim.dev/v1alpha1',
    kind: 'Scenario',
    metadata: { name: 'property' },
    spec: { seed, duration: `${m.durationMs}ms`, manifests: ['mesh.yaml'], workloads, traffic },
  };
  return { scenario: stringify(doc), files: { [MESH_FILE]: meshYaml(m) } };
}
