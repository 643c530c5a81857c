/**
 * istiod as the rest of the simulator sees it: given the registry and the config in force, the
 * tables each proxy should hold, the diagnostics found while compiling, and rule names for reports.
 * A new ControlPlane is built for every config change.
 *
 * Tables depend on the pod only through its namespace (exportTo, sourceNamespace, DestinationRule
 * lookup) and its labels where a selector looks at them (match sourceLabels, DestinationRule
 * workloadSelector). Pods with the same answers share one compiled ProxyConfig. Passing the
 * previous ControlPlane lets unchanged clusters keep their identity, so sidecars keep their
 * per-cluster state (LB position, active requests) across pushes, and lets a push after a
 * VirtualService change recompile only the vhosts whose candidate VirtualServices changed
 * (compile.ts VhostMemo); everything else is the previous version's vhost object.
 */
import type { Diagnostic } from '../domain/diagnostics.ts';
import { ClusterCache } from './clusters.ts';
import { compileProxyConfig, prepareConfig, type CompileContext, type PreparedConfig, type ProxyView, type VhostMemo, type VhostMemoEntry } from './compile.ts';
import { labelsMatch, type PodInfo } from './registry.ts';
import type { ProxyConfig } from './types.ts';
import { SecurityConfig } from './security/index.ts';
import { compileGatewayRoutes, prepareGateways, type PreparedGateway } from './gateway.ts';

export class ControlPlane {
  readonly ctx: CompileContext;
  readonly version: number;
  /** Problems found while compiling (IST/KIA/MSH codes), reported once per config version. */
  readonly diagnostics: Diagnostic[];
  readonly prepared: PreparedConfig;
  /** PeerAuthentication / AuthorizationPolicy / RequestAuthentication per workload (security/index.ts). */
  readonly security: SecurityConfig;
  /** Gateways in force (gateway.ts). */
  readonly gateways: PreparedGateway[];
  private readonly cache: ClusterCache;
  private readonly byView = new Map<string, ProxyConfig>();
  /** Label selectors whose outcome splits pods of one namespace into different views. */
  private readonly selectors: Readonly<Record<string, string>>[];
  /** This version's vhosts with what they were compiled from, for the next version to reuse. */
  private readonly vhosts = new Map<string, VhostMemoEntry>();
  /**
   * The previous version's vhosts and per-view tables (its maps only, never the ControlPlane, so
   * versions do not chain in memory), or null when nothing can be reused (first version, other
   * registry or profile, or other label selectors so that view keys mean something else).
   */
  private readonly reusable: { vhosts: ReadonlyMap<string, VhostMemoEntry>; byView: ReadonlyMap<string, ProxyConfig>; sameDrs: boolean } | null;

  constructor(ctx: CompileContext, version: number, previous?: ControlPlane) {
    this.ctx = ctx;
    this.version = version;
    this.prepared = prepareConfig(ctx);
    this.diagnostics = this.prepared.diagnostics;
    this.security = new SecurityConfig(ctx.resources, ctx.profile, this.diagnostics);
    this.gateways = prepareGateways(ctx.resources, this.prepared.vs, ctx.registry, this.diagnostics);
    this.cache = new ClusterCache(previous?.cache);
    const selectors: Readonly<Record<string, string>>[] = [];
    for (const vs of this.prepared.vs.list) {
      for (const rule of vs.rules) for (const m of rule.matches ?? []) if (m.raw.sourceLabels) selectors.push(m.raw.sourceLabels);
    }
    for (const dr of this.prepared.drs) {
      const sel = dr.spec.workloadSelector?.matchLabels;
      if (sel && Object.keys(sel).length > 0) selectors.push(sel);
    }
    this.selectors = selectors;
    const sameInputs = previous !== undefined && previous.ctx.registry === ctx.registry && previous.ctx.profile === ctx.profile && JSON.stringify(previous.selectors) === JSON.stringify(selectors);
    // The registry is immutable once built, so with the same DestinationRule objects every view's clusters are the previous ones.
    const sameDrs = sameInputs && previous.prepared.drs.length === this.prepared.drs.length && previous.prepared.drs.every((d, i) => d.res === this.prepared.drs[i].res);
    this.reusable = sameInputs ? { vhosts: previous.vhosts, byView: previous.byView, sameDrs } : null;
  }

  /** How much of this version's route tables came from the previous version (benchmarks, tests). */
  get reusedVhosts(): number {
    let n = 0;
    if (this.reusable) for (const [k, e] of this.vhosts) if (this.reusable.vhosts.get(k) === e) n++;
    return n;
  }

  /** Everything needed to reuse the previous version's vhosts for the view `key`. */
  private memoFor(key: string): VhostMemo {
    return { previous: this.reusable?.vhosts ?? null, previousClusters: this.reusable?.byView.get(key)?.clusters ?? null, clustersUnchanged: this.reusable?.sameDrs ?? false, current: this.vhosts };
  }

  /** The view key of a pod: its namespace plus which label selectors select it. */
  viewKey(pod: Pick<PodInfo, 'namespace' | 'labels'>): string {
    let bits = '';
    for (const sel of this.selectors) bits += labelsMatch(sel, pod.labels) ? '1' : '0';
    return `${pod.namespace}|${bits}`;
  }

  /** The config `pod`'s sidecar gets at this version. */
  configFor(pod: Pick<PodInfo, 'namespace' | 'labels'> & Partial<PodInfo>): ProxyConfig {
    if (pod.gateway && pod.deployment !== undefined && pod.id !== undefined) return this.gatewayConfigFor(pod as PodInfo);
    const key = this.viewKey(pod);
    let cfg = this.byView.get(key);
    if (!cfg) {
      const view: ProxyView = { namespace: pod.namespace, labels: pod.labels };
      cfg = compileProxyConfig(this.ctx, this.version, view, this.prepared, this.cache, key, this.memoFor(key));
      this.byView.set(key, cfg);
    }
    return cfg;
  }

  /** A gateway pod's tables: the sidecar view's clusters plus its Gateway listeners (§4). */
  private gatewayConfigFor(pod: PodInfo): ProxyConfig {
    const key = `gateway|${pod.namespace}|${pod.deployment}`;
    let cfg = this.byView.get(key);
    if (!cfg) {
      const base = compileProxyConfig(this.ctx, this.version, { namespace: pod.namespace, labels: pod.labels }, this.prepared, this.cache, key, this.memoFor(key));
      cfg = { ...base, gateway: compileGatewayRoutes(pod, this.gateways, this.prepared.vs, this.ctx.registry, this.ctx.profile, base.clusters) };
      this.byView.set(key, cfg);
    }
    return cfg;
  }

  /** Name of an http rule for reports ("" when unnamed). */
  ruleName(vs: string, rule: number): string {
    const v = this.prepared.vs.byKey.get(vs);
    return v?.rules.find((r) => r.index === rule)?.name ?? '';
  }
}
