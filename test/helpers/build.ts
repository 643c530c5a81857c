/**
 * Builds ResolvedScenarios in code, for engine-level tests that should not depend on YAML
 * (queueing oracles, determinism properties). Mirrors what sim/config produces.
 */
import type {
  DeploymentResource,
  Distribution,
  NamespaceResource,
  ResolvedScenario,
  Resource,
  ResourceMeta,
  ServiceResource,
  TrafficSpec,
  WorkloadBehaviour,
  CallStep,
  ExpectationSpec,
  ParsedUrl,
} from '../../sim/config/types.ts';
import { defaultProfile, parseUrl as parseConfigUrl } from '../../sim/config/index.ts';

let order = 0;

function meta(kind: string, name: string, namespace = 'default', labels: Record<string, string> = {}): ResourceMeta {
  return { kind, apiVersion: 'v1', name, namespace, labels, annotations: {}, source: { file: '<test>', line: 1, col: 1 }, order: order++, positions: new Map() };
}

export function namespace(name: string, labels: Record<string, string> = { 'istio-injection': 'enabled' }): NamespaceResource {
  return { kind: 'Namespace', meta: meta('Namespace', name, '', labels) };
}

export function deployment(name: string, opts: { app?: string; version?: string; replicas?: number; namespace?: string; sa?: string } = {}): DeploymentResource {
  const app = opts.app ?? name;
  const labels: Record<string, string> = { app };
  if (opts.version) labels.version = opts.version;
  return {
    kind: 'Deployment',
    meta: meta('Deployment', name, opts.namespace),
    replicas: opts.replicas ?? 1,
    selector: labels,
    podLabels: labels,
    podAnnotations: {},
    serviceAccount: opts.sa ?? 'default',
    containerPorts: [{ containerPort: 8080 }],
  };
}

export function service(name: string, port = 8080, opts: { app?: string; namespace?: string } = {}): ServiceResource {
  return {
    kind: 'Service',
    meta: meta('Service', name, opts.namespace),
    selector: { app: opts.app ?? name },
    ports: [{ name: 'http', port, targetPort: 8080, protocol: 'TCP' }],
  };
}

export const constant = (valueUs: number): Distribution => ({ kind: 'constant', valueUs });
export const exponential = (meanUs: number): Distribution => ({ kind: 'exponential', meanUs });

export function behaviour(deploymentName: string, b: Partial<WorkloadBehaviour> = {}, namespaceName = 'default'): WorkloadBehaviour {
  return {
    namespace: namespaceName,
    deployment: deploymentName,
    serviceTime: constant(1000),
    concurrency: 0,
    queueLimit: 0,
    queueFullStatus: 503,
    errorPpm: 0,
    errorStatus: 503,
    status: 200,
    calls: [] as CallStep[],
    propagateHeaders: [],
    onCallFailure: { kind: 'continue' },
    responseBytes: 0,
    source: null,
    ...b,
  };
}

export function call(url: string, opts: { timeoutUs?: number; attempts?: number; retryWhen?: 'error' | 'non-2xx' } = {}) {
  return {
    url: parseUrl(url),
    method: 'GET',
    headers: [] as [string, string][],
    timeoutUs: opts.timeoutUs ?? 0,
    attempts: opts.attempts ?? 1,
    retryWhen: opts.retryWhen ?? 'error',
    source: null,
  };
}

/** The loader's own URL parser, so code-built scenarios read URLs exactly as YAML ones do. */
export function parseUrl(url: string): ParsedUrl {
  const parsed = parseConfigUrl(url);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

export function openTraffic(name: string, from: string | null, url: string, ratePerSec: number, opts: Partial<TrafficSpec> = {}): TrafficSpec {
  return {
    name,
    from: from ? { namespace: 'default', deployment: from } : null,
    method: 'GET',
    url: parseUrl(url),
    headers: [],
    load: { kind: 'open', ratePerSec, arrival: 'poisson' },
    requests: 0,
    startUs: 0,
    stopUs: 60_000_000,
    timeoutUs: 0,
    source: null,
    ...opts,
  };
}

export function scenario(parts: {
  resources: Resource[];
  workloads?: WorkloadBehaviour[];
  traffic: TrafficSpec[];
  seed?: number;
  durationUs?: number;
  expectations?: ExpectationSpec[];
  zeroLatency?: boolean;
}): ResolvedScenario {
  const deployments = parts.resources.filter((r): r is DeploymentResource => r.kind === 'Deployment');
  const given = new Map((parts.workloads ?? []).map((w) => [`${w.namespace}/${w.deployment}`, w]));
  const workloads = deployments.map((d) => given.get(`${d.meta.namespace}/${d.meta.name}`) ?? behaviour(d.meta.name, {}, d.meta.namespace));
  const zero = constant(0);
  return {
    name: 'test',
    description: '',
    file: '<test>',
    seed: parts.seed ?? 1,
    durationUs: parts.durationUs ?? 60_000_000,
    profile: defaultProfile('1.28'),
    resources: parts.resources,
    workloads,
    traffic: parts.traffic,
    timeline: [],
    expectations: parts.expectations ?? [],
    budgets: { maxEvents: 50_000_000, maxSimTimeUs: 3600_000_000, maxInFlight: 1_000_000 },
    latency: parts.zeroLatency
      ? { outbound: zero, inbound: zero, network: zero }
      : { outbound: { kind: 'lognormal', medianUs: 200, p99Us: 800 }, inbound: { kind: 'lognormal', medianUs: 200, p99Us: 800 }, network: constant(50) },
    diagnostics: [],
    inputHash: '0',
  };
}
