/**
 * Upstream HTTP/1.1 connection pool and circuit breakers of one (client proxy, cluster)
 * (istio-semantics.md §2.4). Connections are explicit objects: connecting → busy ⇄ idle → closing;
 * each is bound to one endpoint (Envoy keeps a pool per host) while the circuit-breaker counters
 * (max_connections, max_pending_requests, max_requests, max_retries) are per cluster per proxy.
 *
 * Algorithm (§2.4 "HTTP/1.1 pool algorithm to simulate"):
 * 1. activeRequests ≥ http2MaxRequests ⇒ overflow (503 UO, upstream_rq_pending_overflow).
 * 2. An idle connection to the chosen host takes the request at once.
 * 3. Else the request must wait: pending ≥ http1MaxPendingRequests ⇒ overflow; else it is queued.
 * 4. A newly queued request opens a connection when the host has fewer connecting connections than
 *    pending requests and the cluster is below maxConnections (connecting + busy + idle + closing).
 *    Like Envoy's conn_pool_base, a host with no connection at all opens one even at the limit
 *    (upstream_cx_overflow still counts), so a busy host cannot starve another one forever.
 * 5. A finished request frees its connection: after maxRequestsPerConnection requests, or after an
 *    abnormal end (reset, timeout, disconnect), the connection closes and its slot is freed when the
 *    close completes; then the oldest pending request may open a new one. Otherwise the connection
 *    turns idle and the oldest pending request for that host takes it.
 * Pending requests have no timeout of their own. The ordering of close vs. new connect is
 * **unconfirmed** (§2.4); we free the slot one close latency after the response passed the proxy.
 *
 * This file is plain code on the hot path: no closures per request, one object per connection.
 * Only clusters whose DestinationRule sets `connectionPool` get a pool; others keep the
 * connection-free fast path (latency as if a warm keep-alive connection were always there).
 */
import type { Engine, ScheduledEvent } from '../engine/engine.ts';
import type { EffectiveTrafficPolicy } from '../control-plane/types.ts';
import { parseDuration } from '../domain/time.ts';

/** Envoy's "unlimited" circuit-breaker thresholds as Istio sets them (2^32−1). */
export const UNLIMITED = 4294967295;
/** Istio's default connect timeout (meshConfig.connectTimeout). */
export const DEFAULT_CONNECT_TIMEOUT_US = 10_000_000;
/** Default upstream HTTP idle timeout (DR http.idleTimeout), 1 h. */
export const DEFAULT_IDLE_TIMEOUT_US = 3_600_000_000;

export interface PoolLimits {
  /** tcp.maxConnections: connections from this proxy to all hosts of the cluster. */
  maxConnections: number;
  /** http.http1MaxPendingRequests: requests waiting for a connection. */
  maxPending: number;
  /** http.http2MaxRequests: active (pending + dispatched) requests. */
  maxRequests: number;
  /** http.maxRequestsPerConnection; 0 = unlimited. */
  maxRequestsPerConnection: number;
  /** http.maxRetries: retries outstanding at once. */
  maxRetries: number;
  /** tcp.connectTimeout in µs (→ UF). */
  connectTimeoutUs: number;
  /** http.idleTimeout in µs; 0 disables. */
  idleTimeoutUs: number;
}

/** Limits from a merged DestinationRule policy, or null when it has no `connectionPool`. */
export function poolLimits(policy: EffectiveTrafficPolicy | undefined): PoolLimits | null {
  const cp = policy?.connectionPool;
  if (!cp) return null;
  const tcp = cp.tcp ?? {};
  const http = cp.http ?? {};
  // Zero means "unset" for the int32 fields (§2.4).
  const lim = (v: number | undefined): number => (v === undefined || v <= 0 ? UNLIMITED : v);
  const dur = (v: string | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    const p = parseDuration(v);
    return p.ok ? p.us : dflt;
  };
  return {
    maxConnections: lim(tcp.maxConnections),
    maxPending: lim(http.http1MaxPendingRequests),
    maxRequests: lim(http.http2MaxRequests),
    maxRequestsPerConnection: http.maxRequestsPerConnection !== undefined && http.maxRequestsPerConnection > 0 ? http.maxRequestsPerConnection : 0,
    maxRetries: lim(http.maxRetries),
    connectTimeoutUs: dur(tcp.connectTimeout, DEFAULT_CONNECT_TIMEOUT_US),
    idleTimeoutUs: dur(http.idleTimeout, DEFAULT_IDLE_TIMEOUT_US),
  };
}

