/**
 * The sidecars: every outbound request an application sends goes through its pod's Envoy
 * (route lookup, weighted pick, load balancing, timeouts, retries) and every attempt reaches the
 * destination pod through that pod's Envoy (istio-semantics.md §9.1).
 *
 * Latency model: each stream pays one outbound-sidecar pass on the way out; each attempt pays
 * network + inbound-sidecar both ways, and the response one more outbound pass. To keep the hot path
 * at three events per attempt (arrive at app, app done, response back), the client sidecar's
 * response-side pass is folded into the response event: retry and timeout decisions are taken at
 * the moment the response would reach the application. The error is one sidecar pass (≈0.2 ms)
 * in races between a response and a timeout.
 */
import type { SemanticsProfile, SidecarLatency } from '../config/types.ts';
import type { PodInfo, Registry } from '../control-plane/registry.ts';
import type { CompiledRoute, ProxyConfig, RequestHead, WeightedCluster } from '../control-plane/types.ts';
import type { InboundCall, InboundHandler, RootRequest, OutboundCaller, OutboundClient, OutboundHandle } from '../domain/ports.ts';
import type { Engine, ScheduledEvent } from '../engine/engine.ts';
import type { Rng } from '../engine/rng.ts';
import { makeSampler, type Sampler } from '../engine/sample.ts';
import type { Trace } from '../trace/sink.ts';
import { ClusterState } from './lb.ts';
import { AttemptFailure, backoffUs, isRetriable } from './retry.ts';
import { lookupRoute, pickWeighted } from './router.ts';

export interface DataPlaneOptions {
  engine: Engine;
  trace: Trace;
  registry: Registry;
  rng: Rng;
  latency: SidecarLatency;
  profile: SemanticsProfile;
  /** Called when the number of streams in flight exceeds this. */
  maxInFlight: number;
  onBudget: (message: string) => void;
}

/** Runtime state of one sidecar proxy. */
export class Proxy {
  readonly pod: PodInfo;
  config: ProxyConfig;
  readonly clusters = new Map<string, ClusterState>();
  readonly lbRng: Rng;
  readonly routeRng: Rng;
  readonly latencyRng: Rng;
  readonly retryRng: Rng;

  constructor(pod: PodInfo, config: ProxyConfig, rng: Rng) {
    this.pod = pod;
    this.config = config;
    const base = rng.fork(`proxy/${pod.namespace}/${pod.name}`);
    this.lbRng = base.fork('lb');
    this.routeRng = base.fork('route');
    this.latencyRng = base.fork('latency');
    this.retryRng = base.fork('retry');
  }

  clusterState(name: string): ClusterState | undefined {
    let st = this.clusters.get(name);
    if (!st) {
      const cfg = this.config.clusters.get(name);
      if (!cfg) return undefined;
      st = new ClusterState(cfg);
      this.clusters.set(name, st);
    }
    return st;
  }

  /** Installs a new config version; cluster state restarts for clusters whose config changed. */
  install(config: ProxyConfig): void {
    this.config = config;
    for (const [name, st] of this.clusters) {
      if (config.clusters.get(name) !== st.config) this.clusters.delete(name);
    }
  }
}

class Stream implements OutboundHandle {
  id: number;
  root: RootRequest;
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
  }
}

class Attempt implements InboundCall {
  readonly stream: Stream;
  readonly n: number;
  readonly sentUs: number;
  readonly dp: DataPlane;
  readonly endpointIdx: number;
  readonly destPod: PodInfo;
  readonly clusterName: string;
  arrivalUs = 0;
  abandoned = false;
  perTryTimer: ScheduledEvent | null = null;
  responseEvent: ScheduledEvent | null = null;
  status = 0;

  constructor(dp: DataPlane, stream: Stream, n: number, sentUs: number, endpointIdx: number, destPod: PodInfo, clusterName: string) {
    this.dp = dp;
    this.stream = stream;
    this.n = n;
    this.sentUs = sentUs;
    this.endpointIdx = endpointIdx;
    this.destPod = destPod;
    this.clusterName = clusterName;
  }

