/**
 * The timeline in scenario YAML: every action parses to what the run executes, each one is a
 * `timeline` trace event at its time, `patch` is a JSON merge patch (RFC 7386), and bad entries
 * are input errors at file:line:col (test/fixtures/invalid/timeline-*.yaml).
 */
import { describe, expect, it } from 'vitest';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { loadScenario } from '../../sim/config/index.ts';
import { mergePatch } from '../../sim/config/merge-patch.ts';
import type { VirtualServiceResource } from '../../sim/config/types.ts';
import { InputError, type Diagnostic } from '../../sim/domain/diagnostics.ts';
import type { UpstreamEvent } from '../../sim/trace/events.ts';
import { meshsim, ROOT } from '../helpers/cli.ts';
import { load, run, S } from './timeline-fixture.ts';

const DIR = 'test/fixtures/invalid';

function diagnosticsOf(file: string): Diagnostic[] {
  try {
    loadScenario(`${DIR}/${file}`, nodeFiles({ cwd: ROOT }));
  } catch (e) {
    if (e instanceof InputError) return e.diagnostics;
    throw e;
  }
  throw new Error(`${file} loaded without an error`);
}

describe('bad timeline entries are input errors at file:line:col', () => {
  it.each([
    ['a pod that does not exist then', 'timeline-unknown-pod.yaml', 'spec.timeline[1].crash.pod', 11, 33, "pod 'web-3' does not exist at that time; web then has pods web-1"],
    ['a pod an earlier entry killed', 'timeline-killed-pod.yaml', 'spec.timeline[1].kill.pod', 11, 32, "pod 'web-0' no longer exists at that time (killed at 1s)"],
    ['an unknown workload', 'timeline-unknown-workload.yaml', 'spec.timeline[1].scale.workload', 11, 38, "workload 'wbe' names no Deployment (did you mean 'web'?); deployments: web, sleep"],
    ['negative replicas', 'timeline-negative-replicas.yaml', 'spec.timeline[1].scale.replicas', 11, 53, 'replicas must be >= 0, got -1'],
    ['a patch of a resource that does not exist', 'timeline-patch-missing.yaml', 'spec.timeline[1].patch', 11, 27, 'patch: no VirtualService default/web exists at 1.5s; a patch changes a resource the manifests or an earlier apply created'],
    ['a negative window', 'timeline-negative-for.yaml', 'spec.timeline[1].slow.for', 11, 60, 'duration "-1s" is negative; durations must be >= 0'],
    ['two actions in one entry', 'timeline-two-actions.yaml', 'spec.timeline[1]', 11, 7, 'a timeline entry has one action, found kill and scale; split it into 2 entries with the same at'],
  ])('%s', (_what, file, path, line, col, message) => {
    const ds = diagnosticsOf(file);
    expect(ds.map((d) => ({ level: d.level, path: d.path, line: d.source?.line, col: d.source?.col, file: d.source?.file, message: d.message }))).toEqual([
      { level: 'error', path, line, col, file: `${DIR}/${file}`, message },
    ]);
  });

  it('meshsim run exits 2 with the located message and no stack trace', () => {
    const r = meshsim(['run', `${DIR}/timeline-negative-replicas.yaml`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/timeline-negative-replicas\.yaml:11:53: error MSH0010 spec\.timeline\[1\]\.scale\.replicas: replicas must be >= 0, got -1/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('other mistakes: count above the pods there are, pod and workload together, for: 0s, an unknown client, maxSurge and maxUnavailable both 0', () => {
    const cases: [string, string, string][] = [
      ['{at: 1s, kill: {workload: web, count: 4}}', 'spec.timeline[0].kill.count', 'count 4 is more than the 3 pod(s) web has at that time'],
      ['{at: 1s, slow: {pod: web-0, workload: web, extra: 5ms}}', 'spec.timeline[0].slow', 'name either pod (one pod, e.g. reviews-v3-0) or workload (a Deployment), not both and not neither'],
      ['{at: 1s, fail: {workload: web, for: 0s}}', 'spec.timeline[0].fail.for', 'for must be > 0 (leave it out for "until the end of the run")'],
      ['{at: 1s, traffic: {client: lod, rate: 5/s}}', 'spec.timeline[0].traffic.client', "client 'lod' names no traffic entry (did you mean 'load'?); clients: load"],
      ['{at: 1s, restart: {workload: web, maxSurge: 0, maxUnavailable: 0}}', 'spec.timeline[0].restart', 'maxSurge and maxUnavailable cannot both be 0 (the rollout could never make progress; Kubernetes refuses it too)'],
    ];
    for (const [entry, path, message] of cases) {
      let ds: Diagnostic[] = [];
      try {
        load(`  traffic:\n    - {name: load, from: client, url: "http://web:8080/", rate: 5/s}\n  timeline:\n    - ${entry}`);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        ds = e.diagnostics;
      }
      expect(ds.map((d) => [d.path, d.message]), entry).toEqual([[path, message]]);
      expect(ds[0].source?.line).toBe(9);
    }
  });
});

describe('timeline actions resolve to what the run executes', () => {
  const s = load(`  duration: 10s
  traffic:
    - {name: load, from: client, url: "http://web:8080/", rate: 5/s}
  timeline:
    - {at: 1s, kill: {pod: web-1, grace: 1s}}
    - {at: 2s, crash: {workload: web, count: 2}}
    - {at: 3s, scale: {workload: web, replicas: 4}}
    - {at: 4s, restart: {workload: web, maxSurge: 50%, maxUnavailable: 1}}
    - {at: 5s, slow: {workload: web, extra: 20ms, for: 1s}}
    - {at: 5s, fail: {pod: web-5, status: 500, ratio: 0.5}}
    - {at: 6s, partition: {from: client, to: web, for: 500ms}}
    - {at: 7s, traffic: {client: load, rate: 10/s, over: 1s}}
    - {at: 8s, scale: {workload: web, replicas: 1}}`);

  it('pod names follow <deployment>-<n>; new pods take the next number never used; scale-down takes the highest', () => {
    const got = s.timeline.map((a) => {
      switch (a.kind) {
        case 'kill':
          return [a.kind, a.pods, a.create, a.gracePeriodUs];
        case 'crash':
          return [a.kind, a.pods];
        case 'scale':
          return [a.kind, a.pods, a.create];
        case 'restart':
          return [a.kind, a.pods, a.create, a.maxSurge, a.maxUnavailable];
        default:
          return [a.kind, a.label];
      }
    });
    expect(got).toEqual([
      ['kill', ['web-1'], ['web-3'], S],
      ['crash', ['web-0', 'web-2']],
      ['scale', [], ['web-4']],
      ['restart', ['web-0', 'web-2', 'web-3', 'web-4'], ['web-5', 'web-6', 'web-7', 'web-8'], 2, 1],
      ['slow', 'slow web +0.02s for 1s'],
      ['fail', 'fail web-5 500 50%'],
      ['partition', 'partition client → web for 0.5s'],
      ['traffic', 'traffic load → 10/s over 1s'],
      ['scale', ['web-8', 'web-7', 'web-6'], []],
    ]);
    expect(s.podSlots).toEqual({ 'default/web': 9 });
  });

  it('every action is a timeline trace event at its time (window ends too, as action "end")', () => {
    const { events } = run(s);
    const tl = events.filter((e) => e.kind === 'timeline').map((e) => (e.kind === 'timeline' ? `${e.timeUs / S}s ${e.action}` : ''));
    expect(tl).toEqual(['1s kill', '2s crash', '3s scale', '4s restart', '5s slow', '5s fail', '6s partition', '6s end', '6.5s end', '7s traffic', '8s scale']);
  });
});

describe('patch: JSON merge patch (RFC 7386)', () => {
  it('RFC 7386 §3 examples: objects merge, null removes, arrays and scalars replace', () => {
    expect(mergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(mergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(mergePatch({ a: 'b' }, { a: null })).toEqual({});
    expect(mergePatch({ a: 'b', b: 'c' }, { a: null })).toEqual({ b: 'c' });
    expect(mergePatch({ a: ['b'] }, { a: 'c' })).toEqual({ a: 'c' });
    expect(mergePatch({ a: 'c' }, { a: ['b'] })).toEqual({ a: ['b'] });
    expect(mergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } })).toEqual({ a: { b: 'd' } });
    expect(mergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(mergePatch(['a', 'b'], ['c', 'd'])).toEqual(['c', 'd']);
    expect(mergePatch({ a: 'b' }, ['c'])).toEqual(['c']);
    expect(mergePatch({ a: 'foo' }, null)).toBe(null);
    expect(mergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(mergePatch([1, 2], { a: 'b', c: null })).toEqual({ a: 'b' });
    expect(mergePatch({}, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
  });

  it('a patch of the canary VirtualService from 90/10 to all v2 changes routing at its time and keeps the rest of the resource', () => {
    const p = load(`  duration: 4s
  traffic:
    - {name: load, from: loadgen, url: "http://httpbin:8000/get", rate: 50/s}
  timeline:
    - at: 2s
      patch:
        kind: VirtualService
        name: httpbin
        merge:
          metadata: {labels: {stage: done}}
          spec:
            http:
              - route:
                  - destination: {host: httpbin, subset: v2}`, '[resilience/canary-platform.yaml, resilience/canary-destination-rule.yaml, resilience/canary-vs-90-10.yaml]');
    const a = p.timeline[0];
    expect(a.kind).toBe('patch');
    const vs = (a.kind === 'patch' ? a.resources[0] : null) as VirtualServiceResource;
    expect(vs.meta.labels).toEqual({ stage: 'done' });
    expect(vs.spec.hosts).toEqual(['httpbin']);
    expect(vs.spec.http?.[0].route?.map((r) => r.destination.subset)).toEqual(['v2']);
    const original = p.resources.find((r) => r.kind === 'VirtualService')!;
    expect(vs.meta.order).toBe(original.meta.order);
    const { events } = run(p);
    const ups = events.filter((e): e is UpstreamEvent => e.kind === 'upstream');
    expect(ups.some((u) => u.startUs < 2 * S && u.version === 'v1')).toBe(true);
    expect(ups.filter((u) => u.startUs >= 2 * S).every((u) => u.version === 'v2')).toBe(true);
    expect(events.find((e) => e.kind === 'timeline')).toEqual({ kind: 'timeline', timeUs: 2 * S, action: 'patch', label: 'patch VirtualService default/httpbin' });
  });
});
