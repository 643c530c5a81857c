/**
 * The sidecars: every outbound request an application sends goes through its pod's Envoy
 * (route lookup, weighted pick, fault filter, header rewrites, mirroring, load balancing, timeouts,
 * retries) and every attempt reaches the destination pod through that pod's Envoy
 * (istio-semantics.md §9.1). Order per stream: route → weighted cluster → fault delay/abort →
 * cluster (503 NC if missing) → route timer + mirrors → attempts.
 *
 * Latency model: each stream pays one outbound-sidecar pass on the way out; each attempt pays
 * network + inbound-sidecar both ways, and the response one more outbound pass. To keep the hot path
 * at three events per attempt (arrive at app, app done, response back), the client sidecar's
 * response-side pass is folded into the response event: retry and timeout decisions are taken at
 * the moment the response would reach the application. The error is one sidecar pass (≈0.2 ms)
 * in races between a response and a timeout.
 */
import type { SemanticsProfile, SidecarLatency } from '../config/types.ts';
import type { PodInfo, Registry, RegistryService } from '../control-plane/registry.ts';
import type { MirrorPolicy, ProxyConfig, RequestHead, WeightedCluster } from '../control-plane/types.ts';
import type { InboundHandler, RootRequest, OutboundCaller, OutboundClient, OutboundHandle } from '../domain/ports.ts';
import type { Engine } from '../engine/engine.ts';
import type { Rng } from '../engine/rng.ts';
import { makeSampler, type Sampler } from '../engine/sample.ts';
import type { Trace } from '../trace/sink.ts';
import { OutlierTracePort, PoolPort } from './cluster-ports.ts';
import { ENVOY_WORKERS, Proxy } from './proxy.ts';
import { Attempt, Stream } from './streams.ts';
import { emitEndpointPick, emitFault, emitRouteMatch, emitRoutePick, emitTimeout } from './decision-events.ts';
import { addFlag } from './flags.ts';
import { hashKeyOf } from './hash-lb.ts';
import { buildUpstreamHead, needsUpstreamHead } from './headers.ts';
import { ClusterState } from './lb.ts';
import { OutlierDetector, outlierSettings } from './outlier.ts';
import { Admit, ConnectionPool, newPoolStats, poolLimits, type PoolStats } from './pool.ts';
import { AttemptFailure, backoffUs, isRetriable } from './retry.ts';
import { retryReason } from './retry-reason.ts';
import { lookupRoute, pickWeightedIndex } from './router.ts';
import { addClaimHeaders, clientSendsMtls, inboundIsOpen, inboundVerdict } from './inbound-security.ts';
import { lookupGatewayRoute } from '../control-plane/gateway.ts';
import type { InboundSecurity } from '../control-plane/security/index.ts';
import type { TokenTable } from '../control-plane/security/jwt.ts';

export interface DataPlaneOptions {
  engine: Engine;
  trace: Trace;
  registry: Registry;
  rng: Rng;
  latency: SidecarLatency;
  profile: SemanticsProfile;
  /** Called when the number of streams in flight exceeds this. */
  maxInFlight: number;
  /** End of traffic (µs): periodic work such as outlier sweeps is not scheduled past it. Default: none. */
  horizonUs?: number;
  onBudget: (message: string) => void;
  /**
   * Emit provenance events (route match, weighted draw, fault, endpoint, retry, timeout, mirror)
   * for every stream. Off by default: they cost an allocation each. Detail events never change a
   * random draw, so a run with detail on is the same run.
   */
  detail?: boolean;
}

/** x-envoy-attempt-count values, so attempts do not format numbers. */
const ATTEMPT_COUNT = Array.from({ length: 32 }, (_, i) => String(i));

/** Caller of shadow (mirror) streams: the response is discarded (§1.9). */
const DISCARD: OutboundCaller = { onResponse() {} };

export class DataPlane implements OutboundClient {
  private readonly engine: Engine;
  private readonly trace: Trace;
  private registry: Registry;
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
  private readonly detail: boolean;
  private readonly horizonUs: number;
  /** Requests at each pod's application (only when trackPods() was called). */
  private atPod: Set<Attempt>[] | null = null;
  /** Timeline partitions "ns/from>ns/to" (Deployments) → how many windows hold it open. */
  private readonly partitions = new Map<string, number>();

