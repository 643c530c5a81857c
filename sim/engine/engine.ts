/**
 * The discrete-event kernel. Knows nothing about HTTP or Istio.
 *
 * Ordering rule: events run in increasing `timeUs`; events with equal `timeUs` run in the order
 * they were scheduled (`seq`, a per-engine counter). The comparator below never returns "equal"
 * for two different events, so the order is total and the same on every JavaScript engine.
 *
 * Handlers are `(arg) => void` functions stored with their argument, so the hot path schedules
 * without creating a closure per event. Cancellation removes the event from the heap at once
 * (each event remembers its heap position), so long timeouts that are almost always cancelled
 * cost nothing later.
 */

export type Handler<T> = (arg: T) => void;

export interface ScheduledEvent {
  readonly timeUs: number;
  readonly seq: number;
  /** Heap index while queued; -1 once it ran or was cancelled. */
  pos: number;
  fn: Handler<any>;
  arg: unknown;
}

export interface EngineBudgets {
  /** Stop with reason 'maxEvents' after this many processed events. */
  maxEvents: number;
  /** Never process an event later than this (µs). */
  maxSimTimeUs: number;
}

export type StopReason =
  | { kind: 'idle' }
  | { kind: 'until'; timeUs: number }
  | { kind: 'budget'; budget: 'maxEvents' | 'maxSimTime'; limit: number; timeUs: number }
  | { kind: 'halted'; message: string };

export class Engine {
  /** Current simulated time in µs. Never decreases. */
  nowUs = 0;
  /** Events processed so far. */
  processed = 0;
  private seqCounter = 0;
  private heap: ScheduledEvent[] = [];
  private haltMessage: string | null = null;
  readonly budgets: EngineBudgets;

  constructor(budgets: Partial<EngineBudgets> = {}) {
    this.budgets = {
      maxEvents: budgets.maxEvents ?? Number.MAX_SAFE_INTEGER,
      maxSimTimeUs: budgets.maxSimTimeUs ?? Number.MAX_SAFE_INTEGER,
    };
  }

  get pending(): number {
    return this.heap.length;
  }

  /** Schedules `fn(arg)` at absolute time `timeUs` (must not be in the past). */
  at<T>(timeUs: number, fn: Handler<T>, arg: T): ScheduledEvent {
    if (!(timeUs >= this.nowUs) || !Number.isSafeInteger(timeUs)) {
      throw new RangeError(`engine: cannot schedule at ${timeUs}us (now ${this.nowUs}us); times are integers >= now`);
    }
    const ev: ScheduledEvent = { timeUs, seq: this.seqCounter++, pos: this.heap.length, fn, arg };
    this.heap.push(ev);
    this.siftUp(ev.pos);
    return ev;
  }

  /** Schedules `fn(arg)` after `delayUs` (rounded to an integer ≥ 0). */
  after<T>(delayUs: number, fn: Handler<T>, arg: T): ScheduledEvent {
    return this.at(this.nowUs + (delayUs > 0 ? Math.round(delayUs) : 0), fn, arg);
  }

  /** Removes a queued event. Cancelling an event that already ran or was cancelled is a no-op. */
  cancel(ev: ScheduledEvent | null | undefined): void {
    if (!ev || ev.pos < 0) return;
    const heap = this.heap;
    const i = ev.pos;
    const last = heap.pop()!;
    ev.pos = -1;
    if (last !== ev) {
      heap[i] = last;
      last.pos = i;
      this.siftDown(i);
      this.siftUp(last.pos);
    }
  }

  /** Asks the running loop to stop after the current event; `runUntil` returns { kind: 'halted' }. */
  halt(message: string): void {
    this.haltMessage = message;
  }

  /**
   * Processes events with `timeUs <= untilUs` in order. Returns why it stopped: the queue ran
   * dry ('idle'), the next event is later than `untilUs` ('until', the clock is then advanced to
   * `untilUs`), a budget was hit, or a handler called `halt`.
   */
  runUntil(untilUs: number = Number.MAX_SAFE_INTEGER): StopReason {
    const heap = this.heap;
    const { maxEvents, maxSimTimeUs } = this.budgets;
    // One comparison per event on the hot path; which limit stopped us is sorted out below, in
    // the order 'until', then maxSimTime, then maxEvents.
    const limitUs = untilUs < maxSimTimeUs ? untilUs : maxSimTimeUs;
    while (heap.length > 0) {
      const ev = heap[0];
      if (ev.timeUs > limitUs || this.processed >= maxEvents) {
        if (ev.timeUs > untilUs) {
          this.nowUs = untilUs;
          return { kind: 'until', timeUs: untilUs };
        }
        if (ev.timeUs > maxSimTimeUs) {
          return { kind: 'budget', budget: 'maxSimTime', limit: maxSimTimeUs, timeUs: this.nowUs };
        }
        return { kind: 'budget', budget: 'maxEvents', limit: maxEvents, timeUs: this.nowUs };
      }
      this.popTop();
      this.nowUs = ev.timeUs;
      this.processed++;
      ev.fn(ev.arg);
      if (this.haltMessage !== null) {
        const message = this.haltMessage;
        this.haltMessage = null;
        return { kind: 'halted', message };
      }
    }
    if (untilUs !== Number.MAX_SAFE_INTEGER && untilUs > this.nowUs) this.nowUs = untilUs;
    return { kind: 'idle' };
  }

  private popTop(): void {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    top.pos = -1;
    if (last !== top) {
      heap[0] = last;
      last.pos = 0;
      this.siftDown(0);
    }
  }

  // (timeUs, seq) order; see the file comment.
  private siftUp(i: number): void {
    const heap = this.heap;
    const ev = heap[i];
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p];
      if (parent.timeUs < ev.timeUs || (parent.timeUs === ev.timeUs && parent.seq < ev.seq)) break;
      heap[i] = parent;
      parent.pos = i;
      i = p;
    }
    heap[i] = ev;
    ev.pos = i;
  }

  private siftDown(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const ev = heap[i];
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      let child = heap[l];
      if (r < n) {
        const right = heap[r];
        if (right.timeUs < child.timeUs || (right.timeUs === child.timeUs && right.seq < child.seq)) {
          c = r;
          child = right;
        }
      }
      if (ev.timeUs < child.timeUs || (ev.timeUs === child.timeUs && ev.seq < child.seq)) break;
      heap[i] = child;
      child.pos = i;
      i = c;
    }
    heap[i] = ev;
    ev.pos = i;
  }
}
