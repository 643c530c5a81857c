/**
 * Jaeger UI JSON (the query service's `/api/traces` shape, which "JSON File" upload in the stock
 * Jaeger UI reads): one trace per client request, streamed as each request ends, so memory holds
 * only requests in flight.
 *
 * Spans: a root span per client request (the traffic client, client.start → client.end), then one
 * span per upstream attempt as the calling sidecar saw it (Istio's client-side span). An
 * attempt's parent is the attempt that delivered the request the calling app was serving (the
 * trace's `parent` stream, narrowed to the attempt that reached the calling pod and started
 * before), or the root span for the client's own hop. Retries of one call are therefore sibling
 * spans under the same parent, told apart by `retry.attempt`. Server-side (inbound) spans are not
 * produced: app.end events do not name their client request.
 * Times are simulated µs since the Unix epoch.
 */
import type { ClientEndEvent, ClientStartEvent, TraceEvent, UpstreamEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';
import { serviceFqdn } from '../metrics/istio-metrics.ts';

export interface JaegerTag {
  key: string;
  type: 'string' | 'bool' | 'int64';
  value: string | boolean | number;
}

export interface JaegerReference {
  refType: 'CHILD_OF';
  traceID: string;
  spanID: string;
}

export interface JaegerSpan {
  traceID: string;
  spanID: string;
  flags: number;
  operationName: string;
  references: JaegerReference[];
  startTime: number;
  duration: number;
  tags: JaegerTag[];
  logs: never[];
  processID: string;
  warnings: null;
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, { serviceName: string; tags: JaegerTag[] }>;
  warnings: null;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export const traceIdOf = (req: number) => hex(req, 32);
/** Attempt spans: stream and attempt; the root span uses a prefix no stream id reaches. */
export const attemptSpanId = (stream: number, attempt: number) => hex(stream, 12) + hex(attempt, 4);
export const rootSpanId = (req: number) => 'f' + hex(req, 15);

const str = (key: string, value: string): JaegerTag => ({ key, type: 'string', value });
const int = (key: string, value: number): JaegerTag => ({ key, type: 'int64', value });

interface Pending {
  start: ClientStartEvent;
  attempts: UpstreamEvent[];
}

/** Builds one trace from a request's events (pure; exported for tests). */
export function buildTrace(start: ClientStartEvent | null, end: ClientEndEvent, attempts: readonly UpstreamEvent[]): JaegerTrace {
  const traceID = traceIdOf(end.req);
  const processes: JaegerTrace['processes'] = {};
  const processIds = new Map<string, string>();
  const processOf = (service: string, tags: JaegerTag[]): string => {
    let id = processIds.get(service);
    if (!id) {
      id = `p${processIds.size + 1}`;
      processIds.set(service, id);
      processes[id] = { serviceName: service, tags };
    }
    return id;
  };
  const rootId = rootSpanId(end.req);
  const startUs = start ? start.timeUs : end.timeUs - end.latencyUs;
  const spans: JaegerSpan[] = [
    {
      traceID,
      spanID: rootId,
      flags: 1,
      operationName: end.client,
      references: [],
      startTime: startUs,
      duration: end.latencyUs,
      tags: [str('span.kind', 'client'), str('component', 'meshsim-traffic'), int('http.status_code', end.code), str('response_flags', end.flags), ...(end.code === 0 || end.code >= 500 ? [{ key: 'error', type: 'bool', value: true } as JaegerTag] : [])],
      logs: [],
      processID: processOf(end.client, [str('meshsim.client', end.client)]),
      warnings: null,
    },
  ];

  // Attempts by stream, in start order, to find the one that delivered a child's parent request.
  const byStream = new Map<number, UpstreamEvent[]>();
  for (const a of attempts) {
    const list = byStream.get(a.stream);
    if (list) list.push(a);
    else byStream.set(a.stream, [a]);
  }
  const parentSpan = (a: UpstreamEvent): string => {
    if (a.parent === 0) return rootId;
    const candidates = byStream.get(a.parent) ?? [];
    let best: UpstreamEvent | null = null;
    for (const c of candidates) {
      if (c.destPod !== a.sourcePod || c.startUs > a.startUs) continue;
      if (!best || c.startUs >= best.startUs) best = c;
    }
    return best ? attemptSpanId(best.stream, best.attempt) : rootId;
  };

  const ordered = [...attempts].sort((x, y) => x.startUs - y.startUs || x.stream - y.stream || x.attempt - y.attempt);
  for (const a of ordered) {
    const fqdn = serviceFqdn(a.cluster, a.service);
    const port = a.cluster.split('|')[1] ?? '';
    const service = a.sourceNamespace === null ? a.source : `${a.source}.${a.sourceNamespace}`;
    const tags: JaegerTag[] = [
      str('span.kind', 'client'),
      str('component', 'proxy'),
      str('upstream_cluster', a.cluster),
      str('upstream_cluster.name', a.cluster),
      int('http.status_code', a.code),
      str('response_flags', a.flags),
      str('http.url', `http://${a.service}${port ? `:${port}` : ''}`),
      str('istio.route', a.route ?? 'default'),
      str('istio.subset', a.cluster.split('|')[2] || '-'),
      int('retry.attempt', a.attempt),
      str('peer.address', a.destPod ?? '-'),
      str('istio.destination.workload', a.destination ?? 'unknown'),
      str('istio.destination.version', a.version ?? 'unknown'),
      str('guid:x-request-id', `meshsim-${a.req}`),
    ];
    if (a.code === 0 || a.code >= 500) tags.push({ key: 'error', type: 'bool', value: true });
    spans.push({
      traceID,
      spanID: attemptSpanId(a.stream, a.attempt),
      flags: 1,
      operationName: `${fqdn}${port ? `:${port}` : ''}/*`,
      references: [{ refType: 'CHILD_OF', traceID, spanID: parentSpan(a) }],
      startTime: a.startUs,
      duration: a.timeUs - a.startUs,
      tags,
      logs: [],
      processID: processOf(service, [str('istio.workload', a.source), str('istio.namespace', a.sourceNamespace ?? 'unknown')]),
      warnings: null,
    });
  }
  return { traceID, spans, processes, warnings: null };
}

/**
 * Streams `{"data":[trace, trace, …],"total":0,"limit":0,"offset":0,"errors":null}` one trace per
 * line as client requests end; call `finish()` after the run to close the document.
 */
export class JaegerSink implements TraceSink {
  private readonly pending = new Map<number, Pending>();
  private written = 0;

  constructor(private readonly writeLine: (line: string) => void) {
    writeLine('{"data":[');
  }

  write(ev: TraceEvent): void {
    if (ev.kind === 'client.start') {
      this.pending.set(ev.req, { start: ev, attempts: [] });
    } else if (ev.kind === 'upstream') {
      // Attempts after their request ended (a mirror's shadow copy) have no trace left to join.
      this.pending.get(ev.req)?.attempts.push(ev);
    } else if (ev.kind === 'client.end') {
      const p = this.pending.get(ev.req);
      this.pending.delete(ev.req);
      const text = JSON.stringify(buildTrace(p ? p.start : null, ev, p ? p.attempts : []));
      this.writeLine(this.written === 0 ? text : `,${text}`);
      this.written++;
    }
  }

  /** Requests still open at the end of the run (cut short) are left out: they have no end. */
  finish(): void {
    this.writeLine(`],"total":${this.written},"limit":0,"offset":0,"errors":null}`);
    this.pending.clear();
  }

  get traces(): number {
    return this.written;
  }
}