  constructor(opts: DataPlaneOptions) {
    this.horizonUs = opts.horizonUs ?? Number.MAX_SAFE_INTEGER;
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
    this.detail = opts.detail === true;
    this.podUp = new Uint8Array(opts.registry.pods.length).fill(1);
    this.directRng = opts.rng.fork('kube-proxy');
    for (const pod of opts.registry.pods) this.podLatencyRng.push(opts.rng.fork(`pod/${pod.namespace}/${pod.name}/inbound`));
  }

  /** Inbound security of each pod's sidecar (PeerAuthentication, RequestAuthentication, AuthorizationPolicy), by pod id. */
  private readonly inboundSec: (InboundSecurity | undefined)[] = [];
  /** JWTs the scenario declares, by token text (RequestAuthentication without crypto). */
  tokens: TokenTable | null = null;

  /** Installs the inbound security config of `pod` (pushed with its proxy config). */
  installInbound(pod: PodInfo, sec: InboundSecurity): void {
    this.inboundSec[pod.id] = sec;
  }

  /** Services and ServiceEntries changed (a timeline apply or delete): DNS and routing see them now. Pods stay the same. */
  setRegistry(registry: Registry): void {
    this.registry = registry;
  }

  setInboundHandler(h: InboundHandler): void {
    this.inbound = h;
  }

  /** Creates or updates the sidecar of `pod` with a config version. */
  installConfig(pod: PodInfo, config: ProxyConfig): void {
    const existing = this.proxies[pod.id];
    if (existing) existing.install(config);
    else {
      const p = new Proxy(pod, config, this.rng);
      p.equip = this.equip;
      p.lbHealthy = (id) => (p.eds !== null ? p.eds[id] === 1 : this.podUp[id] === 1);
      this.proxies[pod.id] = p;
    }
  }

  proxyOf(pod: PodInfo): Proxy | null {
    return this.proxies[pod.id] ?? null;
  }

  isPodUp = (podId: number): boolean => this.podUp[podId] === 1;

  nowUs(): number {
    return this.engine.nowUs;
  }

  /**
   * A pod starts or stops being an endpoint. Going down resets the requests it is serving unless
   * `resetInFlight` is false (a graceful termination lets them finish; `resetInFlight()` ends the rest).
   */
  setPodUp(podId: number, up: boolean, resetInFlight = true): void {
    this.podUp[podId] = up ? 1 : 0;
    this.healthEpoch++;
    if (!up && resetInFlight && this.atPod !== null) this.resetAtPod(podId);
  }

  /** The pod's process is gone: requests still being served there are reset (503 UC). */
  resetInFlight(podId: number): void {
    if (this.atPod !== null) this.resetAtPod(podId);
  }

  /**
   * From now on endpoint changes reach each proxy only through `setProxyEds` (propagation, §6.1):
   * every proxy keeps its current view until then.
   */
  freezeEds(): void {
    for (const p of this.proxies) if (p && p.eds === null) p.eds = this.podUp.slice();
  }

  /** Pods that are ready now, as an EDS snapshot for `setProxyEds`. */
  readySnapshot(): Uint8Array {
    return this.podUp.slice();
  }

  /** A proxy received an EDS update. */
  setProxyEds(pod: PodInfo, ready: Uint8Array): void {
    const p = this.proxies[pod.id];
    if (!p) return;
    p.eds = ready;
    this.healthEpoch++;
  }

  /**
   * Track requests being served at each pod, so a pod that dies resets them (503 UC, §6.1: "deleted
   * pods … connect failures ⇒ default retries"; a reset after the request was sent is not retried by
   * Istio's default policy). Off unless pods can die during the run.
   */
  trackPods(): void {
    if (this.atPod === null) this.atPod = this.podUp.length === 0 ? [] : Array.from({ length: this.podUp.length }, () => new Set<Attempt>());
  }

  private resetAtPod(podId: number): void {
    const set = this.atPod![podId];
    if (set.size === 0) return;
    const list = [...set];
    set.clear();
    for (const a of list) if (!a.abandoned) this.attemptFailed(a, AttemptFailure.Reset, 503, 'UC');
  }

  /** Opens or closes a partition window: connections from pods of `from` to pods of `to` fail (UF). */
  setPartition(from: string, to: string, on: boolean): void {
    const key = `${from}>${to}`;
    const n = (this.partitions.get(key) ?? 0) + (on ? 1 : -1);
    if (n > 0) this.partitions.set(key, n);
    else this.partitions.delete(key);
  }

