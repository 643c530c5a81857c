/**
 * The trace: the one interface between the simulation and everything that reports on it
 * (metrics, checks, exports, the browser replay). Events hold integers and strings only, so a
 * trace serialises identically everywhere. Each member carries what its kind needs and no more.
 *
 * Bump TRACE_FORMAT when a field's meaning changes or a field is removed.
 */

export const TRACE_FORMAT = 1;

/** A client (traffic generator) request was issued. */
export interface ClientStartEvent {
  kind: 'client.start';
  timeUs: number;
  /** Client request id, unique per run, assigned in issue order. */
  req: number;
  client: string;
  /** Pod the request leaves from, or null for clients outside the mesh. */
  pod: string | null;
}

/** A client request finished (response, error or client timeout). */
export interface ClientEndEvent {
  kind: 'client.end';
  timeUs: number;
  req: number;
  client: string;
  /** HTTP status; 0 = no response (reset, timeout), like curl's 000. */
  code: number;
  flags: string;
  latencyUs: number;
}

/**
 * One upstream attempt as the calling proxy saw it: what an Envoy access-log line or an
 * `istio_requests_total{reporter="source"}` increment records. Emitted when the attempt ends.
 */
export interface UpstreamEvent {
  kind: 'upstream';
  timeUs: number;
  startUs: number;
  /** The client request this belongs to. */
  req: number;
  /** The traffic client that issued it. */
  client: string;
  /** Outbound stream id (one per application call); retries share it. */
  stream: number;
  /** 1 for the first try, 2 for the first retry, … (x-envoy-attempt-count). */
  attempt: number;
  /** Calling workload (Deployment name), or the client name for clients outside the mesh. */
  source: string;
  sourcePod: string | null;
  /** Destination service short name, e.g. "reviews". */
  service: string;
  /** Envoy cluster name, e.g. "outbound|9080|v1|reviews.default.svc.cluster.local". */
  cluster: string;
  /** Workload that received the attempt, or null when none did (NR, NC, UH, FI …). */
  destination: string | null;
  destPod: string | null;
  /** The destination pod's `version` label, or null. */
  version: string | null;
  code: number;
  /** Envoy RESPONSE_FLAGS, "-" when none; several joined with ",". */
  flags: string;
  /** "ns/name#rule" of the VirtualService rule used, or null for the default route. */
  route: string | null;
}

/** An application finished handling one inbound request. */
export interface AppEndEvent {
  kind: 'app.end';
  timeUs: number;
  pod: string;
  stream: number;
  /** When the request reached the app (after the inbound sidecar). */
  arrivalUs: number;
  /** When a worker took it (arrivalUs + queueing delay). */
  startUs: number;
  status: number;
}

/** A timeline action took effect. */
export interface TimelineEvent {
  kind: 'timeline';
  timeUs: number;
  action: string;
  label: string;
}

/** The control plane pushed a new configuration version to a proxy. */
export interface ConfigPushEvent {
  kind: 'config.push';
  timeUs: number;
  proxy: string;
  version: number;
}

export type TraceEvent =
  | ClientStartEvent
  | ClientEndEvent
  | UpstreamEvent
  | AppEndEvent
  | TimelineEvent
  | ConfigPushEvent;

export type TraceEventKind = TraceEvent['kind'];

/** Everything that shaped a run; first line of a JSONL trace. */
export interface TraceHeader {
  kind: 'header';
  format: number;
  meshsimVersion: string;
  scenario: string;
  seed: number;
  istioVersion: string;
  inputHash: string;
  durationUs: number;
}
