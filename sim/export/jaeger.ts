/**
 * Jaeger UI JSON (the query service's `/api/traces` shape, which "JSON File" upload in the stock
 * Jaeger UI reads): one trace per client request, streamed as each request ends, so memory holds
 * only requests in flight.
 *
 * Spans follow Istio's Envoy tracing (shape checked by test/telemetry/jaeger.test.ts):
 * - a root span per client request (the traffic client, client.start → client.end);
 * - per upstream attempt, the calling sidecar's client span (span.kind=client, process = the
 *   calling workload), when the caller has a sidecar: a caller without one has no Envoy to trace;
 * - per attempt that reached an application, the destination sidecar's server span
 *   (span.kind=server, process = the destination workload, upstream_cluster "inbound|port||"),
 *   a CHILD_OF the client span. It spans the app's work: from the request reaching the app to
 *   the app's answer (app.end); the inbound sidecar's own pass is inside the network latency.
 * Calls an application makes are children of the server span of the request it was serving, so
 * the waterfall reads client → server → client → server per hop. Envoy retries of one call are
 * sibling client spans under the same parent, told apart by `retry.attempt`.
 *
 * Joining app.end to its attempt: app.end names the stream (the outbound stream that carried the
 * request) and the pod, not the client request. It is matched to that stream's attempt on that pod
 * that started last before the request reached the app. An app.end usually precedes its attempt's
 * upstream event (the response travels back), so unknown streams wait in `unclaimed` for at
 * most UNCLAIMED_HORIZON_US of simulated time; an app that answers after its caller gave up
 * (timeout) and after the client request ended has no trace left to join and is dropped.
 *
 * Times are simulated µs since the Unix epoch; addresses are the registry's synthetic pod IPs.
 */
