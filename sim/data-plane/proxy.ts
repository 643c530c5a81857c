/**
 * Runtime state of one sidecar: its installed config, per-cluster load-balancing / pool / outlier
 * state, its named random streams, and which Envoy worker serves each downstream connection.
 */
import type { PodInfo } from '../control-plane/registry.ts';
import type { ProxyConfig } from '../control-plane/types.ts';
import type { Rng } from '../engine/rng.ts';
import { HashLbState } from './hash-lb.ts';
import { ClusterState } from './lb.ts';
import type { PoolStats } from './pool.ts';
import type { Stream } from './streams.ts';

/** Sidecar worker threads (Istio's default proxy `concurrency` for sidecars is 2). */
export const ENVOY_WORKERS = 2;

/** Runtime state of one sidecar proxy. */
export class Proxy {
  readonly pod: PodInfo;
  config: ProxyConfig;
  readonly clusters = new Map<string, ClusterState>();
  readonly lbRng: Rng;
  readonly routeRng: Rng;
  readonly latencyRng: Rng;
  readonly retryRng: Rng;
  /** Fault percentages (§1.8) and mirror sampling (§1.9) draw from their own streams. */
  readonly faultRng: Rng;
  readonly mirrorRng: Rng;
  /** Consistent-hash tables per cluster name (§2.3). */
  readonly hashLbs = new Map<string, HashLbState>();
  /** Envoy-style pool counters per cluster name (§2.4); they outlive config updates, like Envoy's stats. */
  readonly poolStats = new Map<string, PoolStats>();
  /** Gives a new cluster state its connection pool and outlier detector when its policy asks (set by the data plane). */
  equip: ((proxy: Proxy, st: ClusterState) => void) | null = null;
  /**
   * This proxy's EDS view (1 = the pod is an endpoint), once endpoint changes propagate (§6.1);
   * null = it follows pod readiness at once.
   */
  eds: Uint8Array | null = null;
  /** LB health for this proxy: in its EDS view (set by the data plane). */
  lbHealthy: (podId: number) => boolean = () => true;
  /** Envoy worker of each downstream connection seen, assigned round-robin in order of first use. */
  private readonly downstream = new Map<string, number>();

  /**
   * The Envoy worker thread (0 … ENVOY_WORKERS−1) serving the stream's downstream connection.
   * A traffic client's closed-loop worker is one connection; an application's calls are spread
   * by the inbound stream they serve.
   */
  workerOf(s: Stream): number {
    const w = (s.root as { worker?: number }).worker;
    const key = s.parent !== 0 ? `app#${s.parent % ENVOY_WORKERS}` : `${s.root.client}#${w ?? 0}`;
    let k = this.downstream.get(key);
    if (k === undefined) {
      k = this.downstream.size % ENVOY_WORKERS;
      this.downstream.set(key, k);
    }
    return k;
  }

  constructor(pod: PodInfo, config: ProxyConfig, rng: Rng) {
    this.pod = pod;
    this.config = config;
    const base = rng.fork(`proxy/${pod.namespace}/${pod.name}`);
    this.lbRng = base.fork('lb');
    this.routeRng = base.fork('route');
    this.latencyRng = base.fork('latency');
    this.retryRng = base.fork('retry');
    this.faultRng = base.fork('fault');
    this.mirrorRng = base.fork('mirror');
  }

  hashLb(name: string): HashLbState | null {
    let st = this.hashLbs.get(name);
    if (!st) {
      const policy = this.config.clusters.get(name)?.hash;
      if (!policy) return null;
      st = new HashLbState(policy);
      this.hashLbs.set(name, st);
    }
    return st;
  }

  clusterState(name: string): ClusterState | undefined {
    let st = this.clusters.get(name);
    if (!st) {
      const cfg = this.config.clusters.get(name);
      if (!cfg) return undefined;
      st = new ClusterState(cfg, this.pod);
      if (this.equip) this.equip(this, st);
      this.clusters.set(name, st);
    }
    return st;
  }

  /** Installs a new config version; cluster state restarts for clusters whose config changed. */
  install(config: ProxyConfig): void {
    this.config = config;
    for (const [name, st] of this.clusters) {
      if (config.clusters.get(name) !== st.config) {
        st.outlier?.retire();
        this.clusters.delete(name);
        this.hashLbs.delete(name);
      }
    }
  }
}