  get head(): RequestHead {
    return this.stream.head;
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

export class DataPlane implements OutboundClient {
  private readonly engine: Engine;
  private readonly trace: Trace;
  private readonly registry: Registry;
  private readonly rng: Rng;
  private readonly profile: SemanticsProfile;
  private readonly outboundLatency: Sampler;
  private readonly inboundLatency: Sampler;
  private readonly networkLatency: Sampler;
  private readonly maxInFlight: number;
  private readonly onBudget: (message: string) => void;
  private inbound: InboundHandler | null = null;
  private readonly proxies: (Proxy | null)[] = [];
  /** Pods that are ready and alive; bumping healthEpoch invalidates cached healthy lists. */
  private readonly podUp: Uint8Array;
  healthEpoch = 0;
  private nextStreamId = 1;
  inFlight = 0;
  private readonly directRng: Rng;
  private readonly podLatencyRng: Rng[] = [];

  constructor(opts: DataPlaneOptions) {
    this.engine = opts.engine;
    this.trace = opts.trace;
    this.registry = opts.registry;
    this.rng = opts.rng;
    this.profile = opts.profile;
    this.outboundLatency = makeSampler(opts.latency.outbound);
    this.inboundLatency = makeSampler(opts.latency.inbound);
    this.networkLatency = makeSampler(opts.latency.network);
    this.maxInFlight = opts.maxInFlight;
    this.onBudget = opts.onBudget;
    this.podUp = new Uint8Array(opts.registry.pods.length).fill(1);
    this.directRng = opts.rng.fork('kube-proxy');
    for (const pod of opts.registry.pods) this.podLatencyRng.push(opts.rng.fork(`pod/${pod.namespace}/${pod.name}/inbound`));
  }

  setInboundHandler(h: InboundHandler): void {
    this.inbound = h;
  }

  /** Creates or updates the sidecar of `pod` with a config version. */
  installConfig(pod: PodInfo, config: ProxyConfig): void {
    const existing = this.proxies[pod.id];
    if (existing) existing.install(config);
    else this.proxies[pod.id] = new Proxy(pod, config, this.rng);
  }

  proxyOf(pod: PodInfo): Proxy | null {
    return this.proxies[pod.id] ?? null;
  }

  isPodUp = (podId: number): boolean => this.podUp[podId] === 1;

  setPodUp(podId: number, up: boolean): void {
    this.podUp[podId] = up ? 1 : 0;
    this.healthEpoch++;
  }

  // ---- OutboundClient -----------------------------------------------------------------------

  send(pod: PodInfo | null, sourceName: string, head: RequestHead, root: RootRequest, caller: OutboundCaller): OutboundHandle {
    const proxy = pod && pod.hasSidecar ? this.proxyOf(pod) : null;
    const s = new Stream(this.nextStreamId++, root, pod, sourceName, head, caller, proxy, this.engine.nowUs);
    this.inFlight++;
    if (this.inFlight > this.maxInFlight) {
      this.onBudget(`budget maxInFlight (${this.maxInFlight}) exceeded: more requests in flight than allowed`);
    }
    if (proxy) this.startViaSidecar(s, proxy);
    else this.startDirect(s);
    return s;
  }

  abandon(handle: OutboundHandle): void {
    const s = handle as Stream;
    if (s.done) return;
    const a = s.attempt;
    if (a && !a.abandoned) {
      this.endAttempt(a, 0, 'DC');
    }
    this.finish(s, 0, 'DC', false);
  }

  // ---- Client side ---------------------------------------------------------------------------

  private startViaSidecar(s: Stream, proxy: Proxy): void {
    const pod = proxy.pod;
    const look = lookupRoute(proxy.config, this.registry, pod.namespace, s.head);
    const outUs = this.outboundLatency(proxy.latencyRng);
    switch (look.kind) {
      case 'unknown-host':
        s.service = s.head.host;
        this.localReply(s, outUs, 0, '-', `unresolved|${s.head.host}`);
        return;
      case 'no-listener':
        s.service = look.service.name;
        this.localReply(s, outUs, 0, 'UF', 'PassthroughCluster');
        return;
      case 'no-route':
        s.service = look.vhost.service?.name ?? s.head.host;
        this.localReply(s, outUs, 404, 'NR', 'route_not_found');
        return;
      case 'route':
        break;
    }
    const route = look.route;
    s.route = route;
    s.service = look.vhost.service?.name ?? s.head.host;
    const action = route.action;
    if (action.kind === 'direct') {
      this.localReply(s, outUs, action.status, '-', 'direct_response');
      return;
    }
    if (action.kind === 'redirect') {
      this.localReply(s, outUs, action.status, '-', 'redirect');
      return;
    }
    const dest = pickWeighted(action.destinations, action.totalWeight, proxy.routeRng);
    s.dest = dest;
    const cluster = proxy.clusterState(dest.cluster);
    if (!cluster) {
      this.localReply(s, outUs, 503, this.profile.missingClusterFlag, dest.cluster);
      return;
    }
    s.cluster = cluster;
    const sendUs = this.engine.nowUs + outUs;
    if (route.timeoutUs > 0) s.routeTimer = this.engine.at(sendUs + route.timeoutUs, this.onRouteTimeout, s);
    this.engine.at(sendUs, this.onSendAttempt, s);
  }

  private onSendAttempt = (s: Stream): void => {
    s.backoffTimer = null;
    if (s.done) return;
    const proxy = s.proxy!;
    const cluster = s.cluster!;
    const retry = s.route!.retry;
    const healthy = cluster.healthyEndpoints(this.healthEpoch, this.isPodUp);
    const avoid = retry && retry.retryPreviousHosts ? s.tried : null;
    const idx = cluster.pick(healthy, proxy.lbRng, avoid, retry ? retry.hostSelectionMaxAttempts : 1);
    if (idx < 0) {
      // No healthy upstream: Envoy answers locally with 503 UH; nothing is retried.
      s.attempts++;
      this.emitUpstream(s, s.attempts, this.engine.nowUs, null, cluster.config.name, 503, 'UH');
      this.finish(s, 503, 'UH', true);
      return;
    }
    const ep = cluster.endpoint(idx);
    (s.tried ??= []).push(ep.pod.id);
    cluster.active[idx]++;
    const a = new Attempt(this, s, ++s.attempts, this.engine.nowUs, idx, ep.pod, cluster.config.name);
    s.attempt = a;
    if (retry && retry.perTryTimeoutUs > 0) a.perTryTimer = this.engine.after(retry.perTryTimeoutUs, this.onPerTryTimeout, a);
    const oneWay = this.networkLatency(proxy.latencyRng) + (ep.pod.hasSidecar ? this.inboundLatency(this.podLatencyRng[ep.pod.id]) : 0);
    this.engine.after(oneWay, this.onArriveAtPod, a);
  };

  private startDirect(s: Stream): void {
    // No client sidecar: kube-proxy picks any ready pod of the Service; no Istio routing, no retries.
    const pod = s.pod;
    const svc = this.registry.resolveHost(s.head.host, pod ? pod.namespace : 'default');
    if (!svc) {
      s.service = s.head.host;
      this.localReply(s, 0, 0, '-', `unresolved|${s.head.host}`);
      return;
    }
    s.service = svc.name;
    const port = svc.ports.find((p) => p.port === s.head.port);
    const candidates = port ? this.registry.selectedPods(svc).filter((p) => this.podUp[p.id] === 1) : [];
    if (!port || candidates.length === 0) {
      s.attempts++;
      this.emitUpstream(s, 1, this.engine.nowUs, null, 'kube-proxy', 0, 'UF');
      this.finish(s, 0, 'UF', true);
      return;
    }
    const destPod = candidates[this.directRng.int(candidates.length)];
    const a = new Attempt(this, s, ++s.attempts, this.engine.nowUs, -1, destPod, 'kube-proxy');
    s.attempt = a;
    const rng = this.podLatencyRng[destPod.id];
    const oneWay = this.networkLatency(rng) + (destPod.hasSidecar ? this.inboundLatency(rng) : 0);
    this.engine.after(oneWay, this.onArriveAtPod, a);
  }

  private localReply(s: Stream, delayUs: number, status: number, flags: string, cluster: string): void {
    s.attempts++;
    this.emitUpstream(s, 1, this.engine.nowUs, null, cluster, status, flags);
    s.done = true;
    this.engine.after(delayUs, this.onLocalReply, { s, status, flags });
  }

  private onLocalReply = (r: { s: Stream; status: number; flags: string }): void => {
    this.inFlight--;
    r.s.caller.onResponse(r.status, r.flags);
  };

  // ---- Server side ---------------------------------------------------------------------------

  private onArriveAtPod = (a: Attempt): void => {
    if (a.abandoned) return;
    if (this.podUp[a.destPod.id] !== 1) {
      // The pod went away while the request was on the wire: connection refused.
      this.attemptFailed(a, AttemptFailure.ConnectFailure, 503, 'UF');
      return;
    }
    a.arrivalUs = this.engine.nowUs;
    this.inbound!.handle(a.destPod, a);
  };

  serverResponded(a: Attempt, status: number): void {
    if (a.abandoned) return; // The caller's side is gone (timeout or disconnect); the answer goes nowhere.
    const s = a.stream;
    const rng = this.podLatencyRng[a.destPod.id];
    let backUs = this.networkLatency(rng);
    if (a.destPod.hasSidecar) backUs += this.inboundLatency(rng);
    if (s.proxy) backUs += this.outboundLatency(s.proxy.latencyRng);
    a.status = status;
    a.responseEvent = this.engine.after(backUs, this.onResponse, a);
  }

  // ---- Attempt outcomes ----------------------------------------------------------------------

  private onResponse = (a: Attempt): void => {
    a.responseEvent = null;
    if (a.abandoned) return;
    this.attemptFailed(a, AttemptFailure.Response, a.status, '-');
  };

  private onPerTryTimeout = (a: Attempt): void => {
    a.perTryTimer = null;
    if (a.abandoned) return;
    this.attemptFailed(a, AttemptFailure.PerTryTimeout, 504, 'UT');
  };

  private onRouteTimeout = (s: Stream): void => {
    s.routeTimer = null;
    if (s.done) return;
    const a = s.attempt;
    if (a && !a.abandoned) this.endAttempt(a, 504, 'UT');
    else if (!a || a.abandoned) {
      // Timed out during back-off or before the first attempt was sent.
      if (s.backoffTimer) this.engine.cancel(s.backoffTimer);
    }
    this.finish(s, 504, 'UT', true);
  };

  /**
   * Ends an attempt with an outcome ("Response" covers every status, success included), then
   * retries or completes the stream.
   */
  private attemptFailed(a: Attempt, failure: AttemptFailure, status: number, flags: string): void {
    const s = a.stream;
    const policy = s.route ? s.route.retry : null;
    const retriable = policy !== null && isRetriable(policy, failure, status);
    if (retriable && s.attempts <= policy!.retries && !s.done) {
      this.endAttempt(a, status, flags);
      s.attempt = null;
      const wait = backoffUs(policy!, s.attempts, s.proxy!.retryRng);
      s.backoffTimer = this.engine.after(wait, this.onSendAttempt, s);
      return;
    }
    const finalFlags = retriable ? (flags === '-' ? 'URX' : `${flags},URX`) : flags;
    this.endAttempt(a, status, finalFlags);
    this.finish(s, status, finalFlags, true);
  }

  private endAttempt(a: Attempt, status: number, flags: string): void {
    a.abandoned = true;
    if (a.perTryTimer) {
      this.engine.cancel(a.perTryTimer);
      a.perTryTimer = null;
    }
    if (a.responseEvent) {
      this.engine.cancel(a.responseEvent);
      a.responseEvent = null;
    }
    const s = a.stream;
    if (a.endpointIdx >= 0 && s.cluster) s.cluster.active[a.endpointIdx]--;
    this.emitUpstream(s, a.n, a.sentUs, a.destPod, a.clusterName, status, flags);
  }

  private finish(s: Stream, status: number, flags: string, deliver: boolean): void {
    if (s.done) return;
    s.done = true;
    if (s.routeTimer) {
      this.engine.cancel(s.routeTimer);
      s.routeTimer = null;
    }
    if (s.backoffTimer) {
      this.engine.cancel(s.backoffTimer);
      s.backoffTimer = null;
    }
    this.inFlight--;
    if (deliver) s.caller.onResponse(status, flags);
  }

  private emitUpstream(s: Stream, attempt: number, startUs: number, destPod: PodInfo | null, cluster: string, code: number, flags: string): void {
    const route = s.route;
    this.trace.emit({
      kind: 'upstream',
      timeUs: this.engine.nowUs,
      startUs,
      req: s.root.id,
      client: s.root.client,
      stream: s.id,
      attempt,
      source: s.pod ? s.pod.deployment : s.sourceName,
      sourcePod: s.pod ? s.pod.name : null,
      service: s.service,
      cluster,
      destination: destPod ? destPod.deployment : null,
      destPod: destPod ? destPod.name : null,
      version: destPod ? destPod.version : null,
      code,
      flags,
      route: route && route.vs ? `${route.vs}#${route.ruleIndex}` : null,
    });
  }
}
