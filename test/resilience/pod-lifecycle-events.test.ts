/**
 * The pod lifecycle machine's event parameters the timeline uses (istio-semantics.md §6.3): a kill
 * may carry its own grace period, a crash the readiness delay of the restarted container, and a
 * pod created later starts pending.
 */
import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.ts';
import { EngineMachine } from '../../sim/machines/engine-actor.ts';
import { podLifecycleMachine } from '../../sim/machines/pod-lifecycle.ts';

const S = 1_000_000;

function harness(ready: boolean) {
  const engine = new Engine();
  const log: string[] = [];
  const m = new EngineMachine(engine, podLifecycleMachine, { readinessDelayUs: 2 * S, gracePeriodUs: 0, ready }, (p, n) => {
    if (p.value !== n.value) log.push(`${engine.nowUs / S}s ${String(n.value)}`);
  });
  return { engine, log, m };
}

describe('§6.3 pod lifecycle: timeline event parameters', () => {
  it('KILL {gracePeriodUs} overrides the pod grace period: terminating for that long, then gone', () => {
    const h = harness(true);
    h.engine.at(S, () => h.m.send({ type: 'KILL', gracePeriodUs: 5 * S }), null);
    h.engine.runUntil();
    expect(h.log).toEqual(['1s terminating', '6s gone']);
  });

  it('CRASH {readinessDelayUs} sets the readiness delay of the restarted container (back-off 10 s, then 500 ms)', () => {
    const h = harness(true);
    h.engine.at(S, () => h.m.send({ type: 'CRASH', readinessDelayUs: 500_000 }), null);
    h.engine.runUntil();
    expect(h.log).toEqual(['1s crashed', '11s starting', '11.5s ready']);
    expect(h.m.snapshot.context.readinessDelayUs).toBe(500_000);
  });

  it('a pod created later waits in pending until SCHEDULED; a KILL there goes straight to gone (nothing to drain)', () => {
    const a = harness(false);
    a.engine.runUntil();
    expect(a.m.snapshot.value).toBe('pending');
    expect(a.m.pendingTimers()).toEqual([]);
    a.m.send({ type: 'KILL' });
    expect(a.m.snapshot.value).toBe('gone');
    const b = harness(false);
    b.engine.at(3 * S, () => b.m.send({ type: 'SCHEDULED' }), null);
    b.engine.runUntil();
    expect(b.log).toEqual(['3s starting', '5s ready']);
  });

  it('a KILL while starting cancels the readiness timer: the pod never becomes ready', () => {
    const h = harness(false);
    h.m.send({ type: 'SCHEDULED' });
    h.engine.at(S, () => h.m.send({ type: 'KILL', gracePeriodUs: 0 }), null);
    h.engine.runUntil();
    expect(h.log).toEqual(['0s starting', '1s terminating', '1s gone']);
  });
});
