/**
 * Per-(proxy, cluster) load-balancer state and host picking (istio-semantics.md §2.3).
 *
 * LEAST_REQUEST with equal weights is Envoy's power-of-two-choices: draw two hosts uniformly
 * (with replacement) and keep the one with fewer active requests; on a tie the first draw wins
 * (Envoy keeps the candidate unless the next one is strictly less loaded).
 * ROUND_ROBIN starts at a random offset, like each Envoy worker does.
 *
 * Locality (§2.6, locality.ts): when the client's plan splits the endpoints into priorities or
 * weighted localities, `localityCandidates` first narrows the healthy list to one priority or
 * locality (a draw from the LB stream only when load is actually split), then `pick` chooses
 * inside it. The per-priority lists are rebuilt with the healthy list, never per request.
 */
import type { Rng } from '../engine/rng.ts';
import type { ClusterConfig, Endpoint } from '../control-plane/types.ts';
import type { ConnectionPool } from './pool.ts';
import type { OutlierDetector } from './outlier.ts';
import { localityPlanFor, OVERPROVISIONING_PERCENT, priorityLoads, type LocalityPlan, type LocalityView } from './locality.ts';

const NO_CANDIDATES: readonly number[] = [];
/** `single` when no tier can take traffic. */
const NO_TIER = -2;
/** `single` when load is split and each request draws its tier. */
const DRAW_TIER = -1;

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
  /** The client's locality plan for this cluster, or null (plain LB over all healthy endpoints). */
  readonly locality: LocalityPlan | null;
  /** Candidates per priority (or per locality group), rebuilt with the healthy list. */
  private tiers: number[][] = [];
  /** Priority loads in percent (priorities) or effective locality weights (weights), per tier. */
  private tierLoad: Int32Array = new Int32Array(0);
  private tierTotal = 0;
  /** The only tier with load, DRAW_TIER when a draw is needed, NO_TIER when none can take traffic. */
  private single = DRAW_TIER;

  constructor(config: ClusterConfig, client: LocalityView | null = null) {
    this.config = config;
    this.active = new Int32Array(config.endpoints.length);
    this.locality = client ? localityPlanFor(config, client) : null;
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
      if (this.locality !== null) this.rebuildTiers(isHealthy);
    }
    return this.healthy;
  }

  /**
   * The endpoints this request may use after locality (§2.6): `healthy` itself without a plan,
   * else one priority's (or locality's) list. Call right after healthyEndpoints(). No allocation.
   */
  localityCandidates(healthy: readonly number[], rng: Rng): readonly number[] {
    const plan = this.locality;
    if (plan === null) return healthy;
    const single = this.single;
    if (single >= 0) return this.tiers[single];
    if (single === NO_TIER) return NO_CANDIDATES;
    const loads = this.tierLoad;
    // Envoy draws the priority from hash % 100 over the integer loads (they sum to 100); localities by weight.
    const r = rng.int(this.tierTotal);
    let acc = 0;
    for (let t = 0; t < loads.length; t++) {
      acc += loads[t];
      if (r < acc) return this.tiers[t];
    }
    return this.tiers[loads.length - 1];
  }

  private rebuildTiers(isHealthy: HostHealth): void {
    const plan = this.locality!;
    const eps = this.config.endpoints;
    const od = this.outlier;
    const n = plan.kind === 'priorities' ? plan.count : plan.weights.length;
    const healthyLists: number[][] = Array.from({ length: n }, () => []);
    const presentLists: number[][] = Array.from({ length: n }, () => []);
    for (let i = 0; i < eps.length; i++) {
      const t = plan.kind === 'priorities' ? plan.priorityOf[i] : plan.groupOf[i];
      if (t < 0 || !isHealthy(eps[i].pod.id)) continue;
      presentLists[t].push(i);
      if (od === null || !od.isEjected(i)) healthyLists[t].push(i);
    }
    const healthyCounts = healthyLists.map((l) => l.length);
    const totals = presentLists.map((l) => l.length);
    const loads = new Int32Array(n);
    let tiers = healthyLists;
    if (plan.kind === 'priorities') {
      const panic = new Uint8Array(n);
      priorityLoads(healthyCounts, totals, od === null ? 0 : od.settings.minHealthPercent, loads, panic);
      tiers = healthyLists.map((l, t) => (panic[t] ? presentLists[t] : l));
    } else {
      // Locality weighted LB: weight × availability, availability = min(1, 1.4 × healthy / hosts).
      for (let t = 0; t < n; t++) {
        const avail = totals[t] === 0 ? 0 : Math.min(100, Math.floor((OVERPROVISIONING_PERCENT * healthyCounts[t]) / totals[t]));
        loads[t] = plan.weights[t] * avail;
      }
    }
    let total = 0;
    let withLoad = 0;
    let last = -1;
    for (let t = 0; t < n; t++) {
      if (loads[t] > 0 && tiers[t].length > 0) {
        withLoad++;
        last = t;
      }
      total += loads[t];
    }
    this.tiers = tiers;
    this.tierLoad = loads;
    this.tierTotal = total;
    // Nothing can take traffic (every host ejected, panic off): Envoy answers 503 UH.
    this.single = withLoad === 0 ? NO_TIER : withLoad === 1 ? last : DRAW_TIER;
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
