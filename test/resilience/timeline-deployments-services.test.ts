/**
 * Deployments, Services and ServiceEntries that a timeline `apply`, `patch` or `delete` creates,
 * changes or removes (scenarios/README.md, "Timeline"): the Deployment controller acts on pods
 * (istio-semantics.md §6.3) and cluster DNS and istiod see Services as they come and go (§6.1).
 * Before this, the registry was built once from the t=0 resources and such entries silently did
 * nothing. Counts use bounds that hold for any seed.
 */
import { describe, expect, it } from 'vitest';
import { memoryFiles } from '../../sim/config/file-source.ts';
import { parseScenarioText } from '../../sim/config/scenario.ts';
import type { ResolvedScenario } from '../../sim/config/types.ts';
import type { ClientEndEvent, TraceEvent, UpstreamEvent } from '../../sim/trace/events.ts';
import { PLATFORM, podStates, run, S, scenarioText } from './timeline-fixture.ts';

const WEB_V2 = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web-v2}
spec:
  replicas: 2
  selector: {matchLabels: {app: web, version: v2}}
  template:
    metadata: {labels: {app: web, version: v2}}
    spec: {containers: [{name: web, image: web, ports: [{containerPort: 8080}]}]}
`;

const API_SERVICE = `apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: web}
  ports: [{name: http, port: 9090, targetPort: 8080}]
`;

const EXTERNAL = `apiVersion: apps/v1
kind: Deployment
metadata: {name: example}
spec:
  replicas: 1
  selector: {matchLabels: {app: example}}
  template:
    metadata:
      labels: {app: example}
      annotations: {meshsim.dev/external-host: api.example.com}
    spec: {containers: [{name: example, image: example, ports: [{containerPort: 80}]}]}
`;

const SERVICE_ENTRY = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: example}
spec:
  hosts: [api.example.com]
  location: MESH_EXTERNAL
  resolution: DNS
  ports: [{number: 80, name: http, protocol: HTTP}]
`;

const INJECTION_ON = `apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio-injection: enabled}}
`;

function load(spec: string, manifests = '[platform.yaml]'): { s: ResolvedScenario | null; messages: string[] } {
  const text = scenarioText(spec, manifests);
  const files = memoryFiles({
    'sc/t.yaml': text,
    'sc/platform.yaml': PLATFORM,
    'sc/web-v2.yaml': WEB_V2,
    'sc/web-v2-3.yaml': WEB_V2.replace('replicas: 2', 'replicas: 3'),
    'sc/web-v2-relabelled.yaml': WEB_V2.replace('labels: {app: web, version: v2}}', 'labels: {app: web, version: v2, track: canary}}'),
    'sc/api.yaml': API_SERVICE,
    'sc/external.yaml': EXTERNAL,
    'sc/service-entry.yaml': SERVICE_ENTRY,
    'sc/uninjected.yaml': PLATFORM.replace('metadata: {name: default, labels: {istio-injection: enabled}}', 'metadata: {name: default}'),
    'sc/injection-on.yaml': INJECTION_ON,
  });
  const { scenario, diagnostics } = parseScenarioText(text, 'sc/t.yaml', files);
  return { s: scenario, messages: diagnostics.map((d) => `${d.level}: ${d.message}`) };
}

function loaded(spec: string, manifests?: string): ResolvedScenario {
  const { s, messages } = load(spec, manifests);
  expect(messages.filter((m) => m.startsWith('error'))).toEqual([]);
  return s!;
}

const ups = (events: readonly TraceEvent[]): UpstreamEvent[] => events.filter((e): e is UpstreamEvent => e.kind === 'upstream');
const ends = (events: readonly TraceEvent[]): ClientEndEvent[] => events.filter((e): e is ClientEndEvent => e.kind === 'client.end');

/** Every client request answered before `atUs` got `before`, every one sent after it got `after` (and there were plenty of both). */
function expectCodesAround(events: readonly TraceEvent[], atUs: number, before: number, after: number): void {
  const end = ends(events);
  const early = end.filter((e) => e.timeUs < atUs);
  const late = end.filter((e) => e.timeUs - e.latencyUs > atUs);
  expect(early.length).toBeGreaterThan(100);
  expect(early.every((e) => e.code === before)).toBe(true);
  expect(late.length).toBeGreaterThan(100);
  expect(late.every((e) => e.code === after)).toBe(true);
}

