/**
 * Lab progress as an xstate machine — locked (not started), active at step k, passed — stepped
 * only with the pure `transition()` API so it runs the same in Node and the browser. What is
 * persisted is a plain record (state name, step, step count): no xstate ids, no timestamps, so the
 * file in the workspace diffs cleanly and restores exactly.
 */
import { assign, initialTransition, setup, transition } from 'xstate';

export interface ProgressRecord {
  lab: string;
  state: 'locked' | 'active' | 'passed';
  /** 1-based step the learner is on (the last step when passed, 0 when locked). */
  step: number;
  steps: number;
}

type ProgressEvent = { type: 'START' } | { type: 'STEP_PASSED'; step: number } | { type: 'RESET' };

interface ProgressContext {
  step: number;
  steps: number;
}

export const progressMachine = setup({
  types: { context: {} as ProgressContext, events: {} as ProgressEvent, input: {} as { steps: number } },
  guards: {
    // Passing a later step (with --step) does not skip the current one; only the current one advances.
    isCurrent: ({ context, event }) => event.type === 'STEP_PASSED' && event.step === context.step,
    isLast: ({ context, event }) => event.type === 'STEP_PASSED' && event.step === context.step && context.step >= context.steps,
  },
}).createMachine({
  id: 'lab-progress',
  context: ({ input }) => ({ step: 0, steps: input.steps }),
  initial: 'locked',
  states: {
    locked: { on: { START: { target: 'active', actions: assign({ step: 1 }) } } },
    active: {
      on: {
        STEP_PASSED: [
          { guard: 'isLast', target: 'passed' },
          { guard: 'isCurrent', actions: assign({ step: ({ context }) => context.step + 1 }) },
        ],
        RESET: { target: 'active', actions: assign({ step: 1 }) },
      },
    },
    passed: { on: { RESET: { target: 'active', actions: assign({ step: 1 }) } } },
  },
});

type Snapshot = ReturnType<typeof initialTransition<typeof progressMachine>>[0];

function toRecord(lab: string, snap: Snapshot): ProgressRecord {
  return { lab, state: snap.value as ProgressRecord['state'], step: snap.context.step, steps: snap.context.steps };
}

function fromRecord(r: ProgressRecord): Snapshot {
  return progressMachine.resolveState({ value: r.state, context: { step: r.step, steps: r.steps } });
}

export function initialProgress(lab: string, steps: number): ProgressRecord {
  const [snap] = initialTransition(progressMachine, { steps });
  return toRecord(lab, snap);
}

/** One event applied to a persisted record; returns the next record. */
export function advance(r: ProgressRecord, event: ProgressEvent): ProgressRecord {
  const [next] = transition(progressMachine, fromRecord(r), event);
  return toRecord(r.lab, next);
}

/** Reads a persisted record; anything malformed (hand-edited, older lab with other steps) starts over. */
export function parseProgress(text: string | null, lab: string, steps: number): ProgressRecord {
  if (text === null) return initialProgress(lab, steps);
  try {
    const v = JSON.parse(text) as Partial<ProgressRecord>;
    const okState = v.state === 'locked' || v.state === 'active' || v.state === 'passed';
    const okStep = typeof v.step === 'number' && Number.isInteger(v.step) && v.step >= 0 && v.step <= steps;
    if (!okState || !okStep || v.steps !== steps) return advance(initialProgress(lab, steps), { type: 'START' });
    return { lab, state: v.state as ProgressRecord['state'], step: v.step as number, steps };
  } catch {
    return advance(initialProgress(lab, steps), { type: 'START' });
  }
}

export function progressText(r: ProgressRecord): string {
  if (r.state === 'locked') return 'not started';
  if (r.state === 'passed') return `passed (${r.steps}/${r.steps})`;
  return `step ${r.step} of ${r.steps}`;
}