import type { AppEndEvent, ClientEndEvent, ClientStartEvent, TraceEvent, UpstreamEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';
import { serviceFqdn } from '../metrics/istio-metrics.ts';
import { requestId, type RequestLine } from './access-log.ts';
import { podKey, type PodFacts } from './inventory.ts';

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

export interface JaegerProcess {
  serviceName: string;
  tags: JaegerTag[];
}

export interface JaegerTrace {
  traceID: string;
  spans: JaegerSpan[];
  processes: Record<string, JaegerProcess>;
  warnings: null;
}

export interface JaegerOptions {
  /** Pods by "namespace/pod" (inventory.ts): IPs, sidecars and labels for tags and processes. */
  pods?: ReadonlyMap<string, PodFacts>;
  /** Method and path a caller uses towards a service, for `http.method` and `http.url`. */
  requestOf?: (source: string, service: string) => RequestLine | null;
  /** "fqdn|port" → container port, for the server span's "inbound|port||" cluster (default: the service port). */
  targetPorts?: ReadonlyMap<string, number>;
}

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

export const traceIdOf = (req: number) => hex(req, 32);
/** Client spans: stream and attempt; the root span uses a prefix no stream id reaches. */
export const attemptSpanId = (stream: number, attempt: number) => hex(stream, 12) + hex(attempt, 4);
/** Server spans: the attempt's id with the top bit of the attempt field set (attempts stay far below 2^15). */
export const serverSpanId = (stream: number, attempt: number) => hex(stream, 12) + hex(0x8000 | attempt, 4);
export const rootSpanId = (req: number) => 'f' + hex(req, 15);

/** Simulated time an app.end waits for its stream's first upstream event before it is dropped. */
export const UNCLAIMED_HORIZON_US = 60_000_000;

const str = (key: string, value: string): JaegerTag => ({ key, type: 'string', value });
const int = (key: string, value: number): JaegerTag => ({ key, type: 'int64', value });
const ERROR: JaegerTag = { key: 'error', type: 'bool', value: true };
const MESH_ID = 'cluster.local';

/** Envoy tags a span as an error for 5xx and for no response at all. */
const isError = (code: number) => code === 0 || code >= 500;

/** Istio's node id: sidecar~IP~pod.namespace~namespace.svc.cluster.local. */
const nodeId = (pod: PodFacts) => `sidecar~${pod.ip}~${pod.name}.${pod.namespace}~${pod.namespace}.svc.cluster.local`;

/** A pod we have no facts for (created by a timeline change): labels unknown, address = its name. */
function guessPod(name: string, namespace: string, deployment: string): PodFacts {
  return { name, namespace, deployment, ip: name, hasSidecar: true, app: null, version: null };
}

/** Builds one trace from a request's events (pure; exported for tests). */
export function buildTrace(start: ClientStartEvent | null, end: ClientEndEvent, attempts: readonly UpstreamEvent[], apps: readonly AppEndEvent[] = [], opts: JaegerOptions = {}): JaegerTrace {
  const traceID = traceIdOf(end.req);
  const processes: JaegerTrace['processes'] = {};
  const processIds = new Map<string, string>();
  const processOf = (key: string, make: () => JaegerProcess): string => {
    let id = processIds.get(key);
    if (!id) {
      id = `p${processIds.size + 1}`;
      processIds.set(key, id);
      processes[id] = make();
    }
    return id;
  };
  const podOf = (name: string | null, namespace: string | null, deployment: string): PodFacts | null => {
    if (name === null || namespace === null) return null;
    return opts.pods?.get(podKey(namespace, name)) ?? guessPod(name, namespace, deployment);
  };
  const podProcess = (pod: PodFacts) =>
    processOf(`pod:${pod.namespace}/${pod.name}`, () => ({ serviceName: `${pod.app ?? pod.deployment}.${pod.namespace}`, tags: [str('ip', pod.ip)] }));

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
      tags: [str('span.kind', 'client'), str('component', 'meshsim-traffic'), str('http.status_code', String(end.code)), str('response_flags', end.flags), ...(isError(end.code) ? [ERROR] : [])],
      logs: [],
      processID: processOf(`client:${end.client}`, () => ({ serviceName: end.client, tags: [str('meshsim.client', end.client)] })),
      warnings: null,
    },
  ];

  // Attempts by stream, to find the one that delivered a child's parent request.
  const byStream = new Map<number, UpstreamEvent[]>();
  for (const a of attempts) {
    const list = byStream.get(a.stream);
    if (list) list.push(a);
    else byStream.set(a.stream, [a]);
  }
  /** The attempt of `stream` on `namespace/pod` that started last at or before `us`. */
  const attemptAt = (stream: number, pod: string, namespace: string | null, us: number): UpstreamEvent | null => {
    let best: UpstreamEvent | null = null;
    for (const c of byStream.get(stream) ?? []) {
      if (c.destPod !== pod || c.destNamespace !== namespace || c.startUs > us) continue;
      if (!best || c.startUs >= best.startUs) best = c;
    }
    return best;
  };
  const served = new Map<UpstreamEvent, AppEndEvent>();
  for (const app of apps) {
    const a = attemptAt(app.stream, app.pod, app.namespace, app.arrivalUs);
    if (a && !served.has(a)) served.set(a, app);
  }
  const sourcePod = (a: UpstreamEvent) => podOf(a.sourcePod, a.sourceNamespace, a.source);
  const hasClientSpan = (a: UpstreamEvent) => {
    const pod = sourcePod(a);
    return pod !== null && pod.hasSidecar;
  };
  /** The span a call made while serving `a` hangs under: a's server span, else its client span, else a's own parent. */
  const spanServing = (a: UpstreamEvent, depth: number): string => {
    if (served.has(a)) return serverSpanId(a.stream, a.attempt);
    if (hasClientSpan(a)) return attemptSpanId(a.stream, a.attempt);
    return depth > 64 ? rootId : parentOf(a, depth + 1);
  };
  const parentOf = (a: UpstreamEvent, depth = 0): string => {
    if (a.parent === 0) return rootId;
    const caller = a.sourcePod === null ? null : attemptAt(a.parent, a.sourcePod, a.sourceNamespace, a.startUs);
    return caller ? spanServing(caller, depth) : rootId;
  };

  const ordered = [...attempts].sort((x, y) => x.startUs - y.startUs || x.stream - y.stream || x.attempt - y.attempt);
  for (const a of ordered) {
    const fqdn = serviceFqdn(a.cluster, a.service);
    const port = a.cluster.split('|')[1] ?? '';
    const operationName = `${fqdn}${port ? `:${port}` : ''}/*`;
    const request = opts.requestOf?.(a.source, a.service) ?? null;
    const url = `http://${a.service}${port ? `:${port}` : ''}${request?.path ?? ''}`;
    const src = sourcePod(a);
    const common = [str('component', 'proxy'), str('http.url', url), str('http.method', request?.method ?? 'GET'), str('http.protocol', 'HTTP/1.1'), str('guid:x-request-id', requestId(a.req)), str('downstream_cluster', '-'), str('istio.mesh_id', MESH_ID)];
    const clientId = attemptSpanId(a.stream, a.attempt);
    const parent = parentOf(a);
    if (src !== null && src.hasSidecar) {
      const tags: JaegerTag[] = [
        str('span.kind', 'client'),
        ...common,
        str('node_id', nodeId(src)),
        str('upstream_cluster', a.cluster),
        str('upstream_cluster.name', a.cluster),
        str('http.status_code', String(a.code)),
        str('response_flags', a.flags),
        str('peer.address', src.ip),
        str('istio.canonical_service', src.app ?? src.deployment),
        str('istio.canonical_revision', src.version ?? 'latest'),
        str('istio.namespace', src.namespace),
        // meshsim's own tags: which rule and subset routed the attempt, which try it was, where it went.
        str('istio.route', a.route ?? 'default'),
        str('istio.subset', a.cluster.split('|')[2] || '-'),
        int('retry.attempt', a.attempt),
        str('istio.destination.workload', a.destination ?? 'unknown'),
        str('istio.destination.version', a.version ?? 'unknown'),
      ];
      if (isError(a.code)) tags.push(ERROR);
      spans.push({ traceID, spanID: clientId, flags: 1, operationName, references: [{ refType: 'CHILD_OF', traceID, spanID: parent }], startTime: a.startUs, duration: a.timeUs - a.startUs, tags, logs: [], processID: podProcess(src), warnings: null });
    }
    const app = served.get(a);
    if (app !== undefined && a.destPod !== null && a.destNamespace !== null) {
      const dst = podOf(a.destPod, a.destNamespace, a.destination ?? a.destPod);
      if (dst === null || !dst.hasSidecar) continue;
      const targetPort = opts.targetPorts?.get(`${fqdn}|${port}`) ?? port;
      const tags: JaegerTag[] = [
        str('span.kind', 'server'),
        ...common,
        str('node_id', nodeId(dst)),
        str('upstream_cluster', `inbound|${targetPort}||`),
        str('upstream_cluster.name', `inbound|${targetPort}||`),
        str('http.status_code', String(app.status)),
        str('response_flags', '-'),
        str('peer.address', src ? src.ip : '-'),
        str('istio.canonical_service', dst.app ?? dst.deployment),
        str('istio.canonical_revision', dst.version ?? 'latest'),
        str('istio.namespace', dst.namespace),
      ];
      if (isError(app.status)) tags.push(ERROR);
      // A caller without a sidecar has no client span: the server span hangs where it would have.
      const serverParent = src !== null && src.hasSidecar ? clientId : parent;
      spans.push({
        traceID,
        spanID: serverSpanId(a.stream, a.attempt),
        flags: 1,
        operationName,
        references: [{ refType: 'CHILD_OF', traceID, spanID: serverParent }],
        startTime: app.arrivalUs,
        duration: app.timeUs - app.arrivalUs,
        tags,
        logs: [],
        processID: podProcess(dst),
        warnings: null,
      });
    }
  }
  // Server spans go right after their client span above; the UI orders by time and tree anyway.
  return { traceID, spans, processes, warnings: null };
}

