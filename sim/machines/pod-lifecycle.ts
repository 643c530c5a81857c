/**
 * Pod lifecycle (istio-semantics.md §6.3) as an xstate machine run with EngineMachine (delays are
 * engine microseconds):
 *
 *   pending --SCHEDULED--> starting --(readinessDelay)--> ready
 *   ready | starting --CRASH--> crashed --(back-off)--> starting      kubelet CrashLoopBackOff:
 *                                                                    10 s, doubling, capped at 5 min
 *   ready | starting | crashed --KILL--> terminating --(grace)--> gone
 *
 * Only `ready` pods are endpoints (EndpointSlices list Ready pods only). A pod that stays ready
 * for 10 min would reset its back-off in Kubernetes; runs are shorter, so the count only grows.
 */
import { assign, raise, setup } from 'xstate';

export const RESTART_BACKOFF_BASE_US = 10_000_000;
export const RESTART_BACKOFF_MAX_US = 300_000_000;

export interface PodLifecycleInput {
  /** Time from container start to Ready (readiness probe passes). */
  readinessDelayUs: number;
  /** Time from deletion until the pod is gone (terminationGracePeriod / drain). */
  gracePeriodUs: number;
  /** Start already running and ready (pods present at t=0). */
  ready: boolean;
}

export interface PodLifecycleContext {
  readinessDelayUs: number;
  gracePeriodUs: number;
  restarts: number;
  /** Pods present at t=0 start ready. */
  startReady: boolean;
  /** Back-off before the pending restart. */
  backoffUs: number;
}

export type PodLifecycleEvent =
  | { type: 'SCHEDULED' }
  | { type: 'READY' }
  /** The container exits; `readinessDelayUs` (optional) applies from its next start. */
  | { type: 'CRASH'; readinessDelayUs?: number }
  | { type: 'RESTART' }
  /** The pod is deleted; `gracePeriodUs` (optional) overrides the pod's grace period. */
  | { type: 'KILL'; gracePeriodUs?: number }
  | { type: 'GONE' };

export const podLifecycleMachine = setup({
  types: { context: {} as PodLifecycleContext, events: {} as PodLifecycleEvent, input: {} as PodLifecycleInput },
  delays: {
    readiness: ({ context }) => context.readinessDelayUs,
    backoff: ({ context }) => context.backoffUs,
    grace: ({ context }) => context.gracePeriodUs,
  },
  guards: {
    startsReady: ({ context }) => context.startReady,
  },
  actions: {
    takeGrace: assign(({ context, event }) => ({ gracePeriodUs: event.type === 'KILL' && event.gracePeriodUs !== undefined ? event.gracePeriodUs : context.gracePeriodUs })),
    takeReadiness: assign(({ context, event }) => ({
      readinessDelayUs: event.type === 'CRASH' && event.readinessDelayUs !== undefined ? event.readinessDelayUs : context.readinessDelayUs,
    })),
  },
}).createMachine({
  id: 'pod',
  context: ({ input }) => ({
    readinessDelayUs: input.readinessDelayUs,
    startReady: input.ready,
    gracePeriodUs: input.gracePeriodUs,
    restarts: 0,
    backoffUs: 0,
  }),
  initial: 'pending',
  states: {
    pending: {
      always: { guard: 'startsReady', target: 'ready', actions: assign({ startReady: false }) },
      on: { SCHEDULED: 'starting', KILL: 'gone' },
    },
    starting: {
      entry: raise({ type: 'READY' }, { delay: 'readiness', id: 'readiness' }),
      on: { READY: 'ready', CRASH: { target: 'crashed', actions: 'takeReadiness' }, KILL: { target: 'terminating', actions: 'takeGrace' } },
    },
    ready: {
      on: { CRASH: { target: 'crashed', actions: 'takeReadiness' }, KILL: { target: 'terminating', actions: 'takeGrace' } },
    },
    crashed: {
      entry: [
        assign(({ context }) => {
          const restarts = context.restarts + 1;
          const backoffUs = Math.min(RESTART_BACKOFF_BASE_US * 2 ** (restarts - 1), RESTART_BACKOFF_MAX_US);
          return { restarts, backoffUs };
        }),
        raise({ type: 'RESTART' }, { delay: 'backoff', id: 'backoff' }),
      ],
      on: { RESTART: 'starting', KILL: { target: 'terminating', actions: 'takeGrace' } },
    },
    terminating: {
      entry: raise({ type: 'GONE' }, { delay: 'grace', id: 'grace' }),
      on: { GONE: 'gone' },
    },
    gone: { type: 'final' },
  },
});
