/**
 * Locality load balancing (istio-semantics.md §2.6), as istiod writes it into a proxy's EDS and
 * Envoy then applies it:
 * - istiod (pilot/pkg/networking/core/loadbalancer/loadbalancer.go ApplyLocalityLoadBalancer), per
 *   client proxy: `distribute` rewrites locality weights for the first entry whose `from` matches
 *   the client (localities no `to` names get no endpoints); otherwise, only when the cluster also
 *   has outlierDetection, endpoints get failover priorities — P0 same region/zone/subzone, P1 same
 *   zone, P2 same region, P3 other regions (or the `failover[].to` region for the client's region,
 *   the rest P4); `failoverPriority` labels rank first (label rank × 5 + locality rank when
 *   `failover` is also set). Priorities are then renumbered 0…N without gaps.
 * - Envoy (load_balancer_impl.cc): a priority's health is min(100, 140 % × healthy / hosts) (the
 *   overprovisioning factor 1.4); loads fill from P0 with each health, scaled when the total is
 *   under 100; a priority whose healthy share is under the panic threshold (Istio: minHealthPercent,
 *   0 = never) balances over all its hosts. With `distribute`, a locality is chosen by weight ×
 *   min(1, 1.4 × healthy / hosts), then a host inside it by the cluster's LB policy.
 * The plan (who is in which priority or locality) is computed once per (cluster config, client
 * locality) when a sidecar first uses the cluster; the per-request part lives in lb.ts.
 */
import type { LocalityLbSetting } from '../config/istio-types.ts';
import type { ClusterConfig } from '../control-plane/types.ts';

export interface Locality {
  readonly region: string;
  readonly zone: string;
  readonly subzone: string;
}

/** What locality LB needs to know about a pod (client or endpoint). */
export interface LocalityView {
  readonly locality?: Locality | null;
  readonly labels: Readonly<Record<string, string>>;
}

export const NO_LOCALITY: Locality = { region: '', zone: '', subzone: '' };

/** Node labels Istio reads the locality from (meshsim reads them from the pod template, see manifests.ts). */
export const TOPOLOGY_REGION = 'topology.kubernetes.io/region';
export const TOPOLOGY_ZONE = 'topology.kubernetes.io/zone';
export const TOPOLOGY_SUBZONE = 'topology.istio.io/subzone';

/** Envoy's default overprovisioning factor (1.4), in percent. */
export const OVERPROVISIONING_PERCENT = 140;

/** The mesh default (istio-semantics.md §0): locality LB enabled, no failover/distribute rules. */
const MESH_DEFAULT: LocalityLbSetting = { enabled: true };

/** "region/zone/subzone" without trailing empty parts ("" for no locality). */
export function localityName(l: Locality | null | undefined): string {
  if (!l || l.region === '') return '';
  if (l.zone === '') return l.region;
  return l.subzone === '' ? `${l.region}/${l.zone}` : `${l.region}/${l.zone}/${l.subzone}`;
}

/** Istio util.LocalityMatch: a rule "region/zone/subzone" where any part may be `*` and missing parts match anything. */
export function localityMatches(l: Locality, rule: string): boolean {
  const [region = '', zone = '', subzone = ''] = rule.split('/');
  return (
    (region === '*' || l.region === region) &&
    (zone === '*' || zone === '' || l.zone === zone) &&
    (subzone === '*' || subzone === '' || l.subzone === subzone)
  );
}

/** Istio util.LbPriority: 0 same subzone, 1 same zone, 2 same region, 3 elsewhere (hierarchical: a zone counts only inside its region). */
export function lbPriority(client: Locality, ep: Locality): number {
  if (client.region !== ep.region) return 3;
  if (client.zone !== ep.zone) return 2;
  return client.subzone === ep.subzone ? 0 : 1;
}

/** The setting in force: the DestinationRule's replaces the mesh's entirely (§2.6); `enabled: false` turns it off. */
export function effectiveLocalitySetting(fromDr: LocalityLbSetting | undefined): LocalityLbSetting | null {
  if (fromDr) return fromDr.enabled === false ? null : fromDr;
  return MESH_DEFAULT;
}

/** Pod labels plus the topology labels of its locality (istio labelutil.AugmentLabels), for failoverPriority. */
function augmented(v: LocalityView): Readonly<Record<string, string>> {
  const l = v.locality;
  if (!l || l.region === '') return v.labels;
  const out: Record<string, string> = { ...v.labels, [TOPOLOGY_REGION]: l.region };
  if (l.zone !== '') out[TOPOLOGY_ZONE] = l.zone;
  if (l.subzone !== '') out[TOPOLOGY_SUBZONE] = l.subzone;
  return out;
}

/**
 * Locality rank 0–4 of one endpoint for a client (the §8.8 table): lbPriority, and for other
 * regions 4 unless the endpoint is in the `failover[].to` region of the client's region.
 */
