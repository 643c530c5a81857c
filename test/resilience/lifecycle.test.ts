/**
 * Pod lifecycle (istio-semantics.md §6.3) and what a pod's death looks like to its callers (§6.1:
 * stale endpoints get connect failures and default retries until EDS removes them).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/config/index.ts';
import type { ResolvedScenario } from '../../sim/config/types.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { Engine } from '../../sim/engine/engine.ts';
import { EngineMachine } from '../../sim/machines/engine-actor.ts';
import { podLifecycleMachine } from '../../sim/machines/pod-lifecycle.ts';
import { runScenario, type RunOptions } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import type { ProxyStatusEvent, TraceEvent, UpstreamEvent } from '../../sim/trace/events.ts';
import { ROOT } from '../helpers/cli.ts';
import { checkInvariants } from '../helpers/invariants.ts';

const S = 1_000_000;

describe('§6.3 pod lifecycle machine on the engine clock', () => {
  function harness(ready = true) {
    const engine = new Engine();
    const log: string[] = [];
    const m = new EngineMachine(engine, podLifecycleMachine, { readinessDelayUs: 2 * S, gracePeriodUs: 5 * S, ready }, (p, n) => {
      if (p.value !== n.value) log.push(`${engine.nowUs / S}s ${String(n.value)}`);
    });
    return { engine, log, m };
  }

  it('§6.3: a new pod goes pending → starting → ready after the readiness delay', () => {
    const h = harness(false);
    expect(h.m.snapshot.value).toBe('pending');
    h.m.send({ type: 'SCHEDULED' });
    h.engine.runUntil();
    expect(h.log).toEqual(['0s starting', '2s ready']);
  });

  it('§6.3: crashes restart after CrashLoopBackOff 10 s, 20 s, 40 s … capped at 5 min', () => {
    const h = harness();
    const crashes = [0, 20, 60, 130, 230, 400, 800].map((t) => t * S);
    for (const t of crashes) h.engine.at(t, () => h.m.send({ type: 'CRASH' }), null);
    h.engine.runUntil();
    const restartsAt = h.log.filter((l) => l.endsWith('starting')).map((l) => parseFloat(l));
    expect(restartsAt.map((t, i) => t - crashes[i] / S)).toEqual([10, 20, 40, 80, 160, 300, 300]);
    expect(h.m.snapshot.context.restarts).toBe(7);
  });

  it('§6.3: kill → terminating → gone after the grace period; gone is final', () => {
    const h = harness();
    h.engine.at(S, () => h.m.send({ type: 'KILL' }), null);
    h.engine.runUntil();
    expect(h.log).toEqual(['1s terminating', '6s gone']);
    expect(h.m.snapshot.status).toBe('done');
  });

  it('§6.3: a kill during the back-off cancels the pending restart timer', () => {
    const h = harness();
    h.m.send({ type: 'CRASH' });
    expect(h.m.pendingTimers()).toEqual(['backoff']);
    h.engine.at(S, () => h.m.send({ type: 'KILL' }), null);
    h.engine.runUntil();
    expect(h.log).toEqual(['0s crashed', '1s terminating', '6s gone']);
  });
});

describe('§6.1 / §6.3 killing a pod mid-run (two httpbin pods, three client sidecars)', () => {
  // The canary platform without VirtualService/DestinationRule: httpbin-v1-0 and httpbin-v2-0 are
  // two endpoints of one Service; v1 is slow (200 ms) so requests are in flight when it dies.
  const canary = loadScenario('scenarios/canary-rollout.yaml', nodeFiles({ cwd: ROOT }));
  const s: ResolvedScenario = {
    ...canary,
    resources: canary.resources.filter((r) => r.kind !== 'VirtualService' && r.kind !== 'DestinationRule'),
    timeline: [],
    expectations: [],
    workloads: canary.workloads.map((w) => (w.deployment === 'httpbin-v1' ? { ...w, serviceTime: { kind: 'constant', valueUs: 200_000 } } : w)),
  };
  function run(opts: RunOptions) {
    const sink = new MemorySink();
    const r = runScenario(s, { ...opts, sinks: [sink] });
    expect(r.budgetMessage).toBeNull();
    expect(checkInvariants(sink.events, r.summary, s)).toEqual([]);
    return { r, events: sink.events as TraceEvent[] };
  }
  const kill = [{ atUs: 10 * S, pod: 'httpbin-v1-0', action: 'kill' as const }];

  it('§6.1: in-flight requests are reset (503 UC, not retried); stale endpoints give UF that the default policy retries; the endpoint leaves each sidecar only when its push lands', () => {
    const { r, events } = run({ propagation: 'default', podEvents: kill });
    expect(events.filter((e) => e.kind === 'pod.state').map((e) => `${e.timeUs / S}s ${e.state}`)).toEqual(['10s terminating', '10s gone']);
    const ups = events.filter((e): e is UpstreamEvent => e.kind === 'upstream');
    // Requests being served when the pod died: reset, answered 503 UC to the client.
    const uc = ups.filter((u) => u.flags === 'UC');
    expect(uc.length).toBeGreaterThan(0);
    for (const u of uc) expect(u.timeUs).toBe(10 * S);
    // Requests sent to the stale endpoint: connect failure, retried on the other pod.
    const uf = ups.filter((u) => u.flags === 'UF');
    expect(uf.length).toBeGreaterThan(0);
    for (const u of uf) {
      const retry = ups.find((x) => x.stream === u.stream && x.attempt === u.attempt + 1);
      expect(retry?.destination).toBe('httpbin-v2');
      expect(retry?.code).toBe(200);
    }
    // Each sidecar stops picking the dead pod only once it applied the push after the kill.
    const synced = new Map(events.filter((e): e is ProxyStatusEvent => e.kind === 'proxy.status' && e.status === 'SYNCED').map((e) => [e.proxy, e.timeUs]));
    expect(synced.size).toBeGreaterThanOrEqual(3);
    for (const u of uf) expect(u.startUs).toBeLessThan(synced.get(u.sourcePod!)!);
    const syncTimes = [...synced.entries()].filter(([p]) => p.startsWith('loadgen')).map(([, t]) => t);
    expect(new Set(syncTimes).size).toBe(3);
    const afterAll = Math.max(...syncTimes);
    expect(ups.filter((u) => u.startUs > afterAll && u.destination === 'httpbin-v1')).toEqual([]);
    // The dip: only the reset requests failed at the client.
    const codes = r.summary.clients[0].codes;
    expect(codes['503']).toBe(uc.length);
  });

  it('§6.3: without propagation the endpoint leaves every sidecar at once: resets only, no UF', () => {
    const { events } = run({ podEvents: kill });
    const ups = events.filter((e): e is UpstreamEvent => e.kind === 'upstream');
    expect(ups.filter((u) => u.flags === 'UC').length).toBeGreaterThan(0);
    expect(ups.filter((u) => u.flags.includes('UF'))).toEqual([]);
  });

  it('§6.3: a crash takes the pod out for the 10 s back-off plus the readiness delay, then it serves again', () => {
    const { events } = run({ podEvents: [{ atUs: 5 * S, pod: 'httpbin-v1-0', action: 'crash' }] });
    expect(events.filter((e) => e.kind === 'pod.state').map((e) => `${e.timeUs / S}s ${e.state}`)).toEqual(['5s crashed', '15s starting', '17s ready']);
    const v1 = events.filter((e): e is UpstreamEvent => e.kind === 'upstream' && e.destination === 'httpbin-v1' && e.code === 200);
    expect(v1.some((u) => u.startUs > 17 * S)).toBe(true);
    expect(v1.some((u) => u.startUs > 5 * S && u.startUs < 17 * S)).toBe(false);
  });
});