/** Envoy-named cluster counters for one (proxy, cluster); they survive config updates. */
export interface PoolStats {
  upstream_cx_total: number;
  upstream_cx_overflow: number;
  upstream_cx_connect_fail: number;
  upstream_cx_connect_timeout: number;
  upstream_cx_idle_timeout: number;
  upstream_cx_max_requests: number;
  upstream_cx_destroy: number;
  upstream_rq_total: number;
  upstream_rq_pending_total: number;
  upstream_rq_pending_overflow: number;
  upstream_rq_cancelled: number;
  upstream_rq_retry: number;
  upstream_rq_retry_overflow: number;
}

export function newPoolStats(): PoolStats {
  return {
    upstream_cx_total: 0,
    upstream_cx_overflow: 0,
    upstream_cx_connect_fail: 0,
    upstream_cx_connect_timeout: 0,
    upstream_cx_idle_timeout: 0,
    upstream_cx_max_requests: 0,
    upstream_cx_destroy: 0,
    upstream_rq_total: 0,
    upstream_rq_pending_total: 0,
    upstream_rq_pending_overflow: 0,
    upstream_rq_cancelled: 0,
    upstream_rq_retry: 0,
    upstream_rq_retry_overflow: 0,
  };
}

export const enum ConnState {
  Connecting = 0,
  Busy = 1,
  Idle = 2,
  Closing = 3,
}

/** What the pool needs to know about a request (the data plane's attempt). */
export interface PoolUser {
  readonly endpointIdx: number;
  /** Envoy worker thread of the downstream connection this request came on (0 … workers−1). */
  readonly worker: number;
  /** Connection carrying the request, once dispatched. */
  conn: Connection | null;
  /** True while waiting in the pending queue. */
  queued: boolean;
  /** Admission order, set by the pool (oldest pending first). */
  poolSeq: number;
}

export class Connection {
  readonly id: number;
  readonly ep: number;
  /** Per-(worker, host) pool index. */
  readonly slot: number;
  state: ConnState = ConnState.Connecting;
  /** Requests this connection has carried. */
  served = 0;
  idleSinceUs = 0;
  timer: ScheduledEvent | null = null;
  readonly pool: ConnectionPool;
  constructor(pool: ConnectionPool, id: number, ep: number, slot: number) {
    this.pool = pool;
    this.id = id;
    this.ep = ep;
    this.slot = slot;
  }
}

/** How a connect attempt to a host ends. */
export const enum ConnectOutcome {
  Up = 0,
  /** RST: the host is gone or not listening (fast failure). */
  Refused = 1,
  /** No answer at all (partition): fails at connectTimeout. */
  Blackhole = 2,
}

/** The data plane's side of the pool. */
export interface PoolHost {
  /** Connect latency to endpoint `ep` (µs, sampled). */
  connectUs(ep: number): number;
  /** Close latency (µs, sampled). */
  closeUs(): number;
  /** How a connect to `ep` started now would end. */
  connectOutcome(ep: number): ConnectOutcome;
  /** The request got a connection: put it on the wire. */
  dispatch(user: PoolUser): void;
  /** A pending request lost its connection attempt (connect failure or timeout → UF). */
  connectFailed(user: PoolUser, timeout: boolean): void;
}

export const enum Admit {
  Dispatched = 0,
  Pending = 1,
  Overflow = 2,
}

export class ConnectionPool {
  readonly limits: PoolLimits;
  readonly stats: PoolStats;
  private readonly engine: Engine;
  private readonly host: PoolHost;
  /** Connections in any state (Envoy counts connecting + busy + idle + closing). */
  connections = 0;
  /** Pending + dispatched requests. */
  activeRequests = 0;
  pending = 0;
  /** Retries outstanding (http.maxRetries). */
  retries = 0;
  private nextConnId = 1;
  private nextSeq = 1;
  private readonly endpoints: number;
  /**
   * Per (worker, host) slot = worker·endpoints + endpoint: idle connections (LIFO, like Envoy's
   * ready list), pending FIFO, counts. Envoy keeps one pool per host per worker thread while the
   * circuit-breaker counters are shared by all workers of the proxy; with the "a pool with no
   * connection opens one even at the limit" rule this is where the circuit-breaking task's
   * "leeway" comes from (§8.6).
   */
  private readonly idle: Connection[][];
  private readonly queue: PoolUser[][];
  private readonly connecting: Int32Array;
  private readonly perHost: Int32Array;