export function failoverRank(client: Locality, ep: Locality, failover: LocalityLbSetting['failover']): number {
  const p = lbPriority(client, ep);
  if (p !== 3 || !failover) return p;
  for (const f of failover) {
    if (f.from === client.region) return ep.region === f.to ? 3 : 4;
  }
  return 3;
}

/** istio applyFailoverPriorityPerLocality: 0 when every label matches the client, else N − (index of the first mismatch). */
function labelRank(client: Readonly<Record<string, string>>, ep: Readonly<Record<string, string>>, failoverPriority: readonly string[]): number {
  const n = failoverPriority.length;
  for (let j = 0; j < n; j++) {
    const entry = failoverPriority[j];
    const eq = entry.indexOf('=');
    // "label=value" pins the value the endpoint must have instead of the client's.
    const name = eq < 0 ? entry : entry.slice(0, eq);
    const want = eq < 0 ? client[name] : entry.slice(eq + 1);
    if (want !== ep[name]) return n - j;
  }
  return 0;
}

/** Renumbers ranks 0…N in order without gaps (Envoy priorities must be dense). */
function compact(ranks: readonly number[]): Uint8Array {
  const distinct = [...new Set(ranks)].sort((a, b) => a - b);
  const out = new Uint8Array(ranks.length);
  for (let i = 0; i < ranks.length; i++) out[i] = distinct.indexOf(ranks[i]);
  return out;
}

export interface PriorityPlan {
  kind: 'priorities';
  /** Envoy priority (dense, 0 = preferred) per endpoint index. */
  priorityOf: Uint8Array;
  count: number;
}

export interface WeightPlan {
  kind: 'weights';
  /** Locality group per endpoint index; -1 = the locality got no weight (its endpoints are dropped). */
  groupOf: Int32Array;
  /** Locality weight per group (istio: ceil(endpoints × weight / endpoints matched by that `to` entry)). */
  weights: number[];
  /** Locality name per group, for explanations. */
  names: string[];
}

export type LocalityPlan = PriorityPlan | WeightPlan;

/**
 * Failover priorities for `client` over `endpoints` (one entry per endpoint index), or null when
 * every endpoint ends in one priority (then locality changes nothing).
 */
export function planPriorities(client: LocalityView, endpoints: readonly LocalityView[], setting: LocalityLbSetting): PriorityPlan | null {
  const c = client.locality ?? NO_LOCALITY;
  const fp = setting.failoverPriority ?? [];
  const failover = setting.failover ?? [];
  let ranks: number[];
  const clientLabels = augmented(client);
  if (fp.length > 0 && Object.keys(clientLabels).length > 0) {
    ranks = endpoints.map((e) => labelRank(clientLabels, augmented(e), fp) * 5 + (failover.length > 0 ? failoverRank(c, e.locality ?? NO_LOCALITY, failover) : 0));
  } else if (fp.length > 0 && failover.length === 0) {
    // istiod skips failoverPriority for a proxy without labels, and then applies locality failover only when `failover` is set.
    return null;
  } else {
    ranks = endpoints.map((e) => failoverRank(c, e.locality ?? NO_LOCALITY, failover));
  }
  const priorityOf = compact(ranks);
  let count = 0;
  for (const p of priorityOf) if (p + 1 > count) count = p + 1;
  return count > 1 ? { kind: 'priorities', priorityOf, count } : null;
}

/** istio applyLocalityWeights for the first `distribute` entry matching the client, or null when none matches. */
export function planWeights(client: LocalityView, endpoints: readonly LocalityView[], distribute: NonNullable<LocalityLbSetting['distribute']>): WeightPlan | null {
  const c = client.locality ?? NO_LOCALITY;
  const entry = distribute.find((d) => d.from !== undefined && localityMatches(c, d.from));
  if (!entry) return null;
  // Endpoints grouped by locality, in endpoint order (EDS LocalityLbEndpoints).
  const names: string[] = [];
  const members: number[] = [];
  const groupOfName = new Map<string, number>();
  const epGroup = endpoints.map((e) => {
    const name = localityName(e.locality);
    let g = groupOfName.get(name);
    if (g === undefined) {
      g = names.length;
      groupOfName.set(name, g);
      names.push(name);
      members.push(0);
    }
    members[g]++;
    return g;
  });
  const weights = names.map(() => 0);
  const taken = names.map(() => false);
  // Map keys in sorted order: Go iterates `to` in random order, but validation rejects overlapping keys, so order does not matter.
  const to = Object.keys(entry.to ?? {}).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const key of to) {
    const weight = entry.to![key];
    const matched: number[] = [];
    let total = 0;
    names.forEach((_, g) => {
      const first = epGroup.indexOf(g);
      if (!taken[g] && localityMatches(endpoints[first].locality ?? NO_LOCALITY, key)) {
        taken[g] = true;
        matched.push(g);
        total += members[g];
      }
    });
    for (const g of matched) {
      const w = (members[g] * weight) / total;
      if (w > 0) weights[g] = Math.ceil(w);
    }
  }
  const groupOf = new Int32Array(endpoints.length);
  epGroup.forEach((g, i) => (groupOf[i] = taken[g] && weights[g] > 0 ? g : -1));
  return { kind: 'weights', groupOf, weights, names };
}

