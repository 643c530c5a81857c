/**
 * Outlier-detection state of one host as seen by one client proxy's cluster
 * (istio-semantics.md §2.5), as an xstate machine stepped with the pure `transition()` API
 * (DESIGN.md, Determinism; style-anchors example 10). Counting consecutive errors is per request
 * and stays plain code in sim/data-plane/outlier.ts; this machine only sees the state changes:
 *
 *   healthy --EJECT--> ejected      multiplier += 1 (capped), ejected for base × multiplier
 *   ejected --SWEEP [time is up]--> healthy
 *   healthy --SWEEP--> healthy      multiplier −= 1 when > 0 (decay on each healthy interval)
 *
 * Ejection time = baseEjectionTime × multiplier, capped at max_ejection_time (Envoy default 300 s,
 * or baseEjectionTime when larger; Istio does not expose it). Envoy un-ejects on the interval
 * sweep, so the effective granularity is `interval`. Events carry the engine's time; nothing from
 * xstate's runtime (ids, clocks) is used.
 */
import { assign, setup } from 'xstate';

/** Envoy's default max_ejection_time (300 s). */
export const DEFAULT_MAX_EJECTION_TIME_US = 300_000_000;

export interface OutlierHostContext {
  baseEjectionTimeUs: number;
  maxEjectionTimeUs: number;
  /** Ejections "in a row" (Envoy's ejection multiplier). */
  multiplier: number;
  ejectedAtUs: number;
  /** How long the current ejection lasts. */
  ejectedForUs: number;
  /** Ejections so far. */
  ejections: number;
}

export type OutlierHostEvent = { type: 'EJECT'; nowUs: number } | { type: 'SWEEP'; nowUs: number };

export interface OutlierHostInput {
  baseEjectionTimeUs: number;
}

export const outlierHostMachine = setup({
  types: {
    context: {} as OutlierHostContext,
    events: {} as OutlierHostEvent,
    input: {} as OutlierHostInput,
  },
  guards: {
    ejectionOver: ({ context, event }) => event.nowUs >= context.ejectedAtUs + context.ejectedForUs,
    multiplied: ({ context }) => context.multiplier > 0,
  },
}).createMachine({
  id: 'outlierHost',
  context: ({ input }) => ({
    baseEjectionTimeUs: input.baseEjectionTimeUs,
    maxEjectionTimeUs: Math.max(DEFAULT_MAX_EJECTION_TIME_US, input.baseEjectionTimeUs),
    multiplier: 0,
    ejectedAtUs: -1,
    ejectedForUs: 0,
    ejections: 0,
  }),
  initial: 'healthy',
  states: {
    healthy: {
      on: {
        EJECT: {
          target: 'ejected',
          actions: assign(({ context, event }) => {
            const base = context.baseEjectionTimeUs;
            // The multiplier grows while base × multiplier stays below max + base (Envoy).
            const multiplier = base * context.multiplier < context.maxEjectionTimeUs + base ? context.multiplier + 1 : context.multiplier;
            return {
              multiplier,
              ejectedAtUs: event.nowUs,
              ejectedForUs: Math.min(base * multiplier, context.maxEjectionTimeUs),
              ejections: context.ejections + 1,
            };
          }),
        },
        SWEEP: {
          guard: 'multiplied',
          actions: assign(({ context }) => ({ multiplier: context.multiplier - 1 })),
        },
      },
    },
    ejected: {
      on: {
        SWEEP: { guard: 'ejectionOver', target: 'healthy' },
      },
    },
  },
});
