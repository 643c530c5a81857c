/**
 * Outlier detection (istio-semantics.md §2.5): the host machine on its own, and the detector
 * driving ejections in runs of scenarios/outlier-ejection.yaml.
 */
import { describe, expect, it } from 'vitest';
import { initialTransition, transition } from 'xstate';
import { loadScenario } from '../../sim/config/index.ts';
import type { DestinationRuleResource, ResolvedScenario, Resource } from '../../sim/config/types.ts';
import type { OutlierDetection } from '../../sim/config/istio-types.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { outlierHostMachine } from '../../sim/machines/outlier-host.ts';
import { runScenario } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import type { TraceEvent, UpstreamEvent } from '../../sim/trace/events.ts';
import { ROOT } from '../helpers/cli.ts';
import { checkInvariants } from '../helpers/invariants.ts';

const base = loadScenario('scenarios/outlier-ejection.yaml', nodeFiles({ cwd: ROOT }));

function withOutlier(s: ResolvedScenario, od: OutlierDetection, keep: (r: Resource) => boolean = () => true): ResolvedScenario {
  const resources = s.resources.filter(keep).map((r) => {
    if (r.kind !== 'DestinationRule') return r;
    const dr = r as DestinationRuleResource;
    return { ...dr, spec: { ...dr.spec, trafficPolicy: { ...dr.spec.trafficPolicy, outlierDetection: od } } };
  });
  return { ...s, resources };
}

function run(s: ResolvedScenario) {
  const sink = new MemorySink();
  const r = runScenario(s, { sinks: [sink] });
  expect(r.budgetMessage).toBeNull();
  expect(checkInvariants(sink.events, r.summary, s)).toEqual([]);
  return { r, events: sink.events as TraceEvent[] };
}

const S = 1_000_000;

describe('§2.5 outlier host machine (pure transition(), no xstate runtime)', () => {
  const [h0] = initialTransition(outlierHostMachine, { baseEjectionTimeUs: 30 * S });

  it('§2.5: starts healthy with multiplier 0; EJECT → ejected for base × 1', () => {
    expect(h0.value).toBe('healthy');
    const [h1, actions] = transition(outlierHostMachine, h0, { type: 'EJECT', nowUs: 5 * S });
    expect(h1.value).toBe('ejected');
    expect(h1.context).toMatchObject({ multiplier: 1, ejectedAtUs: 5 * S, ejectedForUs: 30 * S, ejections: 1 });
    // No delayed events: un-ejection is decided on the detector's interval sweep.
    expect(actions.filter((a) => a.type === 'xstate.raise')).toEqual([]);
  });

  it('§2.5: SWEEP before the time is up keeps it ejected; at or after it returns to healthy', () => {
    const [h1] = transition(outlierHostMachine, h0, { type: 'EJECT', nowUs: 0 });
    expect(transition(outlierHostMachine, h1, { type: 'SWEEP', nowUs: 29 * S })[0].value).toBe('ejected');
    expect(transition(outlierHostMachine, h1, { type: 'SWEEP', nowUs: 30 * S })[0].value).toBe('healthy');
  });

  it('§2.5: a repeat ejection lasts base × multiplier; healthy sweeps decay the multiplier; capped at 300 s', () => {
    let h = h0;
    const lengths: number[] = [];
    for (let k = 0; k < 12; k++) {
      h = transition(outlierHostMachine, h, { type: 'EJECT', nowUs: 0 })[0];
      lengths.push(h.context.ejectedForUs / S);
      h = transition(outlierHostMachine, h, { type: 'SWEEP', nowUs: 10_000 * S })[0];
    }
    expect(lengths).toEqual([30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 300, 300]);
    const m = h.context.multiplier;
    h = transition(outlierHostMachine, h, { type: 'SWEEP', nowUs: 0 })[0];
    expect(h.context.multiplier).toBe(m - 1);
  });

  it('§2.5: reachable states are exactly healthy and ejected', () => {
    const seen = new Set<string>();
    const frontier = [h0];
    const events = [{ type: 'EJECT', nowUs: 0 } as const, { type: 'SWEEP', nowUs: 0 } as const, { type: 'SWEEP', nowUs: 1e12 } as const];
    for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
      const next = [];
      for (const snap of frontier) {
        seen.add(String(snap.value));
        for (const ev of events) next.push(transition(outlierHostMachine, snap, ev)[0]);
      }
      frontier.splice(0, frontier.length, ...next);
    }
    expect([...seen].sort()).toEqual(['ejected', 'healthy']);
  });
});

