/**
 * The replay player as an xstate v5 machine: idle (loaded, never played), playing, paused,
 * seeking. The cursor (`timeUs`) and speed live in the context; the page sends TICK from
 * requestAnimationFrame with the wall-clock milliseconds since the last frame, and renders
 * whatever `timeUs` the machine holds. No DOM, no clock: the page owns time.
 *
 * - PLAY: from the end it starts over at 0.
 * - SEEK { timeUs }: to seeking (clamped to [0, endUs]); the next TICK returns to playing or
 *   paused, whichever the player was in before, without advancing — that frame shows the seek.
 * - SET_SPEED { speed }: clamped to [MIN_SPEED, MAX_SPEED], any state.
 * - END: cursor to the end, paused. A TICK that reaches the end does the same.
 */
import { assign, setup } from 'xstate';

export const MIN_SPEED = 0.1;
export const MAX_SPEED = 1000;
/** Longest frame step honoured (ms): a background tab's late frame must not leap ahead. */
export const MAX_TICK_MS = 100;

export interface PlayerContext {
  timeUs: number;
  endUs: number;
  speed: number;
  /** Where a seek returns to on the next TICK. */
  resume: 'playing' | 'paused';
}

export type PlayerEvent =
  | { type: 'PLAY' }
  | { type: 'PAUSE' }
  | { type: 'SEEK'; timeUs: number }
  | { type: 'SET_SPEED'; speed: number }
  | { type: 'TICK'; wallMs: number }
  | { type: 'END' };

export function clampSpeed(speed: number): number {
  if (!Number.isFinite(speed)) return 1;
  return Math.min(MAX_SPEED, Math.max(MIN_SPEED, speed));
}

function clampTime(t: number, endUs: number): number {
  if (!Number.isFinite(t)) return 0;
  return Math.min(endUs, Math.max(0, Math.round(t)));
}

/** Cursor after a frame of `wallMs` at `speed`: simulated µs = wall ms × 1000 × speed. */
export function advanceUs(ctx: PlayerContext, wallMs: number): number {
  const ms = Math.min(MAX_TICK_MS, Math.max(0, wallMs));
  return clampTime(ctx.timeUs + ms * 1000 * ctx.speed, ctx.endUs);
}

export const playerMachine = setup({
  types: {
    context: {} as PlayerContext,
    events: {} as PlayerEvent,
    input: {} as { endUs: number; speed?: number },
  },
  guards: {
    atEnd: ({ context }) => context.timeUs >= context.endUs,
    tickReachesEnd: ({ context, event }) => event.type === 'TICK' && advanceUs(context, event.wallMs) >= context.endUs,
    resumePlaying: ({ context }) => context.resume === 'playing',
  },
  actions: {
    setSpeed: assign({ speed: ({ context, event }) => (event.type === 'SET_SPEED' ? clampSpeed(event.speed) : context.speed) }),
    seek: assign({ timeUs: ({ context, event }) => (event.type === 'SEEK' ? clampTime(event.timeUs, context.endUs) : context.timeUs) }),
    advance: assign({ timeUs: ({ context, event }) => (event.type === 'TICK' ? advanceUs(context, event.wallMs) : context.timeUs) }),
    toEnd: assign({ timeUs: ({ context }) => context.endUs }),
    rewind: assign({ timeUs: 0 }),
  },
}).createMachine({
  id: 'player',
  initial: 'idle',
  context: ({ input }) => ({ timeUs: 0, endUs: Math.max(0, Math.round(input.endUs)), speed: clampSpeed(input.speed ?? 1), resume: 'paused' }),
  on: {
    SET_SPEED: { actions: 'setSpeed' },
  },
  states: {
    idle: {
      on: {
        PLAY: 'playing',
        SEEK: { target: 'seeking', actions: ['seek', assign({ resume: 'paused' })] },
        END: { target: 'paused', actions: 'toEnd' },
      },
    },
    playing: {
      on: {
        PAUSE: 'paused',
        TICK: [{ guard: 'tickReachesEnd', target: 'paused', actions: 'toEnd' }, { actions: 'advance' }],
        SEEK: { target: 'seeking', actions: ['seek', assign({ resume: 'playing' })] },
        END: { target: 'paused', actions: 'toEnd' },
      },
    },
    paused: {
      on: {
        PLAY: [{ guard: 'atEnd', target: 'playing', actions: 'rewind' }, { target: 'playing' }],
        SEEK: { target: 'seeking', actions: ['seek', assign({ resume: 'paused' })] },
        END: { actions: 'toEnd' },
      },
    },
    seeking: {
      on: {
        SEEK: { actions: 'seek' },
        TICK: [{ guard: 'resumePlaying', target: 'playing' }, { target: 'paused' }],
        PLAY: 'playing',
        PAUSE: { target: 'paused', actions: assign({ resume: 'paused' }) },
        END: { target: 'paused', actions: 'toEnd' },
      },
    },
  },
});
