/**
 * A synthetic mesh for scale benchmarks, deterministic from a seed: `services` services spread
 * over a few namespaces, each with a v1 and a v2 Deployment (pods split between them), a call
 * graph that only points to higher-numbered services (no cycles, bounded fan-out), and a mix of
 * DestinationRules + VirtualServices (weighted splits, header matches, retries/timeouts, faults,
 * plain default routing). Output is YAML text in an in-memory file map, so it goes through the
 * same parser and validation as a user's files (sim/config), not a hand-built ResolvedScenario.
 */
import seedrandom from 'seedrandom';
import { memoryFiles, type FileSource } from '../../sim/config/file-source.ts';

export interface MeshShape {
  services: number;
  pods: number;
  namespaces: number;
  /** Requests per second the load generator sends (spread over the entry services). */
  ratePerSec: number;
  /** Simulated seconds of traffic. */
  durationSec: number;
  seed: number;
}

export const DEFAULT_SHAPE: MeshShape = { services: 200, pods: 1000, namespaces: 4, ratePerSec: 500, durationSec: 2, seed: 1 };

export type VsKind = 'none' | 'split' | 'header' | 'retry' | 'fault';
const VS_KINDS: VsKind[] = ['none', 'split', 'header', 'retry', 'fault'];

export interface GeneratedMesh {
  files: FileSource;
  /** Path of the scenario inside `files`. */
  scenarioPath: string;
  /** Per service: name, namespace and the VirtualService kind it got. */
  services: { name: string; namespace: string; vs: VsKind }[];
  /** The manifest file holding service i's VirtualService (for one-VS-change benchmarks). */
  vsFile(i: number): string;
  /** A changed VirtualService for service i (weights moved), as YAML text. */
  changedVs(i: number): string;
}

const fqdn = (name: string, ns: string): string => `${name}.${ns}.svc.cluster.local`;

