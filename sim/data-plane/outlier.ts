/**
 * Passive health checking of one (client proxy, cluster) (istio-semantics.md §2.5).
 *
 * Per request (plain code, no allocation): every attempt that reached — or tried to reach — a host
 * reports its status; local-origin failures count as Envoy maps them when errors are not split
 * (connect failure → 503, timeout → 504). A success resets the host's consecutive counters. When a
 * counter hits consecutive5xxErrors (or consecutiveGatewayErrors, for 502/503/504) the host is
 * ejected at once, unless maxEjectionPercent forbids it:
 *   strict (current Envoy):   100 × (ejected + 1) / hosts ≤ maxEjectionPercent
 *   legacy (profile switch `legacyFirstEjectionAlwaysAllowed`, Envoy before ≈1.27):
 *                             100 × ejected / hosts < maxEjectionPercent (first one always allowed)
 * Host state changes go through the xstate machine of sim/machines/outlier-host.ts. The interval
 * sweep (un-ejection, multiplier decay) runs on engine timers on Envoy's phase (interval ticks
 * since the detector was created), only while some host is ejected or has a multiplier, and never
 * past `horizonUs` (the end of traffic), so a run still ends when its traffic does.
 * Circuit-breaker overflows (UO) and "no healthy host" (UH) never reach a host and are not reported.
 */
import { initialTransition, transition } from 'xstate';
import type { Engine, ScheduledEvent } from '../engine/engine.ts';
import type { EffectiveTrafficPolicy } from '../control-plane/types.ts';
import { parseDuration } from '../domain/time.ts';
import { outlierHostMachine } from '../machines/outlier-host.ts';

type HostSnapshot = ReturnType<typeof initialTransition<typeof outlierHostMachine>>[0];

export interface OutlierSettings {
  /** 0 disables. */
  consecutive5xx: number;
  /** 0 disables. */
  consecutiveGateway: number;
  intervalUs: number;
  baseEjectionTimeUs: number;
  maxEjectionPercent: number;
  /** Envoy healthy_panic_threshold; 0 disables panic mode. */
  minHealthPercent: number;
}

/** Settings from a merged DestinationRule policy, or null when it has no `outlierDetection`. */
export function outlierSettings(policy: EffectiveTrafficPolicy | undefined): OutlierSettings | null {
  const od = policy?.outlierDetection;
  if (!od) return null;
  const dur = (v: string | undefined, dflt: number): number => {
    if (v === undefined) return dflt;
    const p = parseDuration(v);
    return p.ok && p.us > 0 ? p.us : dflt;
  };
  return {
    // `consecutiveErrors` is ignored since Istio 1.7 (§2.5).
    consecutive5xx: od.consecutive5xxErrors ?? 5,
    consecutiveGateway: od.consecutiveGatewayErrors ?? 0,
    intervalUs: dur(od.interval, 10_000_000),
    baseEjectionTimeUs: dur(od.baseEjectionTime, 30_000_000),
    maxEjectionPercent: od.maxEjectionPercent ?? 10,
    minHealthPercent: od.minHealthPercent ?? 0,
  };
}

/** What the detector needs from the data plane. */
export interface OutlierPort {
  /** Whether endpoint `i` is in EDS (pod ready); ejection percentages count these. */
  isPresent(i: number): boolean;
  onEject(i: number, reason: '5xx' | 'gateway', consecutive: number, ejectionUs: number, multiplier: number): void;
  onSuppressed(i: number, reason: '5xx' | 'gateway', consecutive: number, ejected: number, hosts: number): void;
  onUneject(i: number): void;
}

export class OutlierDetector {
  readonly settings: OutlierSettings;
  /** Bumped on every ejection change; ClusterState recomputes its healthy list when it moves. */
  version = 0;
  ejectedCount = 0;
  private readonly engine: Engine;
  private readonly port: OutlierPort;
  private readonly legacy: boolean;
  private readonly horizonUs: number;
  private readonly createdUs: number;
  private readonly c5xx: Int32Array;
  private readonly cGw: Int32Array;
  private readonly ejected: Uint8Array;
  private readonly hosts: HostSnapshot[];
  private sweepTimer: ScheduledEvent | null = null;
  /** The cluster was replaced by a config push: its detector is gone with it (see retire). */
  private retired = false;

