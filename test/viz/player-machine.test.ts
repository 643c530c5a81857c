/**
 * The replay player machine (viz/src/replay/player-machine.ts) on its own: states reachable,
 * transitions, cursor arithmetic and clamping. Pure xstate, no DOM, no clock.
 */
import { describe, expect, it } from 'vitest';
import { createActor, getNextSnapshot, type SnapshotFrom } from 'xstate';
import { MAX_SPEED, MAX_TICK_MS, MIN_SPEED, playerMachine, type PlayerEvent } from '../../viz/src/replay/player-machine.ts';

type Snap = SnapshotFrom<typeof playerMachine>;

function start(endUs = 10_000_000, speed?: number) {
  const actor = createActor(playerMachine, { input: { endUs, speed } });
  actor.start();
  return actor;
}

function send(actor: ReturnType<typeof start>, ...events: PlayerEvent[]): Snap {
  for (const e of events) actor.send(e);
  return actor.getSnapshot();
}

describe('player machine', () => {
  it('starts idle at 0 with speed 1×', () => {
    const s = start().getSnapshot();
    expect(s.value).toBe('idle');
    expect(s.context).toMatchObject({ timeUs: 0, speed: 1, endUs: 10_000_000 });
  });

  it('every state is reachable, and each accepts only its events', () => {
    const seen = new Set<string>();
    const events: PlayerEvent[] = [{ type: 'PLAY' }, { type: 'PAUSE' }, { type: 'SEEK', timeUs: 5_000_000 }, { type: 'SET_SPEED', speed: 10 }, { type: 'TICK', wallMs: 16 }, { type: 'END' }];
    // Breadth-first over (state, event) with the machine's pure transition function.
    let frontier: Snap[] = [start().getSnapshot()];
    for (let depth = 0; depth < 4; depth++) {
      const next: Snap[] = [];
      for (const s of frontier) {
        seen.add(String(s.value));
        for (const e of events) next.push(getNextSnapshot(playerMachine, s, e));
      }
      frontier = next;
    }
    expect([...seen].sort()).toEqual(['idle', 'paused', 'playing', 'seeking']);
    // idle ignores PAUSE and TICK: nothing moves before the first PLAY.
    const idle = start().getSnapshot();
    expect(getNextSnapshot(playerMachine, idle, { type: 'PAUSE' }).value).toBe('idle');
    expect(getNextSnapshot(playerMachine, idle, { type: 'TICK', wallMs: 50 }).context.timeUs).toBe(0);
  });

  it('playing: TICK advances wall ms × 1000 × speed; PAUSE stops the cursor', () => {
    const a = start();
    let s = send(a, { type: 'PLAY' }, { type: 'TICK', wallMs: 16 });
    expect(s.value).toBe('playing');
    expect(s.context.timeUs).toBe(16_000);
    s = send(a, { type: 'SET_SPEED', speed: 100 }, { type: 'TICK', wallMs: 10 });
    expect(s.context.timeUs).toBe(16_000 + 1_000_000);
    s = send(a, { type: 'PAUSE' }, { type: 'TICK', wallMs: 50 });
    expect(s.value).toBe('paused');
    expect(s.context.timeUs).toBe(1_016_000);
  });

  it('a late frame advances at most MAX_TICK_MS; a negative one not at all', () => {
    const a = start();
    expect(send(a, { type: 'PLAY' }, { type: 'TICK', wallMs: 5_000 }).context.timeUs).toBe(MAX_TICK_MS * 1000);
    expect(send(a, { type: 'TICK', wallMs: -30 }).context.timeUs).toBe(MAX_TICK_MS * 1000);
  });

  it('reaching the end pauses at endUs; PLAY from the end starts over', () => {
    const a = start(1_000_000, 1000);
    let s = send(a, { type: 'PLAY' }, { type: 'TICK', wallMs: 16 });
    expect(s.value).toBe('paused');
    expect(s.context.timeUs).toBe(1_000_000);
    s = send(a, { type: 'PLAY' });
    expect(s.value).toBe('playing');
    expect(s.context.timeUs).toBe(0);
  });

  it('SEEK goes through seeking and the next TICK returns to the previous mode without moving', () => {
    const a = start();
    let s = send(a, { type: 'PLAY' }, { type: 'SEEK', timeUs: 7_000_000 });
    expect(s.value).toBe('seeking');
    expect(s.context.timeUs).toBe(7_000_000);
    s = send(a, { type: 'SEEK', timeUs: 3_000_000 }, { type: 'TICK', wallMs: 16 });
    expect(s.value).toBe('playing');
    expect(s.context.timeUs).toBe(3_000_000);
    s = send(a, { type: 'PAUSE' }, { type: 'SEEK', timeUs: 1_000_000 }, { type: 'TICK', wallMs: 16 });
    expect(s.value).toBe('paused');
    expect(s.context.timeUs).toBe(1_000_000);
  });

  it('SEEK and SET_SPEED clamp: time to [0, end], speed to [0.1×, 1000×]', () => {
    const a = start(2_000_000);
    expect(send(a, { type: 'SEEK', timeUs: -5 }).context.timeUs).toBe(0);
    expect(send(a, { type: 'SEEK', timeUs: 9e9 }).context.timeUs).toBe(2_000_000);
    expect(send(a, { type: 'SEEK', timeUs: Number.NaN }).context.timeUs).toBe(0);
    expect(send(a, { type: 'SET_SPEED', speed: 1e6 }).context.speed).toBe(MAX_SPEED);
    expect(send(a, { type: 'SET_SPEED', speed: 0 }).context.speed).toBe(MIN_SPEED);
  });

  it('END moves the cursor to the end and pauses, from any state', () => {
    for (const prefix of [[], [{ type: 'PLAY' }], [{ type: 'SEEK', timeUs: 5 }]] as PlayerEvent[][]) {
      const s = send(start(), ...prefix, { type: 'END' });
      expect(s.value).toBe('paused');
      expect(s.context.timeUs).toBe(10_000_000);
    }
  });
});