describe('§2.5 outlier detection in runs (three hosts, one answers 503)', () => {
  it('§2.5: consecutive5xxErrors 1 ejects the bad pod, traffic moves, it returns after baseEjectionTime × multiplier (interval granularity)', () => {
    const { r, events } = run(base);
    const ej = events.filter((e) => e.kind === 'outlier.eject');
    const un = events.filter((e) => e.kind === 'outlier.uneject');
    expect(ej.length).toBeGreaterThanOrEqual(3);
    expect(ej.map((e) => e.host)).toEqual(ej.map(() => 'httpbin-bad-0'));
    expect(ej.map((e) => e.multiplier).slice(0, 3)).toEqual([1, 2, 3]);
    for (let k = 0; k < un.length; k++) {
      const out = un[k].timeUs - ej[k].timeUs;
      // Back on the first 1 s sweep at or after base × multiplier.
      expect(out).toBeGreaterThanOrEqual(5 * S * ej[k].multiplier);
      expect(out).toBeLessThan(5 * S * ej[k].multiplier + S);
    }
    // While ejected the bad pod gets nothing.
    const ups = events.filter((e): e is UpstreamEvent => e.kind === 'upstream' && e.destination === 'httpbin-bad');
    for (const u of ups) {
      const inside = ej.some((e, k) => u.startUs > e.timeUs && (k >= un.length || u.startUs < un[k].timeUs));
      expect(inside).toBe(false);
    }
    expect(r.summary.clients[0].codes['200']).toBeGreaterThan(800);
  });

  it('§2.5 strict maxEjectionPercent: default 10 % with 3 hosts ejects nothing (100 × 1/3 > 10)', () => {
    const s = withOutlier({ ...base, profile: { ...base.profile, legacyFirstEjectionAlwaysAllowed: false } }, { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '5s' });
    const { events } = run(s);
    expect(events.filter((e) => e.kind === 'outlier.eject')).toEqual([]);
    const sup = events.filter((e) => e.kind === 'outlier.suppressed');
    expect(sup.length).toBeGreaterThan(100);
    expect(sup[0]).toMatchObject({ host: 'httpbin-bad-0', ejected: 0, hosts: 3 });
  });

  it('§2.5 / §9.4 legacyFirstEjectionAlwaysAllowed: the same config ejects the first host', () => {
    const s = withOutlier({ ...base, profile: { ...base.profile, legacyFirstEjectionAlwaysAllowed: true } }, { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '5s' });
    const { events } = run(s);
    expect(events.filter((e) => e.kind === 'outlier.eject').length).toBeGreaterThan(0);
  });

  it('§2.5: all hosts ejected with minHealthPercent 0 ⇒ 503 UH', () => {
    const s = withOutlier(base, { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '5s', maxEjectionPercent: 100 }, (r) => r.meta.name !== 'httpbin-good');
    const { r } = run(s);
    const edge = r.summary.edges.find((e) => e.destination === null)!;
    expect(edge.flags['UH']).toBeGreaterThan(500);
  });

  it('§2.5: minHealthPercent above the healthy share puts the cluster in panic: the ejected host gets traffic again', () => {
    const s = withOutlier(base, { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '5s', maxEjectionPercent: 100, minHealthPercent: 90 });
    const { r, events } = run(s);
    expect(events.filter((e) => e.kind === 'outlier.eject').length).toBeGreaterThan(0);
    const bad = r.summary.edges.find((e) => e.destination === 'httpbin-bad')!;
    expect(bad.requests).toBeGreaterThan(100);
  });

  it('§2.5 / §8.6: circuit-breaker overflows (UO) never count: the circuit-breaking run ejects nothing', () => {
    const cb = loadScenario('scenarios/circuit-breaking.yaml', nodeFiles({ cwd: ROOT }));
    const { events } = run(cb);
    expect(events.filter((e) => e.kind === 'outlier.eject' || e.kind === 'outlier.suppressed')).toEqual([]);
  });
});