  constructor(engine: Engine, host: PoolHost, limits: PoolLimits, stats: PoolStats, endpoints: number, workers: number) {
    this.engine = engine;
    this.host = host;
    this.limits = limits;
    this.stats = stats;
    this.endpoints = endpoints;
    const slots = endpoints * workers;
    this.idle = Array.from({ length: slots }, () => []);
    this.queue = Array.from({ length: slots }, () => []);
    this.connecting = new Int32Array(slots);
    this.perHost = new Int32Array(slots);
  }

  private slotOf(user: PoolUser): number {
    return user.worker * this.endpoints + user.endpointIdx;
  }

  /** Admits a request for endpoint `user.endpointIdx`; on Dispatched the caller sends it now. */
  request(user: PoolUser): Admit {
    const L = this.limits;
    this.stats.upstream_rq_total++;
    user.poolSeq = this.nextSeq++;
    if (this.activeRequests >= L.maxRequests) {
      this.stats.upstream_rq_pending_overflow++;
      return Admit.Overflow;
    }
    const ep = this.slotOf(user);
    const c = this.takeIdle(ep);
    if (c !== null) {
      this.activeRequests++;
      this.attach(c, user);
      return Admit.Dispatched;
    }
    if (this.pending >= L.maxPending) {
      this.stats.upstream_rq_pending_overflow++;
      return Admit.Overflow;
    }
    this.activeRequests++;
    this.pending++;
    this.stats.upstream_rq_pending_total++;
    user.queued = true;
    this.queue[ep].push(user);
    this.maybeConnect(ep);
    return Admit.Pending;
  }

  /** A pending request went away (timeout, disconnect) before it got a connection. */
  cancel(user: PoolUser): void {
    if (!user.queued) return;
    const q = this.queue[this.slotOf(user)];
    const i = q.indexOf(user);
    if (i >= 0) q.splice(i, 1);
    user.queued = false;
    this.pending--;
    this.activeRequests--;
    this.stats.upstream_rq_cancelled++;
  }

  /**
   * The request on `user.conn` ended. `reusable` is false for resets, timeouts and disconnects
   * (an HTTP/1.1 connection cannot carry another request then). The close completes after
   * `closeDelayUs`.
   */
  release(user: PoolUser, reusable: boolean, closeDelayUs: number): void {
    const c = user.conn;
    if (!c) return;
    user.conn = null;
    this.activeRequests--;
    const mrpc = this.limits.maxRequestsPerConnection;
    if (mrpc > 0 && c.served >= mrpc) {
      this.stats.upstream_cx_max_requests++;
      this.close(c, closeDelayUs);
    } else if (!reusable) {
      this.close(c, closeDelayUs);
    } else {
      this.makeIdle(c);
    }
  }

  /** Whether one more retry may be attempted now (http.maxRetries); counts it when so. */
  tryRetry(): boolean {
    if (this.retries >= this.limits.maxRetries) {
      this.stats.upstream_rq_retry_overflow++;
      return false;
    }
    this.retries++;
    this.stats.upstream_rq_retry++;
    return true;
  }

  retryDone(): void {
    this.retries--;
  }

  // ---- internals -------------------------------------------------------------------------

  private attach(c: Connection, user: PoolUser): void {
    c.state = ConnState.Busy;
    c.served++;
    user.conn = c;
    user.queued = false;
    this.host.dispatch(user);
  }

  private maybeConnect(ep: number): void {
    if (this.queue[ep].length <= this.connecting[ep]) return;
    if (this.connections >= this.limits.maxConnections) this.reapIdle();
    if (this.connections >= this.limits.maxConnections) {
      this.stats.upstream_cx_overflow++;
      if (this.perHost[ep] > 0) return;
    }
    this.open(ep);
  }

