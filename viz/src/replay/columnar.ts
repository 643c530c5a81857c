/**
 * A run's trace in a compact, transferable form: one row per event in emission order (kind, time,
 * row within its kind) plus, per kind, one typed column per field and a shared string table.
 * A 100k-request Bookinfo run has about a million events; as objects they would not survive a
 * structured clone to the page in reasonable time, as columns they transfer without a copy.
 *
 * Encoding: string fields hold an index into `strings` (-1 = null); number fields hold the value
 * (NaN = null). Field names and order come from the events themselves (the first event of a kind
 * fixes its layout), so a new trace field needs no change here. No DOM, no Node.
 */
import type { TraceEvent, TraceSink } from '../../../sim/index.ts';

export interface ColumnarKind {
  kind: string;
  fields: string[];
  /** Per field: 's' string column, 'n' number column (decided by its first non-null value). */
  types: ('s' | 'n')[];
  /** Number columns are Int32Array when every value is a non-null 32-bit integer (most are), else Float64Array. */
  columns: (Int32Array | Float64Array)[];
  rows: number;
}

export interface ColumnarTrace {
  count: number;
  /** Index into `kinds` per event. */
  kindOf: Uint8Array;
  /** Row inside its kind's columns per event. */
  rowOf: Uint32Array;
  timeUs: Float64Array;
  kinds: ColumnarKind[];
  strings: string[];
  /** True when the sink stopped at its event limit: the trace is the run's first `count` events. */
  truncated: boolean;
}

/**
 * Past this many events the sink keeps no more: ~60 MB of columns per million events, and about
 * twice that while collecting (plain arrays). 4M events is ~250k Bookinfo requests with provenance.
 */
export const MAX_COLUMNAR_EVENTS = 4_000_000;

interface Building {
  kind: string;
  fields: string[];
  types: ('s' | 'n' | '?')[];
  values: number[][];
  rows: number;
}

/** Collects events as they are emitted; `finish()` packs them into typed arrays. */
export class ColumnarSink implements TraceSink {
  private readonly kindIndex = new Map<string, number>();
  private readonly building: Building[] = [];
  private readonly stringIndex = new Map<string, number>();
  private readonly strings: string[] = [];
  private kindOf: number[] = [];
  private rowOf: number[] = [];
  private times: number[] = [];
  private truncated = false;

  constructor(private readonly maxEvents = MAX_COLUMNAR_EVENTS) {}

  write(ev: TraceEvent): void {
    if (this.times.length >= this.maxEvents) {
      // Events arrive in time order, so what is kept is a consistent prefix of the run.
      this.truncated = true;
      return;
    }
    let k = this.kindIndex.get(ev.kind);
    if (k === undefined) {
      k = this.building.length;
      if (k > 255) throw new Error('columnar trace: more than 256 event kinds');
      const fields = Object.keys(ev).filter((f) => f !== 'kind');
      this.building.push({ kind: ev.kind, fields, types: fields.map(() => '?'), values: fields.map(() => []), rows: 0 });
      this.kindIndex.set(ev.kind, k);
    }
    const b = this.building[k];
    const rec = ev as unknown as Record<string, unknown>;
    for (let i = 0; i < b.fields.length; i++) {
      const v = rec[b.fields[i]];
      let x: number;
      if (typeof v === 'string') {
        x = this.intern(v);
        if (b.types[i] === '?') b.types[i] = 's';
      } else if (typeof v === 'number') {
        x = v;
        if (b.types[i] === '?') b.types[i] = 'n';
      } else {
        x = NaN;
      }
      b.values[i].push(x);
    }
    this.kindOf.push(k);
    this.rowOf.push(b.rows++);
    this.times.push(ev.timeUs);
  }

