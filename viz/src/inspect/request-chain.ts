/**
 * One client request's story from the columnar trace: every event that names it (client.start,
 * the provenance chain route.match → route.pick → fault → lb.pick → retry/timeout/mirror, each
 * upstream attempt, client.end) as readable lines, and its attempts as spans for a waterfall.
 * Order of the provenance follows istio-semantics.md §9.1. Pure data, no DOM.
 */
import type { TraceView } from '../replay/columnar.ts';

export type EventRecord = Record<string, string | number | null>;

/** Global event indices of every event whose `req` field is `req`, in trace order. */
export function requestEventIndices(view: TraceView, req: number): number[] {
  const t = view.trace;
  // The `req` column of each kind (null for kinds without one), then one pass over the events.
  const reqCol = t.kinds.map((k) => {
    const f = k.fields.indexOf('req');
    return f < 0 ? null : k.columns[f];
  });
  const out: number[] = [];
  for (let i = 0; i < t.count; i++) {
    const col = reqCol[t.kindOf[i]];
    if (col !== null && col[t.rowOf[i]] === req) out.push(i);
  }
  return out;
}

function ms(us: unknown): string {
  return typeof us === 'number' ? `${(us / 1000).toFixed(3)} ms` : '?';
}

function at(e: EventRecord): string {
  return `${((e.timeUs as number) / 1_000_000).toFixed(6)} s`;
}

/** One line in words per event. Unknown kinds print their fields, so nothing is hidden. */
export function describeEvent(e: EventRecord): string {
  const s = (k: string): string => (e[k] === null || e[k] === undefined ? '-' : String(e[k]));
  switch (e.kind) {
    case 'client.start':
      return `client ${s('client')} sends request #${s('req')}${e.pod ? ` from pod ${s('pod')}` : ' from outside the mesh'}`;
    case 'route.match':
      return (
        `route.match [stream ${s('stream')}] proxy ${s('proxy')}: ${s('host')}:${s('port')} → virtual host ${s('vhost')}, ` +
        `${e.virtualService ? `VirtualService ${s('virtualService')} rule ${s('rule')} match ${s('match')}` : 'default route'} → ${s('outcome')} (${s('detail')})`
      );
    case 'route.pick':
      return `route.pick [stream ${s('stream')}]: draw ${s('draw')} of ${s('totalWeight')} → destination ${s('index')} (weight ${s('weight')}) ${s('cluster')}${e.subset ? ` subset ${s('subset')}` : ''}`;
    case 'fault':
      return e.fault === 'delay'
        ? `fault [stream ${s('stream')}]: delay ${ms(e.delayUs)} (${(Number(e.ppm) / 10_000).toFixed(2)}% of requests)`
        : `fault [stream ${s('stream')}]: abort with HTTP ${s('status')} (${(Number(e.ppm) / 10_000).toFixed(2)}% of requests)`;
    case 'lb.pick':
      return `lb.pick [stream ${s('stream')}] attempt ${s('attempt')}: ${s('lb')} over ${s('healthy')} healthy endpoint(s) of ${s('cluster')} → ${e.endpoint ?? 'none (503 UH)'}${e.hashKey ? ` (hash key ${s('hashKey')})` : ''}`;
    case 'retry':
      return `retry [stream ${s('stream')}]: attempt ${s('attempt')} failed with ${s('code')} ${s('flags')}, retryOn ${s('reason')} matched; back-off ${ms(e.backoffUs)}`;
    case 'timeout':
      return `timeout [stream ${s('stream')}]: ${s('timeout')} timeout of ${ms(e.timeoutUs)} fired on attempt ${s('attempt')}`;
    case 'mirror':
      return `mirror [stream ${s('stream')}]: shadow copy (stream ${s('shadowStream')}) to ${s('cluster')} as ${s('host')}`;
    case 'upstream':
      return (
        `upstream [stream ${s('stream')}] attempt ${s('attempt')}: ${s('source')} → ${e.destination ?? `(no workload) ${s('service')}`}` +
        `${e.destPod ? ` pod ${s('destPod')}` : ''} via ${s('cluster')}: ${s('code')} ${s('flags')} in ${ms((e.timeUs as number) - (e.startUs as number))}${e.route ? `, route ${s('route')}` : ''}`
      );
    case 'client.end':
      return `client ${s('client')} gets ${Number(e.code) === 0 ? 'no response (000)' : `HTTP ${s('code')}`} ${s('flags')} after ${ms(e.latencyUs)}`;
    default:
      return `${s('kind')}: ${Object.entries(e)
        .filter(([k]) => k !== 'kind' && k !== 'timeUs')
        .map(([k, v]) => `${k}=${v === null ? '-' : String(v)}`)
        .join(' ')}`;
  }
}

export interface ChainLine {
  timeUs: number;
  kind: string;
  text: string;
}

export function requestChain(view: TraceView, req: number): ChainLine[] {
  return requestEventIndices(view, req).map((i) => {
    const e = view.event(i);
    return { timeUs: e.timeUs as number, kind: String(e.kind), text: `${at(e)}  ${describeEvent(e)}` };
  });
}

export interface Span {
  label: string;
  startUs: number;
  endUs: number;
  /** Call depth: 0 = the client request, 1 = its first hop, … */
  depth: number;
  error: boolean;
}

/** The client request and its attempts as spans; depth follows the stream → parent links. */
export function requestSpans(view: TraceView, req: number): Span[] {
  const events = requestEventIndices(view, req).map((i) => view.event(i));
  const spans: Span[] = [];
  const start = events.find((e) => e.kind === 'client.start');
  const end = events.find((e) => e.kind === 'client.end');
  if (start) {
    const endUs = end ? (end.timeUs as number) : (start.timeUs as number);
    spans.push({ label: `${start.client} request #${req}${end ? ` → ${Number(end.code) === 0 ? '000' : end.code}` : ' (unfinished)'}`, startUs: start.timeUs as number, endUs, depth: 0, error: !end || Number(end.code) === 0 || Number(end.code) >= 500 });
  }
  const ups = events.filter((e) => e.kind === 'upstream');
  // An attempt's inbound stream on the destination is not in the event; the parent of a child
  // call is the calling app's inbound stream. Depth = 1 + depth of the attempt whose
  // destination pod made the call (same sourcePod, started inside it).
  const depthOf = new Map<object, number>();
  const sorted = [...ups].sort((a, b) => (a.startUs as number) - (b.startUs as number));
  for (const u of sorted) {
    let depth = 1;
    if (u.parent !== 0) {
      const caller = sorted.find((p) => p !== u && p.destPod === u.sourcePod && (p.startUs as number) <= (u.startUs as number) && (p.timeUs as number) >= (u.timeUs as number));
      if (caller) depth = (depthOf.get(caller) ?? 1) + 1;
    }
    depthOf.set(u, depth);
    const code = Number(u.code);
    spans.push({
      label: `${u.source} → ${u.destination ?? u.service} #${u.attempt} ${code === 0 ? '000' : code} ${u.flags}`,
      startUs: u.startUs as number,
      endUs: u.timeUs as number,
      depth,
      error: code === 0 || code >= 500,
    });
  }
  return spans.sort((a, b) => a.startUs - b.startUs || a.depth - b.depth);
}
