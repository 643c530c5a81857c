/**
 * Envoy access-log lines in Istio's default TEXT format (istio-semantics.md §0), one per upstream
 * attempt as the calling proxy logged it, streamed as the trace goes by.
 *
 * The trace does not hold everything the format prints; these stand-ins are deterministic and
 * documented rather than invented to look real:
 * - START_TIME is simulated time since the Unix epoch (a run starts at 1970-01-01T00:00:00Z).
 * - METHOD and PATH come from `requestOf(source, service)` (the scenario's traffic and call
 *   specs); "-" when the scenario does not decide them.
 * - BYTES_RECEIVED/BYTES_SENT are 0: sizes are not in the trace.
 * - Addresses are pod names (pods have no IPs here): UPSTREAM_HOST "<pod>:<port>",
 *   UPSTREAM_LOCAL_ADDRESS and DOWNSTREAM_REMOTE_ADDRESS the calling pod, DOWNSTREAM_LOCAL_ADDRESS
 *   "<service>:<port>" (where a real log shows the service VIP); "-" when there is none.
 * - X-REQUEST-ID is derived from the client request id, so lines of one request share it.
 */
import type { TraceEvent, UpstreamEvent } from '../trace/events.ts';
import type { TraceSink } from '../trace/sink.ts';

export interface RequestLine {
  method: string;
  path: string;
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

const ports = new Map<string, string>();

/** Port of an "outbound|9080|v1|host" cluster name, memoised: a run has few clusters. */
function portOf(cluster: string): string {
  let p = ports.get(cluster);
  if (p === undefined) {
    const parts = cluster.split('|');
    p = parts.length === 4 ? parts[1] : '';
    if (ports.size < 10_000) ports.set(cluster, p);
  }
  return p;
}

export function accessLogLine(ev: UpstreamEvent, request: RequestLine | null): string {
  const durMs = Math.round((ev.timeUs - ev.startUs) / 1000);
  const port = portOf(ev.cluster);
  const reachedApp = ev.destPod !== null && (ev.flags === '-' || ev.flags === 'DI' || ev.flags === 'URX');
  const upstreamHost = ev.destPod !== null ? (port ? `${ev.destPod}:${port}` : ev.destPod) : '-';
  const authority = port ? `${ev.service}:${port}` : ev.service;
  const from = ev.sourcePod ?? '-';
  // One template literal per line: this runs once per attempt, and a long run logs millions.
  return (
    `[${isoTimeFromUs(ev.startUs)}] "${request?.method ?? '-'} ${request?.path ?? '-'} HTTP/1.1" ${ev.code} ${ev.flags} ${responseCodeDetails(ev.code, ev.flags)} - "-" 0 0 ${durMs} ${reachedApp ? durMs : '-'} ` +
    `"-" "meshsim" "${requestId(ev.req)}" "${authority}" "${upstreamHost}" ${ev.cluster} ${from} ${authority} ${from} - ${ev.route ?? 'default'}`
  );
}

/** Streams one line per upstream attempt to `writeLine`. */
export class AccessLogSink implements TraceSink {
  constructor(
    private readonly writeLine: (line: string) => void,
    private readonly requestOf: (source: string, service: string) => RequestLine | null = () => null,
  ) {}

  write(ev: TraceEvent): void {
    if (ev.kind === 'upstream') this.writeLine(accessLogLine(ev, this.requestOf(ev.source, ev.service)));
  }
}
