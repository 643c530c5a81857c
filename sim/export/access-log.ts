/**
 * Envoy access-log lines in Istio's default TEXT format (istio-semantics.md §0, Istio's
 * `EnvoyTextLogFormat`), one per upstream attempt as the calling proxy logged it, streamed as the
 * trace goes by. Field order, quoting ("…" around REQUEST, UPSTREAM_TRANSPORT_FAILURE_REASON,
 * X-FORWARDED-FOR, USER-AGENT, X-REQUEST-ID, AUTHORITY, UPSTREAM_HOST) and "-" for a missing
 * value follow that format.
 *
 * The trace does not hold everything the format prints; these stand-ins are deterministic and
 * documented rather than invented to look real:
 * - START_TIME is simulated time since the Unix epoch (a run starts at 1970-01-01T00:00:00Z).
 * - METHOD and PATH come from `requestOf(source, service)` (the scenario's traffic and call
 *   specs); "-" when the scenario does not decide them. USER-AGENT is "meshsim".
 * - BYTES_RECEIVED is 0 (requests carry no body); BYTES_SENT is the response body size the
 *   Istio metrics use (`responseBytes` of the destination workload, 0 for Envoy's own replies).
 * - Addresses are the registry's synthetic pod IPs and Service ClusterIPs (when `addresses` is
 *   given): UPSTREAM_HOST "<pod IP>:<container port>", DOWNSTREAM_LOCAL_ADDRESS "<ClusterIP>:<port>"
 *   (the address the app dialled), UPSTREAM_LOCAL_ADDRESS and DOWNSTREAM_REMOTE_ADDRESS the
 *   calling pod's IP with an ephemeral port derived from the stream id (ports are not modelled).
 *   Without `addresses`, pod and service names stand in.
 * - ROUTE_NAME is Envoy's route name: the VirtualService http route's `name` ("-" when it has
 *   none), "default" for the default route, "allow_any" for PassthroughCluster.
 * - X-REQUEST-ID is derived from the client request id, so lines of one request share it.
 * - A caller without a sidecar (a client outside the mesh, a pod without injection) has no
 *   Envoy to log the call: its line is the destination sidecar's inbound line instead (cluster
 *   "inbound|<port>||", the destination's view of code and flags, UPSTREAM_LOCAL_ADDRESS
 *   127.0.0.6 as Istio's inbound passthrough uses). With no sidecar at either end, no line.
 */