  /** True when a partition window blocks connections from `src` to `dst`. */
  isPartitioned(src: PodInfo | null, dst: PodInfo): boolean {
    if (this.partitions.size === 0 || src === null) return false;
    return this.partitions.has(`${src.namespace}/${src.deployment}>${dst.namespace}/${dst.deployment}`);
  }

  // ---- OutboundClient -----------------------------------------------------------------------

  send(pod: PodInfo | null, sourceName: string, head: RequestHead, root: RootRequest, caller: OutboundCaller, parentStream: number): OutboundHandle {
    const proxy = pod && pod.hasSidecar ? this.proxyOf(pod) : null;
    const s = new Stream(this.nextStreamId++, root, pod, sourceName, head, caller, proxy, this.engine.nowUs);
    s.parent = parentStream;
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
    } else if (s.delayTimer) {
      // Gone while the fault filter held the request: Envoy logs it as DI,DC with no upstream.
      this.engine.cancel(s.delayTimer);
      s.delayTimer = null;
      s.attempts++;
      this.emitUpstream(s, 1, s.startUs, null, s.dest ? s.dest.cluster : '-', 0, 'DC');
    }
    this.finish(s, 0, 'DC', false);
  }

  // ---- Client side ---------------------------------------------------------------------------

  private startViaSidecar(s: Stream, proxy: Proxy): void {
    const pod = proxy.pod;
    // Gateways pick the vhost by Host header among their Gateway listeners (§4).
    const gw = proxy.config.gateway;
    const look = gw ? lookupGatewayRoute(gw, s.head) : lookupRoute(proxy.config, this.registry, pod.namespace, s.head);
    const outUs = this.outboundLatency(proxy.latencyRng);
    if (this.detail) emitRouteMatch(this.trace, this.engine.nowUs, s, proxy, look);
    switch (look.kind) {
      case 'unknown-host':
        s.service = s.head.host;
        this.outsideRegistry(s, outUs);
        return;
      case 'no-listener':
        s.service = look.service.name;
        if (this.staleListenerPassthrough(s, look.service, outUs)) return;
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
    s.matched = look.matched;
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
    // Envoy resolves the weighted cluster with the route, before the fault filter runs.
    const dests = action.destinations;
    let index = 0;
    if (dests.length > 1) {
      const draw = proxy.routeRng.int(action.totalWeight);
      index = pickWeightedIndex(dests, action.totalWeight, draw);
      if (this.detail) emitRoutePick(this.trace, this.engine.nowUs, s, draw, action.totalWeight, index, dests[index]);
    }
    s.dest = dests[index];
    const fault = route.fault;
    if (fault !== null) {
      // §1.8: delay and abort are independent per-request draws; an abort is answered after the delay.
      const delayed = fault.delay !== null && proxy.faultRng.chancePpm(fault.delay.ppm);
      if (fault.abort !== null && proxy.faultRng.chancePpm(fault.abort.ppm)) s.abortStatus = fault.abort.status;
      if (delayed) {
        s.faultFlags = 'DI';
        if (this.detail) emitFault(this.trace, this.engine.nowUs, s, 'delay', fault.delay!.ppm, fault.delay!.delayUs, 0);
        s.delayTimer = this.engine.after(outUs + fault.delay!.delayUs, this.onFaultDelayDone, s);
        return;
      }
    }
    this.routerStart(s, outUs);
  }

  private onFaultDelayDone = (s: Stream): void => {
    s.delayTimer = null;
    if (s.done) return;
    this.routerStart(s, 0);
  };

  /** After the fault filter: abort, or pick the cluster and start the first attempt after `outUs`. */
  private routerStart(s: Stream, outUs: number): void {
    const proxy = s.proxy!;
    const route = s.route!;
    const dest = s.dest!;
    if (s.abortStatus !== 0) {
      // Answered by the client proxy itself: never reaches the upstream, never retried.
      if (this.detail) emitFault(this.trace, this.engine.nowUs, s, 'abort', route.fault!.abort!.ppm, 0, s.abortStatus);
      this.localReply(s, outUs, s.abortStatus, s.faultFlags === '' ? 'FI' : 'DI,FI', dest.cluster);
      return;
    }
    const cluster = proxy.clusterState(dest.cluster);
    if (!cluster) {
      this.localReply(s, outUs, 503, this.profile.missingClusterFlag, dest.cluster);
      return;
    }
    s.cluster = cluster;
    if (needsUpstreamHead(route, dest)) s.upstream = buildUpstreamHead(s.head, route, s.matched, dest);
    const sendUs = this.engine.nowUs + outUs;
    if (route.timeoutUs > 0) s.routeTimer = this.engine.at(sendUs + route.timeoutUs, this.onRouteTimeout, s);
    this.engine.at(sendUs, this.onSendAttempt, s);
    const mirrors = route.mirrors;
    for (let i = 0; i < mirrors.length; i++) {
      if (proxy.mirrorRng.chancePpm(mirrors[i].ppm)) this.startShadow(s, mirrors[i], sendUs);
    }
  }

  /**
   * A fire-and-forget copy to the mirror cluster (§1.9): Host gets "-shadow", no retries, the
   * parent's route timeout, response discarded. Its attempts are ordinary upstream events, so the
   * mirror edge shows in metrics. Envoy drops copies to a cluster it does not have.
   */
  private startShadow(parent: Stream, m: MirrorPolicy, sendUs: number): void {
    const proxy = parent.proxy!;
    const cluster = proxy.clusterState(m.cluster);
    if (!cluster) return;
    const up = parent.upstream;
    const head: RequestHead = { method: up.method, scheme: up.scheme, host: `${up.host}-shadow`, port: up.port, path: up.path, query: up.query, headers: new Map(up.headers) };
    const sh = new Stream(this.nextStreamId++, parent.root, parent.pod, parent.sourceName, head, DISCARD, proxy, this.engine.nowUs);
    sh.parent = parent.parent;
    sh.route = m.route;
    sh.dest = (m.route.action as { destinations: WeightedCluster[] }).destinations[0];
    sh.cluster = cluster;
    sh.service = cluster.config.service ? cluster.config.service.name : m.host;
    this.inFlight++;
    if (this.detail) {
      this.trace.emit({ kind: 'mirror', timeUs: this.engine.nowUs, req: parent.root.id, stream: parent.id, shadowStream: sh.id, cluster: m.cluster, host: head.host });
    }
    if (m.route.timeoutUs > 0) sh.routeTimer = this.engine.at(sendUs + m.route.timeoutUs, this.onRouteTimeout, sh);
    this.engine.at(sendUs, this.onSendAttempt, sh);
  }

  private onSendAttempt = (s: Stream): void => {
    s.backoffTimer = null;
    if (s.done) return;
    const proxy = s.proxy!;
    let cluster = s.cluster!;
    if (s.attempts > 0) {
      // Envoy's router looks the cluster up again for every retry (Filter::doRetry): a config push
      // since the first attempt means the new cluster's hosts, health and ejections; a cluster
      // removed meanwhile means no healthy upstream.
      const current = proxy.clusterState(cluster.config.name);
      if (current === undefined) {
        this.releaseRetry(s);
        s.attempts++;
        this.emitUpstream(s, s.attempts, this.engine.nowUs, null, cluster.config.name, 503, 'UH');
        this.finish(s, 503, 'UH', true);
        return;
      }
      if (current !== cluster) {
        this.releaseRetry(s);
        s.cluster = cluster = current;
      }
    }
    const retry = s.route!.retry;
    // Locality (§2.6) narrows the healthy endpoints to one priority or locality first.
    const healthy = cluster.localityCandidates(cluster.healthyEndpoints(this.healthEpoch, proxy.lbHealthy), proxy.lbRng);
    const avoid = retry && retry.retryPreviousHosts ? s.tried : null;
    const maxTries = retry ? retry.hostSelectionMaxAttempts : 1;
    const hash = cluster.config.hash;
    let hashKey: string | null = null;
    let idx: number;
    if (hash) {
      hashKey = hashKeyOf(hash.key, s.head, s.pod ? s.pod.ip : s.sourceName);
      idx = this.pickByHash(proxy, cluster, healthy, hashKey, avoid, maxTries);
    } else {
      idx = cluster.pick(healthy, proxy.lbRng, avoid, maxTries);
    }
    if (this.detail) emitEndpointPick(this.trace, this.engine.nowUs, s, cluster, healthy.length, idx, hashKey);
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
    const n = ++s.attempts;
    // Istio enables include_request_attempt_count; the delay of a fault counts in the first attempt's time.
    s.upstream.headers.set('x-envoy-attempt-count', n < ATTEMPT_COUNT.length ? ATTEMPT_COUNT[n] : String(n));
    const sentUs = n === 1 && s.faultFlags !== '' ? s.startUs : this.engine.nowUs;
    const a = new Attempt(this, s, n, sentUs, idx, ep.pod, cluster.config.name);
    s.attempt = a;
    a.port = ep.port;
    a.mtls = clientSendsMtls(cluster.config, ep.pod, this.inboundSec[ep.pod.id], ep.port);
    if (retry && retry.perTryTimeoutUs > 0) a.perTryTimer = this.engine.after(retry.perTryTimeoutUs, this.onPerTryTimeout, a);
    const pool = cluster.pool;
    if (pool !== null) {
      a.worker = proxy.workerOf(s);
      // §2.4: the pool dispatches now (idle connection), later (pending), or overflows (503 UO).
      if (pool.request(a) === Admit.Overflow) this.poolOverflow(a);
      return;
    }
    this.sendOnWire(a);
  };

  /** @internal The attempt leaves the client sidecar towards its pod. */
  sendOnWire(a: Attempt): void {
    const proxy = a.stream.proxy!;
    const oneWay = this.networkLatency(proxy.latencyRng) + (a.destPod.hasSidecar ? this.inboundLatency(this.podLatencyRng[a.destPod.id]) : 0);
    this.engine.after(oneWay, this.onArriveAtPod, a);
  }

  /**
   * Circuit breaker overflow (§2.4): Envoy answers 503 UO (x-envoy-overloaded) at once. The request
   * never reached a host, is not retried, and does not count for outlier detection.
   */
  private poolOverflow(a: Attempt): void {
    const s = a.stream;
    a.abandoned = true;
    if (a.perTryTimer) {
      this.engine.cancel(a.perTryTimer);
      a.perTryTimer = null;
    }
    s.attempt = null;
    s.cluster!.active[a.endpointIdx]--;
    this.releaseRetry(s);
    this.emitUpstream(s, a.n, this.engine.nowUs, null, a.clusterName, 503, 'UO');
    this.finish(s, 503, 'UO', true);
  }

  /** @internal A pending attempt lost its connection attempt: connect failure or timeout (UF). */
  poolConnectFailed(a: Attempt): void {
    if (a.abandoned) return;
    this.attemptFailed(a, AttemptFailure.ConnectFailure, 503, 'UF');
  }

  private releaseRetry(s: Stream): void {
    if (s.retryHeld) {
      s.retryHeld = false;
      s.cluster!.pool?.retryDone();
    }
  }

  private equip = (proxy: Proxy, st: ClusterState): void => {
    const cfg = st.config;
    const limits = poolLimits(cfg.policy);
    if (limits !== null) {
      let stats = proxy.poolStats.get(cfg.name);
      if (!stats) {
        stats = newPoolStats();
        proxy.poolStats.set(cfg.name, stats);
      }
      st.pool = new ConnectionPool(this.engine, new PoolPort(this, proxy, cfg), limits, stats, cfg.endpoints.length, ENVOY_WORKERS);
    }
    const od = outlierSettings(cfg.policy);
    if (od !== null) {
      st.outlier = new OutlierDetector(this.engine, new OutlierTracePort(this, this.trace, proxy, cfg), od, cfg.endpoints.length, this.profile.legacyFirstEjectionAlwaysAllowed, this.horizonUs);
    }
  };

  /** @internal For PoolPort. */
  samplers(): { network: Sampler; inbound: Sampler } {
    return { network: this.networkLatency, inbound: this.inboundLatency };
  }

  /** Envoy-style cluster counters of every pool, by proxy then cluster name (sorted). */
  proxyStats(): { proxy: string; namespace: string; cluster: string; stats: PoolStats }[] {
    const out: { proxy: string; namespace: string; cluster: string; stats: PoolStats }[] = [];
    for (const p of this.proxies) {
      if (!p) continue;
      const names = [...p.poolStats.keys()].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
      for (const name of names) out.push({ proxy: p.pod.name, namespace: p.pod.namespace, cluster: name, stats: { ...p.poolStats.get(name)! } });
    }
    return out;
  }

  /**
   * Consistent-hash pick (§2.3): the key's table position; when the previous-hosts predicate rejects
   * the host, Envoy asks again with attempt 1, 2, … up to host_selection_retry_max_attempts.
   */
  private pickByHash(proxy: Proxy, cluster: ClusterState, healthy: readonly number[], key: string | null, avoid: readonly number[] | null, maxTries: number): number {
    const st = proxy.hashLb(cluster.config.name);
    if (!st) return cluster.pick(healthy, proxy.lbRng, avoid, maxTries);
    const eps = cluster.config.endpoints;
    const tries = avoid && avoid.length > 0 ? Math.max(1, maxTries) : 1;
    let idx = -1;
    for (let t = 0; t < tries; t++) {
      idx = st.pick(eps, healthy, key, proxy.lbRng, t);
      if (idx < 0 || !avoid || avoid.indexOf(eps[idx].pod.id) < 0) break;
    }
    return idx;
  }

  private startDirect(s: Stream): void {
    // No client sidecar: kube-proxy picks any ready pod of the Service; no Istio routing, no retries.
    const pod = s.pod;
    const svc = this.registry.resolveHost(s.head.host, pod ? pod.namespace : 'default');
    const outside = svc ? undefined : this.registry.externalPod(s.head.host);
    if (outside) {
      s.service = s.head.host;
      this.attemptDirect(s, outside, s.head.port, 0, 'kube-proxy');
      return;
    }
    if (!svc) {
      s.service = s.head.host;
      this.localReply(s, 0, 0, '-', `unresolved|${s.head.host}`);
      return;
    }
    s.service = svc.name;
    const port = svc.ports.find((p) => p.port === s.head.port);
    const destPod = port ? this.kubeProxyPick(svc) : null;
    if (!port || destPod === null) {
      // No ready pod behind the Service: the connection fails. Answered as an event, never from
      // inside send() (the caller has no handle yet; ports.ts).
      this.localReply(s, 0, 0, 'UF', 'kube-proxy');
      return;
    }
    this.attemptDirect(s, destPod, this.registry.targetPort(port, destPod), 0, 'kube-proxy');
  }

  /** The ready pod of `svc` kube-proxy sends a connection to (one draw), or null when none is ready. */
  private kubeProxyPick(svc: RegistryService): PodInfo | null {
    const candidates = this.registry.selectedPods(svc).filter((p) => this.podUp[p.id] === 1);
    return candidates.length === 0 ? null : candidates[this.directRng.int(candidates.length)];
  }

  /**
   * One attempt straight to `destPod` on `port` after `delayUs` (kube-proxy, or the original
   * destination of a passthrough): no route, no retries, no pool; the pod's own sidecar, if any,
   * still takes its inbound pass.
   */
  private attemptDirect(s: Stream, destPod: PodInfo, port: number, delayUs: number, cluster: string): void {
    const a = new Attempt(this, s, ++s.attempts, this.engine.nowUs + delayUs, -1, destPod, cluster);
    a.port = port;
    s.attempt = a;
    const rng = this.podLatencyRng[destPod.id];
    const oneWay = this.networkLatency(rng) + (destPod.hasSidecar ? this.inboundLatency(rng) : 0);
    this.engine.after(delayUs + oneWay, this.onArriveAtPod, a);
  }

  /**
   * The Service has this port but the sidecar's config predates it (a Service applied on the
   * timeline, its push not landed yet): Envoy has no listener for it, so under ALLOW_ANY the
   * virtual outbound listener passes the connection through to the ClusterIP it was dialled on and
   * kube-proxy forwards it to a ready pod. False when that does not apply (no such port, REGISTRY_ONLY,
   * no ready pod): the connection then fails.
   */
  private staleListenerPassthrough(s: Stream, svc: RegistryService, outUs: number): boolean {
    if (this.profile.outboundTrafficPolicy !== 'ALLOW_ANY') return false;
    const port = svc.ports.find((p) => p.port === s.head.port);
    const destPod = port ? this.kubeProxyPick(svc) : null;
    if (!port || destPod === null) return false;
    this.attemptDirect(s, destPod, this.registry.targetPort(port, destPod), outUs, 'PassthroughCluster');
    return true;
  }

  private localReply(s: Stream, delayUs: number, status: number, flags: string, cluster: string): void {
    s.attempts++;
    this.emitUpstream(s, 1, s.faultFlags === '' ? this.engine.nowUs : s.startUs, null, cluster, status, flags);
    s.done = true;
    this.engine.after(delayUs, this.onLocalReply, { s, status, flags });
  }

  private onLocalReply = (r: { s: Stream; status: number; flags: string }): void => {
    this.inFlight--;
    r.s.caller.onResponse(r.status, r.flags);
  };

  // ---- Server side ---------------------------------------------------------------------------

  /**
   * A gateway pod listens only on the ports its Gateways declare servers for (istiod creates no
   * listener otherwise): anything else is a refused connection (istio/istio#13057, #29680).
   */
  private gatewayRefuses(a: Attempt): boolean {
    if (!a.destPod.gateway) return false;
    const gw = this.proxies[a.destPod.id]?.config.gateway ?? null;
    return gw === null || !gw.listeners.has(a.port);
  }

  private onArriveAtPod = (a: Attempt): void => {
    if (a.abandoned) return;
    if (this.podUp[a.destPod.id] !== 1 || this.isPartitioned(a.stream.pod, a.destPod) || this.gatewayRefuses(a)) {
      // The pod went away while the request was on the wire, or a partition drops the connection: connect failure.
      this.attemptFailed(a, AttemptFailure.ConnectFailure, 503, 'UF');
      return;
    }
    a.arrivalUs = this.engine.nowUs;
    if (this.atPod !== null) this.atPod[a.destPod.id].add(a);
    if (!this.inboundAdmits(a)) return;
    this.inbound!.handle(a.destPod, a);
  };

  serverResponded(a: Attempt, status: number): void {
    if (this.atPod !== null) this.atPod[a.destPod.id].delete(a);
    if (a.abandoned) return; // The caller's side is gone (timeout or disconnect); the answer goes nowhere.
    const s = a.stream;
    const rng = this.podLatencyRng[a.destPod.id];
    let backUs = this.networkLatency(rng);
    if (a.destPod.hasSidecar) backUs += this.inboundLatency(rng);
    if (s.proxy) {
      const pass = this.outboundLatency(s.proxy.latencyRng);
      a.returnPassUs = pass;
      backUs += pass;
    }
    a.status = status;
    a.responseEvent = this.engine.after(backUs, this.onResponse, a);
  }

  // ---- Attempt outcomes ----------------------------------------------------------------------

  private onResponse = (a: Attempt): void => {
    a.responseEvent = null;
    if (a.abandoned) return;
    a.responded = true;
    this.attemptFailed(a, AttemptFailure.Response, a.status, '-');
  };

  private onPerTryTimeout = (a: Attempt): void => {
    a.perTryTimer = null;
    if (a.abandoned) return;
    if (this.detail) emitTimeout(this.trace, this.engine.nowUs, a.stream, 'per-try', a.stream.route!.retry!.perTryTimeoutUs, a.n);
    this.attemptFailed(a, AttemptFailure.PerTryTimeout, 504, 'UT');
  };

  private onRouteTimeout = (s: Stream): void => {
    s.routeTimer = null;
    if (s.done) return;
    if (this.detail) emitTimeout(this.trace, this.engine.nowUs, s, 'route', s.route!.timeoutUs, s.attempts);
    const a = s.attempt;
    if (a && !a.abandoned && a.endpointIdx >= 0 && s.cluster !== null && s.cluster.outlier !== null && !a.queued) s.cluster.outlier.report(a.endpointIdx, 504);
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
    // Without a client sidecar nobody turns a refused connection into a 503: the caller sees no
    // answer at all (curl's 000), as for a Service with no ready pod (startDirect).
    if (s.proxy === null && failure === AttemptFailure.ConnectFailure) status = 0;
    // §2.5: every outcome of an attempt on a host feeds its client-side outlier detector.
    // A request still waiting in the pool (per-try timeout) never reached the host and does not count.
    if (a.endpointIdx >= 0 && s.cluster !== null && s.cluster.outlier !== null && !a.queued) s.cluster.outlier.report(a.endpointIdx, status);
    const policy = s.route ? s.route.retry : null;
    let retriable = policy !== null && isRetriable(policy, failure, status);
    if (retriable && s.attempts <= policy!.retries && !s.done) {
      this.endAttempt(a, status, flags);
      const pool = s.cluster ? s.cluster.pool : null;
      if (pool !== null && !pool.tryRetry()) {
        // http.maxRetries reached (§2.4): the retry is simply not attempted.
        retriable = false;
        this.finish(s, status, flags, true);
        return;
      }
      s.retryHeld = pool !== null;
      s.attempt = null;
      const wait = backoffUs(policy!, s.attempts, s.proxy!.retryRng);
      if (this.detail) {
        this.trace.emit({
          kind: 'retry',
          timeUs: this.engine.nowUs,
          req: s.root.id,
          stream: s.id,
          attempt: a.n,
          code: status,
          flags,
          reason: retryReason(policy!, failure, status),
          backoffUs: wait,
        });
      }
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
    if (a.endpointIdx >= 0 && s.cluster) {
      s.cluster.active[a.endpointIdx]--;
      const pool = s.cluster.pool;
      if (pool !== null) {
        this.releaseRetry(s);
        if (a.conn !== null) {
          // The close reaches the wire one network hop after the response passed the client sidecar.
          const closeUs = this.networkLatency(s.proxy!.latencyRng) - a.returnPassUs;
          pool.release(a, a.responded, closeUs);
        } else if (a.queued) pool.cancel(a);
      }
    }
    this.emitUpstream(s, a.n, a.sentUs, a.destPod, a.clusterName, status, flags, a.mtls);
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
    this.releaseRetry(s);
    this.inFlight--;
    if (deliver) s.caller.onResponse(status, flags);
  }

  private emitUpstream(s: Stream, attempt: number, startUs: number, destPod: PodInfo | null, cluster: string, code: number, flags: string, mtls = false): void {
    const route = s.route;
    if (s.faultFlags !== '') flags = addFlag(flags, s.faultFlags);
    this.trace.emit({
      kind: 'upstream',
      timeUs: this.engine.nowUs,
      startUs,
      req: s.root.id,
      client: s.root.client,
      stream: s.id,
      parent: s.parent,
      attempt,
      source: s.pod ? s.pod.deployment : s.sourceName,
      sourceNamespace: s.pod ? s.pod.namespace : null,
      sourcePod: s.pod ? s.pod.name : null,
      service: s.service,
      cluster,
      destination: destPod ? destPod.deployment : null,
      destNamespace: destPod ? destPod.namespace : null,
      destPod: destPod ? destPod.name : null,
      version: destPod ? destPod.version : null,
      code,
      flags,
      route: route && route.vs ? `${route.vs}#${route.ruleIndex}` : null,
      security: mtls ? 'mutual_tls' : 'none',
    });
  }

  /**
   * §3: a host that is neither a Service nor a ServiceEntry. REGISTRY_ONLY: the catch-all
   * `block_all` vhost answers 502 (BlackHoleCluster). ALLOW_ANY: PassthroughCluster to the
   * original destination (no VirtualService, no retries, no timeout) when the scenario simulates
   * that host; otherwise the name does not resolve (no answer).
   */
  private outsideRegistry(s: Stream, outUs: number): void {
    if (this.profile.outboundTrafficPolicy === 'REGISTRY_ONLY') {
      // HTTPS/TLS never gets an HTTP answer: the connection is closed during the handshake (curl exit 35).
      this.localReply(s, outUs, s.head.scheme === 'https' ? 0 : 502, '-', 'BlackHoleCluster');
      return;
    }
    const pod = this.registry.externalPod(s.head.host);
    if (!pod) {
      this.localReply(s, outUs, 0, '-', `unresolved|${s.head.host}`);
      return;
    }
    this.attemptDirect(s, pod, s.head.port, outUs, 'PassthroughCluster');
  }

  /**
   * The server sidecar's inbound chain (§9.1): PeerAuthentication, RequestAuthentication,
   * AuthorizationPolicy. False when it answered or reset the attempt itself.
   */
  private inboundAdmits(a: Attempt): boolean {
    // Hot path: most attempts meet no rule that could act on them (no verdict object needed).
    if (inboundIsOpen(this.inboundSec[a.destPod.id], a.destPod, a.mtls, a.port)) return true;
    const s = a.stream;
    const v = inboundVerdict(this.inboundSec[a.destPod.id], {
      head: s.upstream,
      mtls: a.mtls,
      sourcePod: s.pod,
      destPod: a.destPod,
      port: a.port,
      trustDomain: this.profile.trustDomain,
      nowUs: this.engine.nowUs,
      tokens: this.tokens,
    });
    switch (v.kind) {
      case 'pass':
        if (v.claims && a.destPod.gateway) addClaimHeaders(s.upstream.headers, v.claims);
        return true;
      case 'reset':
        // §5.1: no HTTP status; a client without sidecar sees the reset itself (curl 000).
        this.attemptFailed(a, AttemptFailure.Reset, s.proxy ? 503 : 0, 'UC');
        return false;
      case 'connect-failure':
        this.attemptFailed(a, AttemptFailure.ConnectFailure, 503, 'UF');
        return false;
      case 'reject':
        this.serverResponded(a, v.status);
        return false;
    }
  }
}
