/**
 * Runs an xstate machine on the engine's clock (DESIGN.md, Determinism; style-anchors example 10).
 * Every step goes through xstate's pure `transition()`; nothing from xstate's runtime (actors,
 * system ids, Date.now) is involved. Delayed `raise` actions become engine timers keyed by their
 * raise id (or a private counter when they have none), `cancel` cancels that timer, and when a
 * timer fires its event goes back through `transition()`. Delays in meshsim machines are engine
 * microseconds, not xstate's milliseconds.
 *
 * Other actions (named actions of the machine) are handed to `onAction` in order, after the
 * snapshot has been updated, together with the snapshots before and after the step.
 */
import { transition, initialTransition, type AnyStateMachine, type EventFromLogic, type SnapshotFrom, type InputFrom } from 'xstate';
import type { Engine, ScheduledEvent } from '../engine/engine.ts';

export interface MachineAction {
  type: string;
  params?: unknown;
}

export type StepListener<M extends AnyStateMachine> = (prev: SnapshotFrom<M>, next: SnapshotFrom<M>, actions: readonly MachineAction[]) => void;

export class EngineMachine<M extends AnyStateMachine> {
  readonly machine: M;
  snapshot: SnapshotFrom<M>;
  private readonly engine: Engine;
  private readonly timers = new Map<string, ScheduledEvent>();
  private anon = 0;
  private readonly onStep: StepListener<M> | null;

  constructor(engine: Engine, machine: M, input: InputFrom<M>, onStep: StepListener<M> | null = null) {
    this.engine = engine;
    this.machine = machine;
    this.onStep = onStep;
    const [snap, actions] = (initialTransition as (m: M, i: InputFrom<M>) => [SnapshotFrom<M>, MachineAction[]])(machine, input);
    this.snapshot = snap;
    this.run(snap, snap, actions);
  }

  send(event: EventFromLogic<M>): void {
    const prev = this.snapshot;
    const [next, actions] = transition(this.machine, prev, event) as [SnapshotFrom<M>, MachineAction[]];
    this.snapshot = next;
    this.run(prev, next, actions);
  }

  /** Engine timers pending for this machine (for tests). */
  pendingTimers(): string[] {
    return [...this.timers.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }

  private run(prev: SnapshotFrom<M>, next: SnapshotFrom<M>, actions: readonly MachineAction[]): void {
    const rest: MachineAction[] = [];
    for (const a of actions) {
      if (a.type === 'xstate.raise') {
        const p = a.params as { event: EventFromLogic<M>; id?: string; delay?: number };
        if (p.delay === undefined) continue; // handled inside transition()'s macrostep
        const id = p.id ?? `#${++this.anon}`;
        const old = this.timers.get(id);
        if (old) this.engine.cancel(old);
        this.timers.set(id, this.engine.after(Math.max(0, Math.round(p.delay)), this.fire, { self: this, id, event: p.event }));
      } else if (a.type === 'xstate.cancel') {
        const id = (a.params as { sendId: string }).sendId;
        const t = this.timers.get(id);
        if (t) {
          this.engine.cancel(t);
          this.timers.delete(id);
        }
      } else {
        rest.push(a);
      }
    }
    if (this.onStep) this.onStep(prev, next, rest);
  }

  private fire = (x: { self: EngineMachine<M>; id: string; event: EventFromLogic<M> }): void => {
    this.timers.delete(x.id);
    this.send(x.event);
  };
}