import type { TraceEvent, UpstreamEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';
import { destinationOutcome, responseBodyBytes, type ResponseBody } from '../metrics/istio-metrics.ts';

export interface RequestLine {
  method: string;
  path: string;
  /** Port the caller dialled (the URL's), when the scenario says. */
  port?: number;
}

/** What the access log needs beyond the trace (inventory.ts builds it from the scenario). */
export interface AccessLogContext {
  /** Method and path a caller uses towards a service. */
  requestOf?: (source: string, service: string) => RequestLine | null;
  /** "namespace/pod" → the pod's IP and whether it has a sidecar. Unknown pods count as injected. */
  pods?: ReadonlyMap<string, { ip: string; hasSidecar: boolean }>;
  /** Service FQDN → ClusterIP. */
  serviceIps?: ReadonlyMap<string, string>;
  /** "fqdn|port" → container port. */
  targetPorts?: ReadonlyMap<string, number>;
  /** "ns/name#rule" → the http route's `name` ("" when unnamed). */
  routeNames?: ReadonlyMap<string, string>;
  /** Response bodies by workload ("namespace/deployment"). */
  bodies?: ReadonlyMap<string, ResponseBody>;
}

/** ISO 8601 UTC with milliseconds, computed without Date so the core stays runtime-neutral. */
export function isoTimeFromUs(us: number): string {
  const ms = Math.floor(us / 1000);
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const hh = Math.floor(rest / 3_600_000);
  rest -= hh * 3_600_000;
  const mm = Math.floor(rest / 60_000);
  rest -= mm * 60_000;
  const ss = Math.floor(rest / 1000);
  const milli = rest - ss * 1000;
  // Civil-from-days (Howard Hinnant's algorithm), valid for any day count.
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(y, 4)}-${p(m)}-${p(d)}T${p(hh)}:${p(mm)}:${p(ss)}.${p(milli, 3)}Z`;
}

/** Envoy's RESPONSE_CODE_DETAILS for the flags meshsim produces (first flag wins). */
const DETAILS: Record<string, string> = {
  UT: 'response_timeout',
  UO: 'upstream_reset_before_response_started{overflow}',
  FI: 'fault_filter_abort',
  NR: 'route_not_found',
  NC: 'cluster_not_found',
  UH: 'no_healthy_upstream',
  UF: 'upstream_reset_before_response_started{connection_failure}',
  URX: 'via_upstream',
  UC: 'upstream_reset_before_response_started{connection_termination}',
  UR: 'upstream_reset_before_response_started{remote_reset}',
  DC: 'downstream_remote_disconnect',
  DI: 'via_upstream',
  RL: 'request_rate_limited',
  UAEX: 'ext_authz_denied',
};

export function responseCodeDetails(code: number, flags: string): string {
  if (flags !== '-') {
    const single = DETAILS[flags];
    if (single !== undefined && flags !== 'DI' && flags !== 'URX') return single;
    for (const f of flags.split(',')) if (DETAILS[f] && f !== 'DI' && f !== 'URX') return DETAILS[f];
  }
  if (code === 403 && flags === '-') return 'rbac_access_denied_matched_policy[none]';
  return code === 0 ? '-' : 'via_upstream';
}

/** A stable x-request-id for a client request (UUID-shaped, version 4 nibble). */
export function requestId(req: number): string {
  const hex = req.toString(16).padStart(12, '0');
  return `00000000-0000-4000-8000-${hex}`;
}

/** Port and FQDN of an "outbound|9080|v1|host" cluster; "" for other clusters. */
function clusterParts(cluster: string): { port: string; fqdn: string } {
  const parts = cluster.split('|');
  return parts.length === 4 ? { port: parts[1], fqdn: parts[3] } : { port: '', fqdn: '' };
}

/** A deterministic stand-in for the caller's ephemeral port (Linux range 32768–60999). */
const ephemeralPort = (stream: number) => 32768 + (stream % 28232);

/** Envoy's route name for the trace's route id (see the file comment). */
function routeName(ev: UpstreamEvent, names: ReadonlyMap<string, string> | undefined): string {
  if (ev.route === null) return ev.cluster === 'PassthroughCluster' ? 'allow_any' : 'default';
  if (names === undefined) return ev.route;
  const name = names.get(ev.route);
  return name === undefined || name === '' ? '-' : name;
}

/**
 * The line the proxy that handled this attempt logged, or null when no Envoy saw it (no sidecar
 * at either end, or a connection the destination's sidecar refused before any HTTP request).
 */
export function accessLogLine(ev: UpstreamEvent, request: RequestLine | null, ctx: AccessLogContext = {}): string | null {
  const src = ev.sourcePod !== null && ev.sourceNamespace !== null ? ctx.pods?.get(`${ev.sourceNamespace}/${ev.sourcePod}`) : undefined;
  const dst = ev.destPod !== null && ev.destNamespace !== null ? ctx.pods?.get(`${ev.destNamespace}/${ev.destPod}`) : undefined;
  const callerHasSidecar = ev.sourceNamespace !== null && ev.sourcePod !== null && (src?.hasSidecar ?? true);
  const { port, fqdn } = clusterParts(ev.cluster);
  const authority = port ? `${ev.service}:${port}` : ev.service;
  const targetPort = port ? (ctx.targetPorts?.get(`${fqdn}|${port}`) ?? port) : '';
  const destAddr = ev.destPod === null ? '-' : dst !== undefined ? (targetPort ? `${dst.ip}:${targetPort}` : dst.ip) : port ? `${ev.destPod}:${port}` : ev.destPod;
  const from = src !== undefined ? `${src.ip}:${ephemeralPort(ev.stream)}` : (ev.sourcePod ?? '-');
  const body = ev.destNamespace === null ? undefined : ctx.bodies?.get(`${ev.destNamespace}/${ev.destination}`);
  const durMs = Math.round((ev.timeUs - ev.startUs) / 1000);
  const head = `[${isoTimeFromUs(ev.startUs)}] "${request?.method ?? '-'} ${request?.path ?? '-'} HTTP/1.1"`;
  const tail = `"-" "meshsim" "${requestId(ev.req)}" "${authority}"`;
  if (!callerHasSidecar) {
    if (ev.destPod === null || !(dst?.hasSidecar ?? true)) return null;
    const seen = destinationOutcome(ev.code, ev.flags);
    if (seen === null) return null;
    const sent = responseBodyBytes(body, seen.code, seen.flags);
    // Without a sidecar the caller dialled the Service directly: its port comes from the scenario's URL.
    const svcPort = port || (request?.port !== undefined ? String(request.port) : '');
    const svcFqdn = fqdn || (ev.destNamespace !== null ? `${ev.service}.${ev.destNamespace}.svc.cluster.local` : '');
    const inPort = svcPort ? String(ctx.targetPorts?.get(`${svcFqdn}|${svcPort}`) ?? svcPort) : '';
    const inAddr = dst !== undefined ? (inPort ? `${dst.ip}:${inPort}` : dst.ip) : destAddr;
    const inbound = `inbound|${inPort}||`;
    return (
      `${head} ${seen.code} ${seen.flags} ${responseCodeDetails(seen.code, seen.flags)} - "-" 0 ${sent} ${durMs} ${seen.code === 0 ? '-' : durMs} ` +
      `${tail} "${inAddr}" ${inbound} 127.0.0.6:${ephemeralPort(ev.stream)} ${inAddr} ${ev.sourcePod === null ? '-' : from} - default`
    );
  }
  const reachedApp = ev.destPod !== null && (ev.flags === '-' || ev.flags === 'DI' || ev.flags === 'URX');
  const vip = fqdn ? ctx.serviceIps?.get(fqdn) : undefined;
  const dialled = vip !== undefined ? `${vip}:${port}` : authority;
  const sent = responseBodyBytes(body, ev.code, ev.flags);
  // One template literal per line: this runs once per attempt, and a long run logs millions.
  return (
    `${head} ${ev.code} ${ev.flags} ${responseCodeDetails(ev.code, ev.flags)} - "-" 0 ${sent} ${durMs} ${reachedApp ? durMs : '-'} ` +
    `${tail} "${destAddr}" ${ev.cluster} ${ev.destPod === null ? '-' : from} ${dialled} ${from} - ${routeName(ev, ctx.routeNames)}`
  );
}

/** Streams one line per upstream attempt that an Envoy handled to `writeLine`. */
export class AccessLogSink implements TraceSink {
  private readonly ctx: AccessLogContext;

  /** `context` may be the request-line lookup alone (the older form) or the full context. */
  constructor(
    private readonly writeLine: (line: string) => void,
    context: AccessLogContext | ((source: string, service: string) => RequestLine | null) = {},
  ) {
    this.ctx = typeof context === 'function' ? { requestOf: context } : context;
  }

  write(ev: TraceEvent): void {
    if (ev.kind !== 'upstream') return;
    const line = accessLogLine(ev, this.ctx.requestOf?.(ev.source, ev.service) ?? null, this.ctx);
    if (line !== null) this.writeLine(line);
  }
}