  private open(slot: number): void {
    const ep = slot % this.endpoints;
    const c = new Connection(this, this.nextConnId++, ep, slot);
    this.connections++;
    this.perHost[slot]++;
    this.connecting[slot]++;
    this.stats.upstream_cx_total++;
    const outcome = this.host.connectOutcome(ep);
    if (outcome === ConnectOutcome.Blackhole) {
      c.timer = this.engine.after(this.limits.connectTimeoutUs, this.onConnectTimeout, c);
    } else {
      const us = Math.min(this.host.connectUs(ep), this.limits.connectTimeoutUs);
      c.timer = this.engine.after(us, outcome === ConnectOutcome.Up ? this.onConnected : this.onRefused, c);
    }
  }

  private onConnected = (c: Connection): void => {
    c.timer = null;
    this.connecting[c.slot]--;
    // The host may have gone while the handshake was on the wire.
    if (this.host.connectOutcome(c.ep) !== ConnectOutcome.Up) {
      this.connectFailed(c, false);
      return;
    }
    const next = this.dequeue(c.slot);
    if (next) this.attach(c, next);
    else this.makeIdle(c);
  };

  private onRefused = (c: Connection): void => {
    c.timer = null;
    this.connecting[c.slot]--;
    this.connectFailed(c, false);
  };

  private onConnectTimeout = (c: Connection): void => {
    c.timer = null;
    this.connecting[c.slot]--;
    this.stats.upstream_cx_connect_timeout++;
    this.connectFailed(c, true);
  };

  /** Envoy purges the host's pending requests when its last connect attempt fails. */
  private connectFailed(c: Connection, timeout: boolean): void {
    this.stats.upstream_cx_connect_fail++;
    this.gone(c);
    const ep = c.slot;
    if (this.connecting[ep] > 0) return;
    const q = this.queue[ep];
    while (q.length > 0) {
      const u = q.shift()!;
      u.queued = false;
      this.pending--;
      this.activeRequests--;
      this.host.connectFailed(u, timeout);
    }
  }

  private makeIdle(c: Connection): void {
    const next = this.dequeue(c.slot);
    if (next) {
      this.attach(c, next);
      return;
    }
    c.state = ConnState.Idle;
    c.idleSinceUs = this.engine.nowUs;
    this.idle[c.slot].push(c);
  }

  /**
   * Idle timeout without timers: a timer per idle connection would keep the engine busy for an
   * hour after the last request. An idle connection past its timeout is closed when the pool next
   * looks at it (reuse, or a connect blocked by maxConnections).
   */
  private expired(c: Connection): boolean {
    const t = this.limits.idleTimeoutUs;
    return t > 0 && this.engine.nowUs - c.idleSinceUs >= t;
  }

  private takeIdle(ep: number): Connection | null {
    const list = this.idle[ep];
    while (list.length > 0) {
      const c = list.pop()!;
      if (!this.expired(c)) return c;
      this.stats.upstream_cx_idle_timeout++;
      this.gone(c);
    }
    return null;
  }

  private reapIdle(): void {
    for (let ep = 0; ep < this.idle.length; ep++) {
      const list = this.idle[ep];
      for (let i = list.length - 1; i >= 0; i--) {
        if (this.expired(list[i])) {
          this.stats.upstream_cx_idle_timeout++;
          this.gone(list[i]);
          list.splice(i, 1);
        }
      }
    }
  }

  private close(c: Connection, delayUs: number): void {
    c.state = ConnState.Closing;
    if (delayUs <= 0) this.onClosed(c);
    else c.timer = this.engine.after(delayUs, this.onClosed, c);
  }

  private onClosed = (c: Connection): void => {
    c.timer = null;
    this.gone(c);
    // The freed slot goes to the oldest pending request that still needs a connection.
    let best = -1;
    let bestSeq = 0;
    for (let ep = 0; ep < this.queue.length; ep++) {
      const q = this.queue[ep];
      if (q.length > this.connecting[ep]) {
        const seq = q[this.connecting[ep]].poolSeq;
        if (best < 0 || seq < bestSeq) {
          best = ep;
          bestSeq = seq;
        }
      }
    }
    if (best >= 0) this.maybeConnect(best);
  };

  private gone(c: Connection): void {
    c.state = ConnState.Closing;
    this.connections--;
    this.perHost[c.slot]--;
    this.stats.upstream_cx_destroy++;
  }

  private dequeue(ep: number): PoolUser | null {
    const q = this.queue[ep];
    if (q.length === 0) return null;
    const u = q.shift()!;
    this.pending--;
    return u;
  }
}
