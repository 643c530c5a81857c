/**
 * Engine-only throughput: the classic "hold" model (pop the earliest event, schedule one at a
 * random later time) on meshsim's Engine and on a plain array binary heap of {t, seq} objects.
 */
import { Engine } from '../../sim/engine/engine.ts';
import { Rng } from '../../sim/engine/rng.ts';
import { PlainHeap, type HeapItem } from './plain-heap.ts';

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

export function holdPlainHeap(events: number, seed: number): number {
  const rng = new Rng(`bench/${seed}`);
  const heap = new PlainHeap<HeapItem>();
  let seq = 0;
  for (let i = 0; i < QUEUE_SIZE; i++) heap.push({ t: rng.int(1_000_000), seq: seq++ });
  let processed = 0;
  let left = events;
  while (heap.size > 0) {
    const e = heap.pop();
    processed++;
    if (--left > 0) heap.push({ t: e.t + 1 + rng.int(1_000_000), seq: seq++ });
  }
  return processed;
}