interface Pending {
  start: ClientStartEvent;
  attempts: UpstreamEvent[];
  apps: AppEndEvent[];
}

/**
 * Streams `{"data":[trace, trace, …],"total":N,"limit":0,"offset":0,"errors":null}` one trace per
 * line as client requests end; call `finish()` after the run to close the document.
 */
export class JaegerSink implements TraceSink {
  private readonly pending = new Map<number, Pending>();
  /** Streams seen in upstream events of requests still open → their request. */
  private readonly streamReq = new Map<number, number>();
  /** app.end events whose stream no upstream event has named yet, in arrival (= time) order. */
  private readonly unclaimed = new Map<number, AppEndEvent[]>();
  private written = 0;

  constructor(
    private readonly writeLine: (line: string) => void,
    private readonly opts: JaegerOptions = {},
  ) {
    writeLine('{"data":[');
  }

  write(ev: TraceEvent): void {
    switch (ev.kind) {
      case 'client.start':
        this.pending.set(ev.req, { start: ev, attempts: [], apps: [] });
        return;
      case 'app.end': {
        const req = this.streamReq.get(ev.stream);
        const p = req === undefined ? undefined : this.pending.get(req);
        if (p) p.apps.push(ev);
        else {
          const list = this.unclaimed.get(ev.stream);
          if (list) list.push(ev);
          else this.unclaimed.set(ev.stream, [ev]);
        }
        return;
      }
      case 'upstream': {
        // Attempts after their request ended (a mirror's shadow copy) have no trace left to join.
        const p = this.pending.get(ev.req);
        if (!p) return;
        p.attempts.push(ev);
        if (!this.streamReq.has(ev.stream)) {
          this.streamReq.set(ev.stream, ev.req);
          const waiting = this.unclaimed.get(ev.stream);
          if (waiting) {
            p.apps.push(...waiting);
            this.unclaimed.delete(ev.stream);
          }
        }
        return;
      }
      case 'client.end': {
        const p = this.pending.get(ev.req);
        this.pending.delete(ev.req);
        if (p) for (const a of p.attempts) this.streamReq.delete(a.stream);
        this.dropUnclaimedBefore(ev.timeUs - UNCLAIMED_HORIZON_US);
        const text = JSON.stringify(buildTrace(p ? p.start : null, ev, p ? p.attempts : [], p ? p.apps : [], this.opts));
        this.writeLine(this.written === 0 ? text : `,${text}`);
        this.written++;
        return;
      }
      default:
        return;
    }
  }

  /** Maps iterate in insertion order, and app.ends arrive in time order: the oldest come first. */
  private dropUnclaimedBefore(us: number): void {
    for (const [stream, list] of this.unclaimed) {
      if (list[0].timeUs >= us) return;
      this.unclaimed.delete(stream);
    }
  }

  /** Requests still open at the end of the run (cut short) are left out: they have no end. */
  finish(): void {
    this.writeLine(`],"total":${this.written},"limit":0,"offset":0,"errors":null}`);
    this.pending.clear();
    this.streamReq.clear();
    this.unclaimed.clear();
  }

  get traces(): number {
    return this.written;
  }

  /** Events held right now (requests in flight and app.ends waiting for their stream): for memory checks. */
  get heldEvents(): number {
    let n = 0;
    for (const p of this.pending.values()) n += 1 + p.attempts.length + p.apps.length;
    for (const l of this.unclaimed.values()) n += l.length;
    return n;
  }
}