  private intern(s: string): number {
    let id = this.stringIndex.get(s);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(s);
      this.stringIndex.set(s, id);
    }
    return id;
  }

  finish(): ColumnarTrace {
    const kinds: ColumnarKind[] = this.building.map((b) => {
      const types = b.types.map((t) => (t === 's' ? 's' : 'n'));
      const columns = b.values.map((vals, i) => {
        if (types[i] === 'n') return fitsInt32(vals) ? Int32Array.from(vals) : Float64Array.from(vals);
        const col = new Int32Array(vals.length);
        for (let r = 0; r < vals.length; r++) col[r] = Number.isNaN(vals[r]) ? -1 : vals[r];
        return col;
      });
      return { kind: b.kind, fields: b.fields, types, columns, rows: b.rows };
    });
    const out: ColumnarTrace = {
      count: this.times.length,
      kindOf: Uint8Array.from(this.kindOf),
      rowOf: Uint32Array.from(this.rowOf),
      timeUs: Float64Array.from(this.times),
      kinds,
      strings: this.strings,
      truncated: this.truncated,
    };
    this.kindOf = [];
    this.rowOf = [];
    this.times = [];
    return out;
  }
}

/** Whole numbers in int32 range and no nulls: half the bytes of a Float64Array. */
function fitsInt32(vals: number[]): boolean {
  for (let i = 0; i < vals.length; i++) {
    const v = vals[i];
    if ((v | 0) !== v) return false;
  }
  return true;
}

/** Numbers of one column: NaN = null (only Float64Array columns can hold nulls). */
export type NumberColumn = Int32Array | Float64Array;

/** The buffers to list as transferables when posting a trace. */
export function transferables(t: ColumnarTrace): ArrayBuffer[] {
  const out: ArrayBuffer[] = [t.kindOf.buffer as ArrayBuffer, t.rowOf.buffer as ArrayBuffer, t.timeUs.buffer as ArrayBuffer];
  for (const k of t.kinds) for (const c of k.columns) out.push(c.buffer as ArrayBuffer);
  return out;
}

/** One kind's columns by field name; missing fields read as null. */
export class KindColumns {
  readonly rows: number;
  constructor(
    private readonly trace: ColumnarTrace,
    private readonly k: ColumnarKind | undefined,
  ) {
    this.rows = k?.rows ?? 0;
  }

  private col(field: string, type: 's' | 'n'): Int32Array | Float64Array | null {
    if (!this.k) return null;
    const i = this.k.fields.indexOf(field);
    return i < 0 || this.k.types[i] !== type ? null : this.k.columns[i];
  }

  /** A number column (NaN = null); all-NaN when the kind or field is absent. */
  num(field: string): NumberColumn {
    return this.col(field, 'n') ?? new Float64Array(this.rows).fill(NaN);
  }

  /** A string column as string-table ids (-1 = null). */
  ids(field: string): Int32Array {
    const c = this.col(field, 's');
    return c instanceof Int32Array ? c : new Int32Array(this.rows).fill(-1);
  }

  str(field: string, row: number): string | null {
    const c = this.col(field, 's');
    if (!c) return null;
    const id = c[row];
    return id < 0 ? null : this.trace.strings[id];
  }
}

/** Read access to a columnar trace. */
export class TraceView {
  private readonly byKind = new Map<string, number>();
  constructor(readonly trace: ColumnarTrace) {
    trace.kinds.forEach((k, i) => this.byKind.set(k.kind, i));
  }

  get count(): number {
    return this.trace.count;
  }

  /** Kind-table index of `kind`, or -1 when the run emitted none. */
  kindId(kind: string): number {
    return this.byKind.get(kind) ?? -1;
  }

  kindName(event: number): string {
    return this.trace.kinds[this.trace.kindOf[event]].kind;
  }

  columns(kind: string): KindColumns {
    const i = this.byKind.get(kind);
    return new KindColumns(this.trace, i === undefined ? undefined : this.trace.kinds[i]);
  }

  string(id: number): string | null {
    return id < 0 ? null : this.trace.strings[id];
  }

  /** Index of the first event with time > tUs (events are in non-decreasing time order). */
  upperBound(tUs: number): number {
    const t = this.trace.timeUs;
    let lo = 0;
    let hi = this.trace.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (t[mid] <= tUs) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The event as an object again (inspectors; never on a hot path). */
  event(i: number): Record<string, string | number | null> {
    const k = this.trace.kinds[this.trace.kindOf[i]];
    const row = this.trace.rowOf[i];
    const out: Record<string, string | number | null> = { kind: k.kind };
    for (let f = 0; f < k.fields.length; f++) {
      const v = k.columns[f][row];
      out[k.fields[f]] = k.types[f] === 's' ? (v < 0 ? null : this.trace.strings[v]) : Number.isNaN(v) ? null : v;
    }
    return out;
  }
}
