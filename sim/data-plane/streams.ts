/**
 * One outbound request through a sidecar (a Stream: route, cluster, retries, timers) and each of
 * its tries on the wire (an Attempt: endpoint, connection, timers). Plain state; the data plane
 * moves them along.
 */
import type { PodInfo } from '../control-plane/registry.ts';
import type { CompiledMatch, CompiledRoute, RequestHead, WeightedCluster } from '../control-plane/types.ts';
import type { InboundCall, OutboundCaller, OutboundHandle, RootRequest } from '../domain/ports.ts';
import type { ScheduledEvent } from '../engine/engine.ts';
import type { ClusterState } from './lb.ts';
import type { Connection, PoolUser } from './pool.ts';
import type { Proxy } from './proxy.ts';

/** Who hears an application's answer to an attempt (the data plane). */
export interface AttemptOwner {
  serverResponded(a: Attempt, status: number): void;
}

export class Stream implements OutboundHandle {
  id: number;
  root: RootRequest;
  /** Inbound stream of the application that made this call; 0 for traffic clients. */
  parent = 0;
  pod: PodInfo | null;
  sourceName: string;
  head: RequestHead;
  caller: OutboundCaller;
  proxy: Proxy | null;
  startUs: number;
  service = '';
  route: CompiledRoute | null = null;
  dest: WeightedCluster | null = null;
  cluster: ClusterState | null = null;
  attempt: Attempt | null = null;
  attempts = 0;
  tried: number[] | null = null;
  done = false;
  routeTimer: ScheduledEvent | null = null;
  backoffTimer: ScheduledEvent | null = null;
  /** The match block that selected the route (rewrite needs it). */
  matched: CompiledMatch | null = null;
  /** The head as sent upstream: `head` unless the route rewrites or sets headers. */
  upstream: RequestHead;
  /** "DI" once a fault delay held this stream, else "". */
  faultFlags = '';
  /** Fault abort status decided for this stream, 0 = none. */
  abortStatus = 0;
  delayTimer: ScheduledEvent | null = null;
  /** Holds one of the cluster's http.maxRetries slots (§2.4) while a retry is outstanding. */
  retryHeld = false;
  /** Direct (no client sidecar) streams pick among these pods. */
  constructor(id: number, root: RootRequest, pod: PodInfo | null, sourceName: string, head: RequestHead, caller: OutboundCaller, proxy: Proxy | null, nowUs: number) {
    this.id = id;
    this.root = root;
    this.pod = pod;
    this.sourceName = sourceName;
    this.head = head;
    this.caller = caller;
    this.proxy = proxy;
    this.startUs = nowUs;
    this.upstream = head;
  }
}

export class Attempt implements InboundCall, PoolUser {
  readonly stream: Stream;
  readonly n: number;
  readonly sentUs: number;
  readonly dp: AttemptOwner;
  readonly endpointIdx: number;
  readonly destPod: PodInfo;
  readonly clusterName: string;
  arrivalUs = 0;
  abandoned = false;
  perTryTimer: ScheduledEvent | null = null;
  responseEvent: ScheduledEvent | null = null;
  status = 0;
  /** Istio mTLS on this attempt's connection (inbound-security.ts). */
  mtls = false;
  /** Workload (container) port the attempt is sent to. */
  port = 0;
  /** Connection pool (§2.4): the connection carrying this attempt, queue state, admission order. */
  conn: Connection | null = null;
  worker = 0;
  queued = false;
  poolSeq = 0;
  /** A complete response arrived (the connection may be reused). */
  responded = false;
  /** The client sidecar's response-side pass folded into the response event (µs). */
  returnPassUs = 0;

  constructor(dp: AttemptOwner, stream: Stream, n: number, sentUs: number, endpointIdx: number, destPod: PodInfo, clusterName: string) {
    this.dp = dp;
    this.stream = stream;
    this.n = n;
    this.sentUs = sentUs;
    this.endpointIdx = endpointIdx;
    this.destPod = destPod;
    this.clusterName = clusterName;
  }

  get head(): RequestHead {
    return this.stream.upstream;
  }
  get root(): RootRequest {
    return this.stream.root;
  }
  get streamId(): number {
    return this.stream.id;
  }

  respond(status: number): void {
    this.dp.serverResponded(this, status);
  }
}