describe('a Deployment applied on the timeline gets its pods then (§6.3)', () => {
  const s = loaded(`  duration: 8s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 200/s}
  timeline:
    - {at: 2s, apply: web-v2.yaml}`);

  it('web-v2-0 and web-v2-1 are created at 2 s, ready after the 2 s readiness delay, and only then serve', () => {
    const { events } = run(s);
    expect(podStates(events).filter((p) => p.includes('web-v2'))).toEqual([
      '2s web-v2-0 pending',
      '2s web-v2-0 starting',
      '2s web-v2-1 pending',
      '2s web-v2-1 starting',
      '4s web-v2-0 ready',
      '4s web-v2-1 ready',
    ]);
    const toV2 = ups(events).filter((u) => u.version === 'v2');
    expect(toV2.length).toBeGreaterThan(0);
    expect(Math.min(...toV2.map((u) => u.startUs))).toBeGreaterThanOrEqual(4 * S);
    // After 4 s the Service has 5 ready pods, 2 of them v2: LEAST_REQUEST spreads the load over them.
    const late = ups(events).filter((u) => u.startUs >= 5 * S);
    const share = late.filter((u) => u.version === 'v2').length / late.length;
    expect(Math.abs(share - 0.4)).toBeLessThan(4.5 * Math.sqrt((0.4 * 0.6) / late.length) + 0.05);
    expect(ends(events).every((e) => e.code === 200)).toBe(true);
  });

  it('a later kill or scale can name the new Deployment and its pods', () => {
    const more = loaded(`  duration: 8s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 50/s}
  timeline:
    - {at: 2s, apply: web-v2.yaml}
    - {at: 5s, kill: {pod: web-v2-1, replace: false}}
    - {at: 6s, scale: {workload: web-v2, replicas: 3}}`);
    const { events } = run(more);
    expect(podStates(events).filter((p) => p.includes('web-v2') && !p.startsWith('2s') && !p.startsWith('4s'))).toEqual([
      '5s web-v2-1 terminating',
      '5s web-v2-1 gone',
      '6s web-v2-2 pending',
      '6s web-v2-2 starting',
      '6s web-v2-3 pending',
      '6s web-v2-3 starting',
      '8s web-v2-2 ready',
      '8s web-v2-3 ready',
    ]);
  });
});

describe('re-applying, patching and deleting a Deployment on the timeline', () => {
  it('a new replicas count scales; deleting the Deployment terminates its pods gracefully', () => {
    const s = loaded(`  duration: 9s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 100/s}
  timeline:
    - {at: 1s, apply: web-v2.yaml}
    - {at: 4s, apply: web-v2-3.yaml}
    - {at: 5s, patch: {kind: Deployment, name: web, merge: {spec: {replicas: 1}}}}
    - {at: 7s, delete: {kind: Deployment, name: web-v2}}`);
    const { events } = run(s);
    const states = podStates(events);
    expect(states).toContain('4s web-v2-2 pending');
    // web: 3 → 1, the highest-numbered pods leave (scale down).
    expect(states).toContain('5s web-2 terminating');
    expect(states).toContain('5s web-1 terminating');
    expect(states.some((p) => p.startsWith('5s web-0 '))).toBe(false);
    // web-v2: every pod terminates at 7 s and is gone 5 s later (Istio's drain).
    for (const pod of ['web-v2-0', 'web-v2-1', 'web-v2-2']) expect(states).toContain(`7s ${pod} terminating`);
    const afterDelete = ups(events).filter((u) => u.startUs > 7 * S);
    expect(afterDelete.length).toBeGreaterThan(50);
    expect(afterDelete.every((u) => u.destPod === 'web-0')).toBe(true);
    expect(ends(events).every((e) => e.code === 200)).toBe(true);
  });

  it('after a delete the Deployment is gone: a later scale of it is an error at its line', () => {
    const { s, messages } = load(`  duration: 5s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 10/s}
  timeline:
    - {at: 1s, apply: web-v2.yaml}
    - {at: 2s, delete: {kind: Deployment, name: web-v2}}
    - {at: 3s, scale: {workload: web-v2, replicas: 1}}`);
    expect(s).toBeNull();
    expect(messages.some((m) => m.startsWith('error') && m.includes('web-v2'))).toBe(true);
  });

  it('a changed pod template is not rolled out, and the loader says so', () => {
    const { s, messages } = load(`  duration: 3s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 10/s}
  timeline:
    - {at: 1s, apply: web-v2.yaml}
    - {at: 2s, apply: web-v2-relabelled.yaml}`);
    expect(s).not.toBeNull();
    expect(messages.filter((m) => m.startsWith('warning') && m.includes('pod template'))).toHaveLength(1);
  });

  it('deleted and applied again with other labels: the same warning (its pods are still built from the first template)', () => {
    const { s, messages } = load(`  duration: 4s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 10/s}
  timeline:
    - {at: 1s, apply: web-v2.yaml}
    - {at: 2s, delete: {kind: Deployment, name: web-v2}}
    - {at: 3s, apply: web-v2-relabelled.yaml}`);
    expect(s).not.toBeNull();
    expect(messages.filter((m) => m.startsWith('warning') && m.includes('pod template'))).toHaveLength(1);
    const { events } = run(s!);
    // Applied again: new pods (new numbers), created at 3 s.
    expect(podStates(events).filter((p) => p.startsWith('3s'))).toEqual(['3s web-v2-2 pending', '3s web-v2-2 starting', '3s web-v2-3 pending', '3s web-v2-3 starting']);
  });

  it('an unrelated Deployment applied later does not change anyone else’s draws or answers', () => {
    const base = `  duration: 4s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 100/s}`;
    const a = run(loaded(base)).r.summary;
    const b = run(loaded(`${base}
  timeline:
    - {at: 1s, apply: external.yaml}`)).r.summary;
    expect(b.edges).toEqual(a.edges);
    expect(b.clients).toEqual(a.clients);
  });
});

