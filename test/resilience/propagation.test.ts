/**
 * Config propagation (istio-semantics.md §6.1): istiod debounce as an xstate machine on the
 * engine's clock, per-proxy apply delays, proxy status in the trace, and the NC window of a
 * VirtualService that outruns its DestinationRule.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/config/index.ts';
import type { ResolvedScenario, TimelineAction } from '../../sim/config/types.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { Engine } from '../../sim/engine/engine.ts';
import { EngineMachine } from '../../sim/machines/engine-actor.ts';
import { debounceMachine } from '../../sim/machines/istiod-debounce.ts';
import { runScenario } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import type { ProxyStatusEvent, TraceEvent, UpstreamEvent } from '../../sim/trace/events.ts';
import { ROOT } from '../helpers/cli.ts';
import { checkInvariants } from '../helpers/invariants.ts';

const S = 1_000_000;
const canary = loadScenario('scenarios/canary-rollout.yaml', nodeFiles({ cwd: ROOT }));

function run(s: ResolvedScenario) {
  const sink = new MemorySink();
  const r = runScenario(s, { sinks: [sink] });
  expect(r.budgetMessage).toBeNull();
  expect(checkInvariants(sink.events, r.summary, s)).toEqual([]);
  return { r, events: sink.events as TraceEvent[] };
}

describe('§6.1 istiod debounce machine (EngineMachine: delayed raises are engine timers)', () => {
  function harness(quietUs = 100_000, maxUs = 10 * S) {
    const engine = new Engine();
    const pushes: number[] = [];
    const m = new EngineMachine(engine, debounceMachine, { quietUs, maxUs }, (_p, _n, actions) => {
      for (const a of actions) if (a.type === 'push') pushes.push(engine.nowUs);
    });
    return { engine, pushes, m };
  }

  it('§6.1: one change pushes 100 ms later; timers are engine events, nothing else is pending afterwards', () => {
    const h = harness();
    expect(h.m.snapshot.value).toBe('idle');
    h.m.send({ type: 'CHANGE' });
    expect(h.m.snapshot.value).toBe('debouncing');
    expect(h.m.pendingTimers()).toEqual(['max', 'quiet']);
    h.engine.runUntil();
    expect(h.pushes).toEqual([100_000]);
    expect(h.m.snapshot.value).toBe('idle');
    expect(h.m.pendingTimers()).toEqual([]);
  });

  it('§6.1: a burst restarts the quiet timer: push 100 ms after the last change', () => {
    const h = harness();
    for (const t of [0, 50_000, 120_000]) h.engine.at(t, () => h.m.send({ type: 'CHANGE' }), null);
    h.engine.runUntil();
    expect(h.pushes).toEqual([220_000]);
  });

  it('§6.1: a change every 50 ms still pushes by PILOT_DEBOUNCE_MAX (10 s)', () => {
    const h = harness();
    for (let t = 0; t < 12 * S; t += 50_000) h.engine.at(t, () => h.m.send({ type: 'CHANGE' }), null);
    h.engine.runUntil();
    expect(h.pushes[0]).toBe(10 * S);
  });
});

describe('§6.1 propagation in runs', () => {
  it('§6.1: a weight change reaches the three loadgen sidecars at different times, STALE then SYNCED in the trace', () => {
    const { events } = run({ ...canary, propagation: 'default' });
    const st = events.filter((e): e is ProxyStatusEvent => e.kind === 'proxy.status' && e.version === 2 && e.proxy.startsWith('loadgen'));
    const stale = st.filter((e) => e.status === 'STALE');
    const synced = st.filter((e) => e.status === 'SYNCED');
    expect(stale.map((e) => e.proxy).sort()).toEqual(['loadgen-0', 'loadgen-1', 'loadgen-2']);
    // Sent together 100 ms after the change (debounce) …
    for (const e of stale) expect(e.timeUs).toBe(10 * S + 100_000);
    // … applied 50–500 ms later, each at its own time.
    expect(new Set(synced.map((e) => e.timeUs)).size).toBe(3);
    for (const e of synced) {
      expect(e.timeUs - stale[0].timeUs).toBeGreaterThanOrEqual(50_000);
      expect(e.timeUs - stale[0].timeUs).toBeLessThanOrEqual(500_000);
    }
    // config.push (the version a proxy runs) matches SYNCED.
    const pushes = events.filter((e) => e.kind === 'config.push' && e.version === 2 && e.proxy.startsWith('loadgen'));
    expect(pushes.map((e) => e.timeUs).sort()).toEqual(synced.map((e) => e.timeUs).sort());
  });

  it('§6.1: the same seed gives the same propagation; without propagation every proxy switches at the change', () => {
    const a = run({ ...canary, propagation: 'default' }).r.summary.traceHash;
    const b = run({ ...canary, propagation: 'default' }).r.summary.traceHash;
    expect(a).toBe(b);
    const { events } = run(canary);
    const pushes = events.filter((e) => e.kind === 'config.push' && e.version === 2);
    for (const e of pushes) expect(e.timeUs).toBe(10 * S);
    expect(events.some((e) => e.kind === 'proxy.status')).toBe(false);
  });

  // Phase 1 without subsets: a VS naming subset v2 before the DR defining it has reached a proxy.
  function vsBeforeDr(vsAtUs: number, drAtUs: number): ResolvedScenario {
    const dr = canary.resources.filter((r) => r.kind === 'DestinationRule');
    const vs5050 = canary.timeline.find((t) => t.label.includes('50-50')) as Extract<TimelineAction, { kind: 'apply' }>;
    const base = canary.resources.filter((r) => r.kind !== 'DestinationRule' && r.kind !== 'VirtualService');
    const timeline: TimelineAction[] = [
      { kind: 'apply', atUs: vsAtUs, resources: vs5050.resources, label: 'apply vs 50/50', source: null },
      { kind: 'apply', atUs: drAtUs, resources: dr, label: 'apply dr', source: null },
    ].sort((x, y) => x.atUs - y.atUs) as TimelineAction[];
    return { ...canary, resources: base, timeline, expectations: [], propagation: 'default' };
  }
  const nc = (events: TraceEvent[]) => events.filter((e): e is UpstreamEvent => e.kind === 'upstream' && e.flags.includes('NC'));

  it('§6.1 / §1.10: a VirtualService that outruns its DestinationRule gives 503 NC until the DR arrives', () => {
    const { events } = run(vsBeforeDr(10 * S, 12 * S));
    const bad = nc(events);
    expect(bad.length).toBeGreaterThan(10);
    for (const u of bad) {
      expect(u.code).toBe(503);
      expect(u.timeUs).toBeGreaterThan(10 * S);
      expect(u.timeUs).toBeLessThan(12 * S + 600_000);
    }
  });

  it('§6.1: applying the DestinationRule first (then the VirtualService) gives no NC', () => {
    const { events } = run(vsBeforeDr(12 * S, 10 * S));
    expect(nc(events)).toEqual([]);
  });
});
