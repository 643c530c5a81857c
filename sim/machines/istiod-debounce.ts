/**
 * istiod's push debounce (istio-semantics.md §6.1, PILOT_DEBOUNCE_AFTER / PILOT_DEBOUNCE_MAX):
 * a push goes out `quietUs` after the last change, but at most `maxUs` after the first change of
 * a burst. Run with EngineMachine; delays are engine microseconds.
 *
 *   idle --CHANGE--> debouncing   (arms QUIET after quietUs and MAX after maxUs)
 *   debouncing --CHANGE--> debouncing (re-arms QUIET)
 *   debouncing --QUIET | MAX--> idle  (action 'push'; cancels the other timer)
 */
import { cancel, raise, setup } from 'xstate';

export interface DebounceInput {
  quietUs: number;
  maxUs: number;
}

export type DebounceEvent = { type: 'CHANGE' } | { type: 'QUIET' } | { type: 'MAX' };

export const debounceMachine = setup({
  types: { context: {} as DebounceInput, events: {} as DebounceEvent, input: {} as DebounceInput },
  actions: {
    push: () => {},
  },
  delays: {
    quiet: ({ context }) => context.quietUs,
    max: ({ context }) => context.maxUs,
  },
}).createMachine({
  id: 'istiodDebounce',
  context: ({ input }) => ({ quietUs: input.quietUs, maxUs: input.maxUs }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        CHANGE: {
          target: 'debouncing',
          actions: [raise({ type: 'QUIET' }, { delay: 'quiet', id: 'quiet' }), raise({ type: 'MAX' }, { delay: 'max', id: 'max' })],
        },
      },
    },
    debouncing: {
      on: {
        CHANGE: { actions: [cancel('quiet'), raise({ type: 'QUIET' }, { delay: 'quiet', id: 'quiet' })] },
        QUIET: { target: 'idle', actions: [cancel('max'), 'push'] },
        MAX: { target: 'idle', actions: [cancel('quiet'), 'push'] },
      },
    },
  },
});
