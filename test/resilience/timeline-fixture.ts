/**
 * A small platform for timeline tests: `web` (3 replicas, constant 5 ms service time unless the
 * scenario says otherwise) and `client` (2 replicas, so two sidecars get each push at their own
 * moment), plus the canary files of scenarios/resilience/ for routing changes.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { memoryFiles } from '../../sim/config/file-source.ts';
import { loadScenario } from '../../sim/config/index.ts';
import type { ResolvedScenario } from '../../sim/config/types.ts';
import { runScenario, type RunOptions } from '../../sim/run.ts';
import type { TraceEvent } from '../../sim/trace/events.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import { checkInvariants } from '../helpers/invariants.ts';

export const S = 1_000_000;
export const MS = 1_000;

export const PLATFORM = `apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{name: http, port: 8080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, version: v1}}
    spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  replicas: 2
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: client, image: curl}]}
`;

/** The scenario file at sc/t.yaml: `spec` lines go under spec: after the manifests. */
export function scenarioText(spec: string, manifests = '[platform.yaml]'): string {
  return ['apiVersion: meshsim.dev/v1alpha1', 'kind: Scenario', 'metadata: {name: t}', 'spec:', `  manifests: ${manifests}`, spec, ''].join('\n');
}

export function files(text: string): ReturnType<typeof memoryFiles> {
  const map: Record<string, string> = { 'sc/t.yaml': text, 'sc/platform.yaml': PLATFORM };
  for (const f of readdirSync('scenarios/resilience')) map[`sc/resilience/${f}`] = readFileSync(`scenarios/resilience/${f}`, 'utf8');
  return memoryFiles(map);
}

export function load(spec: string, manifests?: string): ResolvedScenario {
  return loadScenario('sc/t.yaml', files(scenarioText(spec, manifests)));
}

/** Runs with an in-memory trace; the run must keep every trace invariant. */
export function run(s: ResolvedScenario, opts: RunOptions = {}): { r: ReturnType<typeof runScenario>; events: TraceEvent[] } {
  const sink = new MemorySink();
  const r = runScenario(s, { ...opts, sinks: [sink] });
  expect(r.budgetMessage).toBeNull();
  expect(checkInvariants(sink.events, r.summary, s)).toEqual([]);
  return { r, events: sink.events as TraceEvent[] };
}

/** pod.state events as "<seconds>s <pod> <state>". */
export function podStates(events: readonly TraceEvent[]): string[] {
  return events.filter((e) => e.kind === 'pod.state').map((e) => `${e.timeUs / S}s ${e.pod} ${e.state}`);
}

/** Binomial bound that holds for any seed (z = 4.5, failure probability ≈ 7e-6 per check). */
export function binomialBound(n: number, p: number): number {
  return 4.5 * Math.sqrt((p * (1 - p)) / n);
}
