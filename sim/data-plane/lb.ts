/**
 * Per-(proxy, cluster) load-balancer state and host picking (istio-semantics.md §2.3).
 *
 * LEAST_REQUEST with equal weights is Envoy's power-of-two-choices: draw two hosts uniformly
 * (with replacement) and keep the one with fewer active requests; on a tie the first draw wins
 * (Envoy keeps the candidate unless the next one is strictly less loaded).
 * ROUND_ROBIN starts at a random offset, like each Envoy worker does.
 */
import type { Rng } from '../engine/rng.ts';
import type { ClusterConfig, Endpoint } from '../control-plane/types.ts';
import type { ConnectionPool } from './pool.ts';
import type { OutlierDetector } from './outlier.ts';

/** Says whether a pod can take new requests right now (ready, not ejected). */
export type HostHealth = (podId: number) => boolean;

export class ClusterState {
  readonly config: ClusterConfig;
  /** Active requests per endpoint index (Envoy rq_active per host). */
  readonly active: Int32Array;
  /** Connection pool and circuit breakers (§2.4), or null when the cluster has no connectionPool policy. */
  pool: ConnectionPool | null = null;
  /** Outlier detection (§2.5), or null when the cluster has no outlierDetection policy. */
  outlier: OutlierDetector | null = null;
  private outlierVersion = -1;
  private rrNext = -1;
  private healthy: number[] = [];
  private healthEpoch = -1;

  constructor(config: ClusterConfig) {
    this.config = config;
    this.active = new Int32Array(config.endpoints.length);
  }

  /** Indexes of endpoints that may take traffic; recomputed only when pod health changed. */
  healthyEndpoints(epoch: number, isHealthy: HostHealth): number[] {
    const od = this.outlier;
    const v = od === null ? 0 : od.version;
    if (epoch !== this.healthEpoch || v !== this.outlierVersion) {
      const eps = this.config.endpoints;
      const list: number[] = [];
      let present = 0;
      for (let i = 0; i < eps.length; i++) {
        if (!isHealthy(eps[i].pod.id)) continue;
        present++;
        if (od === null || !od.isEjected(i)) list.push(i);
      }
      // Panic mode (§2.5, minHealthPercent → healthy_panic_threshold): below the threshold Envoy
      // balances over every host again, ejected ones included. 0 disables it (all ejected ⇒ UH).
      if (od !== null && od.settings.minHealthPercent > 0 && present > 0 && list.length * 100 < od.settings.minHealthPercent * present) {
        list.length = 0;
        for (let i = 0; i < eps.length; i++) if (isHealthy(eps[i].pod.id)) list.push(i);
      }
      this.healthy = list;
      this.healthEpoch = epoch;
      this.outlierVersion = v;
    }
    return this.healthy;
  }

  /**
   * Picks an endpoint index among `candidates`, or -1 when there is none. `avoid` (previous hosts
   * of this request) is honoured by re-picking up to `maxAttempts` times, as Envoy's
   * host_selection_retry_max_attempts does; the last pick stands even if it was tried before.
   */
  pick(candidates: readonly number[], rng: Rng, avoid: readonly number[] | null, maxAttempts: number): number {
    const n = candidates.length;
    if (n === 0) return -1;
    let choice = -1;
    const tries = avoid && avoid.length > 0 ? Math.max(1, maxAttempts) : 1;
    for (let t = 0; t < tries; t++) {
      choice = this.pickOnce(candidates, rng);
      if (!avoid || avoid.indexOf(this.config.endpoints[choice].pod.id) < 0) break;
    }
    return choice;
  }

  private pickOnce(candidates: readonly number[], rng: Rng): number {
    const n = candidates.length;
    if (n === 1) return candidates[0];
    switch (this.config.lb.kind) {
      case 'ROUND_ROBIN': {
        if (this.rrNext < 0) this.rrNext = rng.int(n);
        const c = candidates[this.rrNext % n];
        this.rrNext = (this.rrNext + 1) % n;
        return c;
      }
      case 'RANDOM':
      case 'PASSTHROUGH':
        return candidates[rng.int(n)];
      case 'LEAST_REQUEST': {
        const a = candidates[rng.int(n)];
        const b = candidates[rng.int(n)];
        return this.active[b] < this.active[a] ? b : a;
      }
    }
  }

  endpoint(i: number): Endpoint {
    return this.config.endpoints[i];
  }
}
