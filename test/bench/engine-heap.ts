/**
 * Engine-only throughput: the classic "hold" model (pop the earliest event, schedule one at a
 * random later time) on meshsim's Engine and on a plain array binary heap of {t, seq} objects.
 */
import { Engine } from '../../sim/engine/engine.ts';
import { Rng } from '../../sim/engine/rng.ts';

const QUEUE_SIZE = 10_000;

export function holdEngine(events: number, seed: number): number {
  const rng = new Rng(`bench/${seed}`);
  const engine = new Engine();
  let left = events;
  const handler = (): void => {
    if (--left > 0) engine.after(1 + rng.int(1_000_000), handler, null);
  };
  for (let i = 0; i < QUEUE_SIZE; i++) engine.at(rng.int(1_000_000), handler, null);
  engine.runUntil();
  return engine.processed;
}

interface Item {
  t: number;
  seq: number;
}

export function holdPlainHeap(events: number, seed: number): number {
  const rng = new Rng(`bench/${seed}`);
  const a: Item[] = [];
  let seq = 0;
  const push = (e: Item): void => {
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].t < e.t || (a[p].t === e.t && a[p].seq < e.seq)) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = e;
  };
  const pop = (): Item => {
    const top = a[0];
    const last = a.pop()!;
    if (a.length > 0) {
      let i = 0;
      const n = a.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && (a[r].t < a[l].t || (a[r].t === a[l].t && a[r].seq < a[l].seq)) ? r : l;
        if (last.t < a[c].t || (last.t === a[c].t && last.seq < a[c].seq)) break;
        a[i] = a[c];
        i = c;
      }
      a[i] = last;
    }
    return top;
  };
  for (let i = 0; i < QUEUE_SIZE; i++) push({ t: rng.int(1_000_000), seq: seq++ });
  let processed = 0;
  let left = events;
  while (a.length > 0) {
    const e = pop();
    processed++;
    if (--left > 0) push({ t: e.t + 1 + rng.int(1_000_000), seq: seq++ });
  }
  return processed;
}