  constructor(engine: Engine, port: OutlierPort, settings: OutlierSettings, endpoints: number, legacyFirstEjection: boolean, horizonUs: number) {
    this.engine = engine;
    this.port = port;
    this.settings = settings;
    this.legacy = legacyFirstEjection;
    this.horizonUs = horizonUs;
    this.createdUs = engine.nowUs;
    this.c5xx = new Int32Array(endpoints);
    this.cGw = new Int32Array(endpoints);
    this.ejected = new Uint8Array(endpoints);
    const [initial] = initialTransition(outlierHostMachine, { baseEjectionTimeUs: settings.baseEjectionTimeUs });
    // Snapshots are immutable; every host starts from the same one.
    this.hosts = Array.from({ length: endpoints }, () => initial);
  }

  isEjected(i: number): boolean {
    return this.ejected[i] === 1;
  }

  /** Multiplier and ejection count of host i (for tests and explanations). */
  hostState(i: number): { state: string; multiplier: number; ejections: number } {
    const h = this.hosts[i];
    return { state: String(h.value), multiplier: h.context.multiplier, ejections: h.context.ejections };
  }

  /**
   * The sidecar installed a new version of this cluster (CDS update): Envoy builds a new cluster
   * with a fresh detector, so its hosts start un-ejected (traced as `outlier.uneject` now) and
   * answers to requests sent through the old cluster eject nothing.
   */
  retire(): void {
    this.retired = true;
    if (this.sweepTimer) {
      this.engine.cancel(this.sweepTimer);
      this.sweepTimer = null;
    }
    for (let i = 0; i < this.ejected.length; i++) {
      if (this.ejected[i] === 0) continue;
      this.ejected[i] = 0;
      this.ejectedCount--;
      this.version++;
      this.port.onUneject(i);
    }
  }

  /** An attempt on endpoint i ended with `status` (local-origin failures already mapped to 503/504). */
  report(i: number, status: number): void {
    if (this.retired) return;
    if (status < 500) {
      this.c5xx[i] = 0;
      this.cGw[i] = 0;
      return;
    }
    if (this.ejected[i] === 1) return;
    const s = this.settings;
    const n5 = ++this.c5xx[i];
    let ngw = this.cGw[i];
    if (status === 502 || status === 503 || status === 504) ngw = ++this.cGw[i];
    if (s.consecutive5xx > 0 && n5 >= s.consecutive5xx) this.tryEject(i, '5xx', n5);
    else if (s.consecutiveGateway > 0 && ngw >= s.consecutiveGateway) this.tryEject(i, 'gateway', ngw);
  }

  private tryEject(i: number, reason: '5xx' | 'gateway', consecutive: number): void {
    // Hosts that left EDS no longer count, ejected or not (Envoy drops their monitors and
    // decrements ejections_active on removal).
    let total = 0;
    let ejected = 0;
    for (let k = 0; k < this.ejected.length; k++) {
      if (!this.port.isPresent(k)) continue;
      total++;
      ejected += this.ejected[k];
    }
    const max = this.settings.maxEjectionPercent;
    const allowed = total > 0 && (this.legacy ? (100 * ejected) / total < max : (100 * (ejected + 1)) / total <= max);
    // Envoy resets the counter either way, so the next run of errors starts afresh.
    this.c5xx[i] = 0;
    this.cGw[i] = 0;
    if (!allowed) {
      this.port.onSuppressed(i, reason, consecutive, ejected, total);
      return;
    }
    const [next] = transition(outlierHostMachine, this.hosts[i], { type: 'EJECT', nowUs: this.engine.nowUs });
    this.hosts[i] = next;
    this.ejected[i] = 1;
    this.ejectedCount++;
    this.version++;
    this.port.onEject(i, reason, consecutive, next.context.ejectedForUs, next.context.multiplier);
    this.armSweep();
  }

  private armSweep(): void {
    if (this.sweepTimer) return;
    const iv = this.settings.intervalUs;
    const now = this.engine.nowUs;
    const ticks = Math.floor((now - this.createdUs) / iv) + 1;
    const at = this.createdUs + ticks * iv;
    if (at > this.horizonUs) return;
    this.sweepTimer = this.engine.at(at, this.onSweep, this);
  }

  private onSweep = (): void => {
    this.sweepTimer = null;
    const now = this.engine.nowUs;
    let active = false;
    for (let i = 0; i < this.hosts.length; i++) {
      const before = this.hosts[i];
      if (before.context.multiplier === 0 && this.ejected[i] === 0) continue;
      const [next] = transition(outlierHostMachine, before, { type: 'SWEEP', nowUs: now });
      this.hosts[i] = next;
      if (this.ejected[i] === 1 && next.value === 'healthy') {
        this.ejected[i] = 0;
        this.ejectedCount--;
        this.version++;
        this.c5xx[i] = 0;
        this.cGw[i] = 0;
        this.port.onUneject(i);
      }
      if (this.ejected[i] === 1 || next.context.multiplier > 0) active = true;
    }
    if (active) this.armSweep();
  };
}
