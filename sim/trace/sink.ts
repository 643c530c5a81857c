/**
 * Trace sinks. The simulation writes every event to one `Trace`; the trace hashes it and fans it
 * out to the sinks that asked for events (in-memory recorder, JSONL writer, metric folds).
 */
import { isDetailEvent, type TraceEvent } from './events.ts';
import { TraceHasher } from './hash.ts';

export interface TraceSink {
  write(ev: TraceEvent): void;
}

export class Trace {
  readonly hasher = new TraceHasher();
  private readonly sinks: TraceSink[] = [];

  addSink(sink: TraceSink): void {
    this.sinks.push(sink);
  }

  emit(ev: TraceEvent): void {
    // The per-request kinds first: comparing constant strings is cheaper than the DETAIL_KINDS lookup.
    const kind = ev.kind;
    if (kind === 'upstream' || kind === 'app.end' || kind === 'client.start' || kind === 'client.end' || !isDetailEvent(ev)) this.hasher.add(ev);
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].write(ev);
  }

  /** Events that count towards the trace hash (provenance events excluded). */
  get count(): number {
    return this.hasher.count;
  }
}

/** Keeps every event in memory (tests, --explain, the browser replay). */
export class MemorySink implements TraceSink {
  readonly events: TraceEvent[] = [];
  write(ev: TraceEvent): void {
    this.events.push(ev);
  }
}

/** Serialises one event as a JSON line with its fields in written order. */
export function eventToJsonl(ev: TraceEvent): string {
  return JSON.stringify(ev);
}

/** Calls `writeLine` for each event as a JSON line (the CLI streams these to a file). */
export class JsonlSink implements TraceSink {
  constructor(private readonly writeLine: (line: string) => void) {}
  write(ev: TraceEvent): void {
    this.writeLine(eventToJsonl(ev));
  }
}