export function generateMesh(shape: MeshShape = DEFAULT_SHAPE): GeneratedMesh {
  if (shape.services < 2 || shape.pods < 2 * shape.services) throw new Error('generateMesh: need >= 2 services and >= 2 pods per service');
  const rng = seedrandom.alea(`mesh/${shape.seed}`);
  const pick = (n: number): number => Math.floor(rng() * n);
  const files: Record<string, string> = {};
  const services: GeneratedMesh['services'] = [];
  const platform: string[] = [];
  for (let n = 0; n < shape.namespaces; n++) platform.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: ns${n}\n  labels: {istio-injection: enabled}\n`);
  platform.push(`apiVersion: v1\nkind: Namespace\nmetadata:\n  name: load\n  labels: {istio-injection: enabled}\n`);
  platform.push(deployment('loadgen', 'load', 'v1', 1));
  const basePods = Math.floor(shape.pods / shape.services);
  let extra = shape.pods - basePods * shape.services;
  for (let i = 0; i < shape.services; i++) {
    const name = `svc${i}`;
    const ns = `ns${i % shape.namespaces}`;
    const pods = basePods + (extra-- > 0 ? 1 : 0);
    const v2 = Math.max(1, Math.floor(pods / 3));
    platform.push(`apiVersion: v1\nkind: Service\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  ports:\n  - {port: 8080, name: http}\n  selector: {app: ${name}}\n`);
    platform.push(deployment(name, ns, 'v1', pods - v2));
    platform.push(deployment(name, ns, 'v2', v2));
    services.push({ name, namespace: ns, vs: VS_KINDS[pick(VS_KINDS.length)] });
  }
  files['gen/platform.yaml'] = platform.join('---\n');

  const vsFile = (i: number): string => `gen/vs-${i}.yaml`;
  const manifests = ['platform.yaml'];
  services.forEach((s, i) => {
    if (s.vs === 'none') return;
    files[vsFile(i)] = destinationRule(s.name, s.namespace) + '---\n' + virtualService(s.name, s.namespace, s.vs, 90);
    manifests.push(`vs-${i}.yaml`);
  });

  // Calls: each service calls up to two higher-numbered services; the last ones are leaves.
  const workloads: string[] = [];
  services.forEach((s, i) => {
    const calls: string[] = [];
    const fanOut = i + 1 < shape.services ? pick(3) : 0;
    for (let c = 0; c < fanOut; c++) {
      const j = i + 1 + pick(Math.min(20, shape.services - i - 1));
      const t = services[j];
      calls.push(`        - {url: "http://${fqdn(t.name, t.namespace)}:8080/", timeout: 2s}`);
    }
    const body = `      serviceTime: {distribution: exponential, mean: ${1 + pick(4)}ms}\n      concurrency: 8\n` + (calls.length ? `      calls:\n${calls.join('\n')}\n` : '');
    workloads.push(`    ${s.namespace}/${s.name}-v1:\n${body}    ${s.namespace}/${s.name}-v2:\n${body}`);
  });
  // Entry points: the first tenth of the services share the external rate.
  const entries = Math.max(1, Math.floor(shape.services / 10));
  const traffic: string[] = [];
  for (let e = 0; e < entries; e++) {
    const s = services[e];
    traffic.push(`    - {name: c${e}, from: load/loadgen-v1, url: "http://${fqdn(s.name, s.namespace)}:8080/", rate: ${(shape.ratePerSec / entries).toFixed(3)}/s}`);
  }
  files['gen/scenario.yaml'] = [
    'apiVersion: meshsim.dev/v1alpha1',
    'kind: Scenario',
    `metadata: {name: generated-${shape.services}-${shape.pods}}`,
    'spec:',
    `  seed: ${shape.seed}`,
    `  duration: ${shape.durationSec}s`,
    '  budgets: {maxEvents: 100000000, maxInFlight: 1000000}',
    `  manifests: [${manifests.join(', ')}]`,
    '  workloads:',
    ...workloads,
    '  traffic:',
    ...traffic,
    '',
  ].join('\n');

  return {
    files: memoryFiles(files),
    scenarioPath: 'gen/scenario.yaml',
    services,
    vsFile,
    changedVs: (i) => virtualService(services[i].name, services[i].namespace, services[i].vs === 'none' ? 'split' : services[i].vs, 70),
  };
}

function deployment(app: string, ns: string, version: string, replicas: number): string {
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: ${app}-${version}\n  namespace: ${ns}\nspec:\n  replicas: ${replicas}\n  selector:\n    matchLabels: {app: ${app}, version: ${version}}\n  template:\n    metadata:\n      labels: {app: ${app}, version: ${version}}\n    spec:\n      containers:\n      - {name: app, image: app}\n`;
}

function destinationRule(name: string, ns: string): string {
  return `apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  host: ${name}\n  subsets:\n  - {name: v1, labels: {version: v1}}\n  - {name: v2, labels: {version: v2}}\n`;
}

/** `v1Weight` only matters for splits; the other kinds ignore it except as a marker of change. */
export function virtualService(name: string, ns: string, kind: VsKind, v1Weight: number): string {
  const head = `apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  hosts: [${name}]\n  http:\n`;
  const to = (subset: string, weight?: number): string => `    - destination: {host: ${name}, subset: ${subset}}${weight === undefined ? '' : `\n      weight: ${weight}`}\n`;
  switch (kind) {
    case 'split':
      return `${head}  - route:\n${to('v1', v1Weight)}${to('v2', 100 - v1Weight)}`;
    case 'header':
      return `${head}  - match:\n    - headers: {end-user: {exact: tester}}\n    route:\n${to('v2')}  - route:\n${to('v1')}`;
    case 'retry':
      return `${head}  - timeout: ${v1Weight * 10}ms\n    retries: {attempts: 2, perTryTimeout: 300ms, retryOn: 5xx}\n    route:\n${to('v1')}`;
    case 'fault':
      return `${head}  - fault:\n      delay: {percentage: {value: ${100 - v1Weight}}, fixedDelay: 1ms}\n    route:\n${to('v1')}`;
    default:
      return `${head}  - route:\n${to('v1')}`;
  }
}
