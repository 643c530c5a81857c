/**
 * A Service with no ready pod, called without a client sidecar (kube-proxy, istio-semantics.md
 * §6.2): the connection fails (000 UF) and the request still ends — the answer comes as an engine
 * event, never from inside send() (found by test/properties/timeline.property.test.ts: a request
 * answered synchronously was never ended, because the caller had no handle yet).
 */
import { describe, expect, it } from 'vitest';
import { memoryFiles, parseScenarioText } from '../../sim/config/index.ts';
import { runScenario } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import { checkInvariants } from '../helpers/invariants.ts';

const MESH = `apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  selector: {app: web}
  ports: [{port: 8080, name: http}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: REPLICAS
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: app, image: web}]}
`;

function scenario(replicas: number, timeline: string): string {
  return `apiVersion: meshsim.dev/v1alpha1
kind: Scenario
metadata: {name: no-endpoints}
spec:
  seed: 3
  duration: 2s
  manifests: [mesh.yaml]
  traffic:
    - {name: outside, url: "http://web:8080/", rate: 20/s}
    - {name: closed, url: "http://web:8080/", connections: 1, qps: 10}
${timeline}`;
}

function run(replicas: number, timeline = '') {
  const parsed = parseScenarioText(scenario(replicas, timeline), 'sc.yaml', memoryFiles({ 'mesh.yaml': MESH.replace('REPLICAS', String(replicas)) }));
  if (!parsed.scenario) throw new Error(parsed.diagnostics.map((d) => d.message).join('\n'));
  const sink = new MemorySink();
  const result = runScenario(parsed.scenario, { sinks: [sink] });
  return { s: parsed.scenario, result, events: sink.events };
}

describe('no ready endpoint behind a Service, no client sidecar', () => {
  it('replicas 0: every request ends 000 UF at once, open and closed loop alike (the closed loop keeps sending)', () => {
    const { s, result, events } = run(0);
    expect(checkInvariants(events, result.summary, s)).toEqual([]);
    const starts = events.filter((e) => e.kind === 'client.start').length;
    const ends = events.filter((e) => e.kind === 'client.end');
    expect(ends).toHaveLength(starts);
    expect(ends.every((e) => e.kind === 'client.end' && e.code === 0 && e.flags === 'UF' && e.latencyUs === 0)).toBe(true);
    const closed = result.summary.clients.find((c) => c.name === 'closed')!;
    // 10 qps paced over 2 s: the loop goes on after each failure instead of hanging on the first.
    expect(closed.requests).toBeGreaterThanOrEqual(15);
  });

  it('the only pod killed mid-run: requests after the kill end 000 UF, those before it 200', () => {
    const { s, result, events } = run(1, '  timeline:\n    - {at: 1s, kill: {workload: web, replace: false}}\n');
    expect(checkInvariants(events, result.summary, s)).toEqual([]);
    const ends = events.filter((e) => e.kind === 'client.end');
    expect(ends.length).toBe(events.filter((e) => e.kind === 'client.start').length);
    for (const e of ends) {
      if (e.kind !== 'client.end') continue;
      const startUs = e.timeUs - e.latencyUs;
      if (startUs > 1_000_100) expect([e.code, e.flags]).toEqual([0, 'UF']);
      if (e.timeUs < 999_000) expect(e.code).toBe(200);
    }
  });
});
