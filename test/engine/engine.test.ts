import { describe, expect, it } from 'vitest';
import { Engine } from '../../sim/engine/engine.ts';
import { Rng } from '../../sim/engine/rng.ts';

describe('engine', () => {
  it('runs events in (time, seq) order: equal times run in scheduling order', () => {
    const e = new Engine();
    const log: string[] = [];
    const push = (s: string) => log.push(`${e.nowUs}:${s}`);
    e.at(10, push, 'b');
    e.at(5, push, 'a');
    e.at(10, push, 'c');
    e.at(0, push, 'z');
    expect(e.runUntil()).toEqual({ kind: 'idle' });
    expect(log).toEqual(['0:z', '5:a', '10:b', '10:c']);
  });

  it('cancel removes a queued event and is a no-op afterwards', () => {
    const e = new Engine();
    const log: number[] = [];
    const evs = [1, 2, 3, 4, 5].map((t) => e.at(t, (x: number) => log.push(x), t));
    e.cancel(evs[2]);
    e.cancel(evs[2]);
    e.cancel(evs[0]);
    expect(e.pending).toBe(3);
    e.runUntil();
    e.cancel(evs[1]);
    expect(log).toEqual([2, 4, 5]);
  });

  it('keeps heap order under random schedules and cancels (1e4 events)', () => {
    const e = new Engine();
    const rng = new Rng('heap');
    const seen: number[] = [];
    const live = new Set<number>();
    const handles = [];
    for (let i = 0; i < 10_000; i++) {
      const t = rng.int(1000);
      handles.push(e.at(t, (x: number) => seen.push(x), t));
    }
    for (let i = 0; i < 3000; i++) e.cancel(handles[rng.int(handles.length)]);
    for (const h of handles) if (h.pos >= 0) live.add(h.seq);
    e.runUntil();
    expect(seen.length).toBe(live.size);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  });

  it('runUntil stops before later events and advances the clock to the limit', () => {
    const e = new Engine();
    e.at(100, () => {}, null);
    expect(e.runUntil(50)).toEqual({ kind: 'until', timeUs: 50 });
    expect(e.nowUs).toBe(50);
    expect(e.runUntil(200)).toEqual({ kind: 'idle' });
    expect(e.nowUs).toBe(200);
  });

  it('budget maxEvents stops a runaway loop with a reason', () => {
    const e = new Engine({ maxEvents: 1000 });
    const loop = (): void => {
      e.after(1, loop, null);
    };
    e.at(0, loop, null);
    const stop = e.runUntil();
    expect(stop).toMatchObject({ kind: 'budget', budget: 'maxEvents', limit: 1000 });
    expect(e.processed).toBe(1000);
  });

  it('budget maxSimTime stops before an event beyond the limit', () => {
    const e = new Engine({ maxSimTimeUs: 1_000 });
    e.at(500, () => {}, null);
    e.at(2_000, () => {}, null);
    expect(e.runUntil()).toMatchObject({ kind: 'budget', budget: 'maxSimTime' });
    expect(e.processed).toBe(1);
  });

  it('stop reasons keep their precedence when several limits apply at once: until, then maxSimTime, then maxEvents', () => {
    const mk = (): Engine => {
      const e = new Engine({ maxEvents: 1, maxSimTimeUs: 1_000 });
      e.at(0, () => {}, null);
      e.at(2_000, () => {}, null);
      return e;
    };
    // The next event (2000) is past both `until` and maxSimTime, and maxEvents is spent too.
    const a = mk();
    expect(a.runUntil(1_500)).toEqual({ kind: 'until', timeUs: 1_500 });
    expect(a.nowUs).toBe(1_500);
    const b = mk();
    expect(b.runUntil(5_000)).toEqual({ kind: 'budget', budget: 'maxSimTime', limit: 1_000, timeUs: 0 });
    const c = new Engine({ maxEvents: 1, maxSimTimeUs: 1_000 });
    c.at(0, () => {}, null);
    c.at(500, () => {}, null);
    expect(c.runUntil(5_000)).toEqual({ kind: 'budget', budget: 'maxEvents', limit: 1, timeUs: 0 });
    expect(c.processed).toBe(1);
  });

  it('refuses to schedule in the past or at non-integer times', () => {
    const e = new Engine();
    e.at(10, () => e.at(5, () => {}, null), null);
    expect(() => e.runUntil()).toThrow(/cannot schedule/);
    expect(() => new Engine().at(1.5, () => {}, null)).toThrow(/integers/);
  });

  it('halt stops after the current event', () => {
    const e = new Engine();
    e.at(1, () => e.halt('stop here'), null);
    e.at(2, () => {}, null);
    expect(e.runUntil()).toEqual({ kind: 'halted', message: 'stop here' });
    expect(e.pending).toBe(1);
  });
});
