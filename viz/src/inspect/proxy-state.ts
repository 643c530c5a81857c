/**
 * What one sidecar looked like at the cursor, from the trace: its config version and sync status
 * and its pod's lifecycle state (from the keyframe state), the hosts it had ejected, the routes it
 * had matched (virtual host, VirtualService, rule, match block — like `istioctl proxy-config
 * routes`, but the routes the run exercised rather than the full table), and the clusters and
 * endpoints its attempts went to. Pure data, no DOM.
 */
import type { TraceView } from '../replay/columnar.ts';
import type { ReplayIndex, ReplayState } from '../replay/keyframes.ts';

export interface RouteRow {
  vhost: string;
  virtualService: string;
  rule: number;
  match: number;
  outcome: string;
  detail: string;
  hits: number;
}

export interface ClusterRow {
  cluster: string;
  /** Endpoint pod → attempts it answered ("(none)" when no endpoint was picked). */
  endpoints: [string, number][];
  attempts: number;
  errors: number;
}

export interface ProxySnapshot {
  pod: string;
  state: string | null;
  restarts: number;
  /** Version installed (config.push), null when none was recorded. */
  configVersion: number | null;
  stale: boolean;
  /** Version istiod sent that the proxy has not applied yet (STALE), or null. */
  pendingVersion: number | null;
  ejected: { cluster: string; host: string; sinceUs: number }[];
  routes: RouteRow[];
  clusters: ClusterRow[];
}

/** Pods of a workload seen in the run, sorted. */
export function podsOfWorkload(view: TraceView, index: ReplayIndex, workload: string): string[] {
  const pods = new Set<string>();
  const up = view.columns('upstream');
  const src = up.ids('source');
  const srcPod = up.ids('sourcePod');
  const dst = up.ids('destination');
  const dstPod = up.ids('destPod');
  const strings = view.trace.strings;
  const wid = strings.indexOf(workload);
  if (wid >= 0) {
    for (let r = 0; r < up.rows; r++) {
      if (src[r] === wid && srcPod[r] >= 0) pods.add(strings[srcPod[r]]);
      if (dst[r] === wid && dstPod[r] >= 0) pods.add(strings[dstPod[r]]);
    }
  }
  for (const p of [...index.pods, ...index.proxies]) if (p.startsWith(`${workload}-`) && !p.slice(workload.length + 1).includes('-')) pods.add(p);
  return [...pods].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function proxySnapshot(view: TraceView, index: ReplayIndex, state: ReplayState, pod: string): ProxySnapshot {
  const strings = view.trace.strings;
  const podId = strings.indexOf(pod);
  const p = index.proxyId(pod);
  const q = index.podId(pod);
  const ejected = index.ejections.flatMap((k, i) => (k.proxy === pod && state.ejected[i] === 1 ? [{ cluster: k.cluster, host: k.host, sinceUs: state.ejectedSinceUs[i] }] : []));

  // Routes matched by this proxy up to the cursor.
  const routes = new Map<string, RouteRow>();
  const rm = view.columns('route.match');
  const rmTime = rm.num('timeUs');
  const rmProxy = rm.ids('proxy');
  const rule = rm.num('rule');
  const match = rm.num('match');
  for (let r = 0; r < rm.rows && rmTime[r] <= state.timeUs; r++) {
    if (rmProxy[r] !== podId) continue;
    const vhost = rm.str('vhost', r) ?? '(none)';
    const vs = rm.str('virtualService', r) ?? '(default route)';
    const outcome = rm.str('outcome', r) ?? '';
    const key = `${vhost}|${vs}|${rule[r]}|${match[r]}|${outcome}`;
    const row = routes.get(key);
    if (row) row.hits++;
    else routes.set(key, { vhost, virtualService: vs, rule: rule[r], match: match[r], outcome, detail: rm.str('detail', r) ?? '', hits: 1 });
  }

  // Clusters and endpoints this proxy's attempts used.
  const clusters = new Map<string, { endpoints: Map<string, number>; attempts: number; errors: number }>();
  const up = view.columns('upstream');
  const upTime = up.num('timeUs');
  const srcPod = up.ids('sourcePod');
  const code = up.num('code');
  for (let r = 0; r < up.rows && upTime[r] <= state.timeUs; r++) {
    if (srcPod[r] !== podId) continue;
    const cluster = up.str('cluster', r) ?? '(none)';
    let c = clusters.get(cluster);
    if (!c) clusters.set(cluster, (c = { endpoints: new Map(), attempts: 0, errors: 0 }));
    const ep = up.str('destPod', r) ?? '(none)';
    c.endpoints.set(ep, (c.endpoints.get(ep) ?? 0) + 1);
    c.attempts++;
    if (code[r] === 0 || code[r] >= 500) c.errors++;
  }
  const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return {
    pod,
    state: q >= 0 && state.podState[q] >= 0 ? strings[state.podState[q]] : null,
    restarts: q >= 0 ? state.podRestarts[q] : 0,
    configVersion: p >= 0 && !Number.isNaN(state.proxyVersion[p]) ? state.proxyVersion[p] : null,
    stale: p >= 0 && state.proxyStale[p] === 1,
    pendingVersion: p >= 0 && !Number.isNaN(state.proxyPending[p]) ? state.proxyPending[p] : null,
    ejected,
    routes: [...routes.values()].sort((a, b) => byName(a.vhost, b.vhost) || byName(a.virtualService, b.virtualService) || a.rule - b.rule || a.match - b.match),
    clusters: [...clusters.entries()]
      .sort((a, b) => byName(a[0], b[0]))
      .map(([cluster, c]) => ({ cluster, endpoints: [...c.endpoints.entries()].sort((a, b) => byName(a[0], b[0])), attempts: c.attempts, errors: c.errors })),
  };
}
