/**
 * The two small interfaces where the data plane (sidecars) and the workloads (applications) meet.
 * sim/run.ts wires them; neither side imports the other. Objects rather than callbacks, so the hot
 * path creates no closures.
 */
import type { PodInfo } from '../control-plane/registry.ts';
import type { RequestHead } from '../control-plane/types.ts';

/** The client request that everything downstream of it belongs to. */
export interface RootRequest {
  readonly id: number;
  /** Traffic client name. */
  readonly client: string;
}

/** A request delivered to an application by its inbound sidecar. */
export interface InboundCall {
  readonly head: RequestHead;
  /** Client request this belongs to. */
  readonly root: RootRequest;
  /** Simulated time it reached the application. */
  readonly arrivalUs: number;
  /** Id for traces (the outbound stream that carried it). */
  readonly streamId: number;
  /** The application's answer; call exactly once. */
  respond(status: number): void;
}

/** Applications implement this to receive requests. */
export interface InboundHandler {
  handle(pod: PodInfo, call: InboundCall): void;
}

/** Whoever sent an outbound request gets its outcome here. */
export interface OutboundCaller {
  /** status 0 = no HTTP response (reset, connect failure with no retry left, unknown host). */
  onResponse(status: number, flags: string): void;
}

export interface OutboundHandle {
  readonly id: number;
}

/** What applications (and traffic generators) use to send requests. */
export interface OutboundClient {
  /**
   * Sends `head` from `pod` (null = a client outside the mesh named `sourceName`). `parentStream`
   * is the inbound stream the application was serving when it made this call (0 for traffic
   * clients), so traces can be assembled into span trees.
   * The outcome arrives through `caller.onResponse` unless the caller abandons it first, and
   * never from inside `send`: callers keep the returned handle before any answer can come.
   */
  send(pod: PodInfo | null, sourceName: string, head: RequestHead, root: RootRequest, caller: OutboundCaller, parentStream: number): OutboundHandle;
  /** The caller gives up (application timeout): Envoy sees a downstream disconnect (DC). */
  abandon(handle: OutboundHandle): void;
}