describe('Services and ServiceEntries applied or deleted on the timeline (§6.1)', () => {
  it('a Service applied at 2 s: before it the name does not resolve (000), after it every request is answered', () => {
    const { events } = run(
      loaded(`  duration: 4s
  traffic:
    - {name: load, from: client, url: "http://api:9090/", rate: 100/s}
  timeline:
    - {at: 2s, apply: api.yaml}`),
    );
    expectCodesAround(events, 2 * S, 0, 200);
    // Through the sidecar and the Service's port 9090 → pod port 8080.
    expect(ups(events).filter((u) => u.code === 200).every((u) => u.cluster === 'outbound|9090||api.default.svc.cluster.local')).toBe(true);
  });

  it('with propagation, a sidecar without the push yet passes the request through to the ClusterIP (PassthroughCluster), then routes it (§3, §6.1)', () => {
    const { events } = run(
      loaded(`  duration: 4s
  mesh: {propagation: default}
  traffic:
    - {name: load, from: client, url: "http://api:9090/", rate: 400/s}
  timeline:
    - {at: 2s, apply: api.yaml}`),
    );
    const answered = ups(events).filter((u) => u.startUs > 2 * S);
    const passed = answered.filter((u) => u.cluster === 'PassthroughCluster');
    // The push lands 150–600 ms later (debounce 100 ms + delay 50–500 ms): some requests fall in between.
    expect(passed.length).toBeGreaterThan(0);
    expect(passed.every((u) => u.code === 200 && u.startUs < 2.6 * S && u.destination === 'web')).toBe(true);
    expect(answered.filter((u) => u.startUs > 2.6 * S).every((u) => u.cluster === 'outbound|9090||api.default.svc.cluster.local' && u.code === 200)).toBe(true);
    expect(answered.some((u) => u.flags.includes('UF'))).toBe(false);
  });

  it('a Service deleted at 2 s stops resolving from then on', () => {
    const { events } = run(
      loaded(`  duration: 4s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 100/s}
  timeline:
    - {at: 2s, delete: {kind: Service, name: web}}`),
    );
    expectCodesAround(events, 2 * S, 200, 0);
  });

  it('REGISTRY_ONLY: an outside host answers 502 (BlackHoleCluster) until its ServiceEntry is applied, then 200 (§3)', () => {
    const { events } = run(
      loaded(
        `  duration: 4s
  mesh: {outboundTrafficPolicy: REGISTRY_ONLY}
  traffic:
    - {name: load, from: client, url: "http://api.example.com/", rate: 100/s}
  timeline:
    - {at: 2s, apply: service-entry.yaml}`,
        '[platform.yaml, external.yaml]',
      ),
    );
    expectCodesAround(events, 2 * S, 502, 200);
  });
});

describe('sidecar injection is decided when a pod is created (§6.2)', () => {
  it('labelling the namespace injects nothing until the pods are replaced: after a restart the new pods have sidecars', () => {
    const s = loaded(
      `  duration: 6s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 100/s}
  timeline:
    - {at: 1s, apply: injection-on.yaml}
    - {at: 2s, restart: {workload: client, readinessDelay: 100ms}}`,
      '[uninjected.yaml]',
    );
    const { events } = run(s);
    const all = ups(events);
    // Before: no sidecar anywhere, so kube-proxy picks the pod (no Envoy cluster).
    const early = all.filter((u) => u.startUs < 2 * S);
    expect(early.length).toBeGreaterThan(50);
    expect(early.every((u) => u.cluster === 'kube-proxy')).toBe(true);
    // Between the label and the restart nothing changed: the old pods keep what they were created with.
    expect(all.filter((u) => u.startUs > 1 * S && u.startUs < 2 * S).every((u) => u.cluster === 'kube-proxy')).toBe(true);
    // The restarted client pods (client-2, client-3) were created after the label: their requests go
    // through their own sidecar; web's pods were not replaced, so they still have none (plaintext).
    const fromNew = all.filter((u) => u.sourcePod === 'client-2' || u.sourcePod === 'client-3');
    expect(fromNew.length).toBeGreaterThan(50);
    expect(fromNew.every((u) => u.cluster === 'outbound|8080||web.default.svc.cluster.local' && u.security === 'none')).toBe(true);
    expect(all.filter((u) => u.sourcePod === 'client-0' || u.sourcePod === 'client-1').every((u) => u.cluster === 'kube-proxy')).toBe(true);
  });
});
