/**
 * Determinism (DESIGN.md): same inputs and seed give the same trace; named streams keep one
 * client's draws independent of everything else in the scenario.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../sim/run.ts';
import { MemorySink } from '../sim/trace/sink.ts';
import type { ClientStartEvent } from '../sim/trace/events.ts';
import * as b from './helpers/build.ts';

function mesh(seed: number, extraClient: boolean) {
  return b.scenario({
    seed,
    durationUs: 5_000_000,
    resources: [
      b.namespace('default'),
      b.deployment('sleep'),
      b.deployment('other-client'),
      b.deployment('front'),
      b.deployment('back', { replicas: 3 }),
      b.service('front'),
      b.service('back'),
      b.deployment('unrelated'),
      b.service('unrelated'),
    ],
    workloads: [
      b.behaviour('front', { serviceTime: b.exponential(2000), calls: [{ parallel: [b.call('http://back:8080/x', { timeoutUs: 1_000_000 })] }] }),
      b.behaviour('back', { serviceTime: b.exponential(1000), concurrency: 2 }),
    ],
    traffic: [
      b.openTraffic('main', 'sleep', 'http://front:8080/', 200, { stopUs: 5_000_000 }),
      ...(extraClient ? [b.openTraffic('extra', 'other-client', 'http://unrelated:8080/', 300, { stopUs: 5_000_000 })] : []),
    ],
  });
}

function run(seed: number, extra = false) {
  const sink = new MemorySink();
  const r = runScenario(mesh(seed, extra), { sinks: [sink] });
  return { r, events: sink.events };
}

describe('determinism', () => {
  it('same seed twice gives the same trace hash and summary', () => {
    const a = run(4).r.summary;
    const c = run(4).r.summary;
    expect(c.traceHash).toBe(a.traceHash);
    expect(JSON.stringify(c)).toBe(JSON.stringify(a));
  });

  it('another seed changes the trace hash', () => {
    expect(run(5).r.summary.traceHash).not.toBe(run(4).r.summary.traceHash);
  });

  it("adding an unrelated client does not change an existing client's arrival draws", () => {
    const starts = (events: readonly { kind: string }[]) =>
      events.filter((e): e is ClientStartEvent => e.kind === 'client.start' && (e as ClientStartEvent).client === 'main').map((e) => e.timeUs);
    const alone = starts(run(9).events);
    const withExtra = run(9, true);
    expect(alone.length).toBeGreaterThan(500);
    expect(starts(withExtra.events)).toEqual(alone);
    expect(withExtra.r.summary.clients.map((c) => c.name)).toEqual(['main', 'extra']);
  });

  it("adding an unrelated client leaves the existing client's whole path unchanged (per-pod streams)", () => {
    const project = (events: readonly import('../sim/trace/events.ts').TraceEvent[]) =>
      events.flatMap((e) => (e.kind === 'upstream' && e.client === 'main' ? [`${e.startUs}-${e.timeUs} ${e.source}>${e.destPod} ${e.code}`] : []));
    expect(project(run(9, true).events)).toEqual(project(run(9).events));
  });

  it('every request ends exactly once and every summary edge appears in the trace', () => {
    const { r, events } = run(6);
    const started = new Set<number>();
    const ended = new Set<number>();
    for (const e of events) {
      if (e.kind === 'client.start') started.add(e.req);
      if (e.kind === 'client.end') {
        expect(ended.has(e.req)).toBe(false);
        ended.add(e.req);
      }
    }
    expect(ended).toEqual(started);
    for (const edge of r.summary.edges) {
      const n = events.filter((e) => e.kind === 'upstream' && e.source === edge.source && e.destination === edge.destination && e.service === edge.service).length;
      expect(n).toBe(edge.requests);
    }
  });
});