/** The plan for a client over a whole locality setting (§2.6): distribute, else failover priorities when outlier detection is on. */
export function planLocality(client: LocalityView, endpoints: readonly LocalityView[], setting: LocalityLbSetting | null, hasOutlierDetection: boolean): LocalityPlan | null {
  if (!setting) return null;
  if (setting.distribute && setting.distribute.length > 0) return planWeights(client, endpoints, setting.distribute);
  // Without outlier detection Envoy would never leave P0, so istiod assigns no priorities.
  if (!hasOutlierDetection) return null;
  return planPriorities(client, endpoints, setting);
}

const plans = new WeakMap<ClusterConfig, Map<string, LocalityPlan | null>>();

/**
 * The plan of `cluster` as seen from `client`, memoised per cluster config and client locality
 * (and labels, when failoverPriority looks at them). Null = plain load balancing.
 */
export function localityPlanFor(cluster: ClusterConfig, client: LocalityView): LocalityPlan | null {
  const policy = cluster.policy;
  const setting = effectiveLocalitySetting(policy?.loadBalancer?.localityLbSetting);
  if (!setting || cluster.endpoints.length < 2) return null;
  const hasOd = policy?.outlierDetection !== undefined;
  if (!hasOd && !(setting.distribute && setting.distribute.length > 0)) return null;
  const fp = setting.failoverPriority ?? [];
  let key = localityName(client.locality);
  if (fp.length > 0) {
    const labels = augmented(client);
    for (const entry of fp) key += `|${labels[entry.split('=')[0]] ?? ''}`;
  }
  let byClient = plans.get(cluster);
  if (!byClient) plans.set(cluster, (byClient = new Map()));
  let plan = byClient.get(key);
  if (plan === undefined) {
    plan = planLocality(client, cluster.endpoints.map((e) => e.pod), setting, hasOd);
    byClient.set(key, plan);
  }
  return plan;
}

/**
 * Envoy's priority load (LoadBalancerBase::recalculatePerPriorityState / …Panic), in whole
 * percent, from each priority's healthy and total host counts. Fills `loads` (sums to 100) and
 * `panic` (1 = that priority balances over all its hosts). `panicThreshold` 0 disables panic.
 */
export function priorityLoads(healthy: ArrayLike<number>, total: ArrayLike<number>, panicThreshold: number, loads: Int32Array, panic: Uint8Array): void {
  const n = loads.length;
  let sum = 0;
  let firstAvailable = -1;
  for (let i = 0; i < n; i++) {
    const h = total[i] === 0 ? 0 : Math.min(100, Math.floor((OVERPROVISIONING_PERCENT * healthy[i]) / total[i]));
    loads[i] = h;
    sum += h;
    if (h > 0 && firstAvailable < 0) firstAvailable = i;
    panic[i] = 0;
  }
  const normalized = Math.min(100, sum);
  if (normalized > 0) {
    // distributeLoad: each priority takes its (scaled) health until the 100 % run out; rounding leftovers go to the first available one.
    let remaining = 100;
    for (let i = 0; i < n; i++) {
      const want = Math.floor((loads[i] * 100) / normalized);
      loads[i] = Math.min(remaining, want);
      remaining -= loads[i];
    }
    loads[firstAvailable] += remaining;
    if (normalized === 100 || panicThreshold <= 0) return;
  } else if (panicThreshold <= 0) {
    // Nothing healthy and panic disabled: all load nominally on P0, which has no healthy host (503 UH).
    loads.fill(0);
    loads[0] = 100;
    return;
  }
  let allPanic = true;
  for (let i = 0; i < n; i++) {
    const pct = total[i] === 0 ? 0 : (100 * healthy[i]) / total[i];
    panic[i] = pct < panicThreshold ? 1 : 0;
    if (!panic[i]) allPanic = false;
  }
  if (!allPanic) return;
  // recalculateLoadInTotalPanic: every priority in panic ⇒ load by host count.
  let hosts = 0;
  for (let i = 0; i < n; i++) hosts += total[i];
  loads.fill(0);
  if (hosts === 0) {
    loads[0] = 100;
    return;
  }
  let remaining = 100;
  let firstNonEmpty = -1;
  for (let i = 0; i < n; i++) {
    loads[i] = Math.floor((100 * total[i]) / hosts);
    remaining -= loads[i];
    if (total[i] > 0 && firstNonEmpty < 0) firstNonEmpty = i;
  }
  loads[firstNonEmpty] += remaining;
}
