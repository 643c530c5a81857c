/**
 * A plain array binary heap of {t, seq} records: the yardstick the engine is measured against and
 * the queue of the hand-written reference model. Deliberately minimal (no cancel, no positions).
 */
export interface HeapItem {
  t: number;
  seq: number;
}

export class PlainHeap<T extends HeapItem> {
  private readonly a: T[] = [];

  get size(): number {
    return this.a.length;
  }

  push(e: T): void {
    const a = this.a;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p].t < e.t || (a[p].t === e.t && a[p].seq < e.seq)) break;
      a[i] = a[p];
      i = p;
    }
    a[i] = e;
  }

  pop(): T {
    const a = this.a;
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
  }
}
