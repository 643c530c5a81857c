/**
 * `split: fromConfig`: the split an expectation should see, read from the weights of the
 * VirtualService rule in force for its scope. Worked out at load time so a scope whose split the
 * configuration does not fix (no VirtualService, several rules, weights over pods that share a
 * version, a change inside the window) is an input error, not a surprising verdict.
 *
 * This reads plain config only (sim/config sits above the control plane). It follows the
 * sidecar's choice where it matters here — mesh gateway, exportTo, most specific host, oldest
 * first — and refuses the cases it cannot decide rather than guess.
 */
import type { HTTPRoute } from './istio-types.ts';
import type { DeploymentResource, DestinationRuleResource, Resource, ServiceResource, TimelineAction, VirtualServiceResource } from './types.ts';
import { resourceKey, timelineDeletes, timelineResources } from './types.ts';

const CLUSTER_SUFFIX = 'svc.cluster.local';

export interface SplitFromConfigQuery {
  /** edge.service: the Service the scope's requests call. */
  service?: string;
  /** edge.from: the calling workload, for exportTo visibility. */
  from?: string;
  /** rule scope: "ns/name" and http rule index. */
  rule?: { virtualService: string; index: number };
  by: 'version' | 'workload';
  window?: { fromUs: number; toUs: number };
  durationUs: number;
}

export type SplitFromConfig = { ok: true; shares: Record<string, number>; origin: string } | { ok: false; error: string };

const fail = (error: string): SplitFromConfig => ({ ok: false, error });

function fqdn(host: string, namespace: string): string {
  if (host.endsWith(`.${CLUSTER_SUFFIX}`)) return host;
  const parts = host.split('.');
  if (parts.length === 1) return `${host}.${namespace}.${CLUSTER_SUFFIX}`;
  if (parts.length === 2) return `${host}.${CLUSTER_SUFFIX}`;
  if (parts.length === 3 && parts[2] === 'svc') return `${host}.cluster.local`;
  return host;
}

/** How specifically a VirtualService host names a FQDN: exact beats wildcard, longer wildcard beats shorter; -1 = no match. */
function hostScore(pattern: string, target: string): number {
  if (pattern === target) return 1_000_000;
  if (pattern === '*') return 0;
  if (pattern.startsWith('*.') && target.endsWith(pattern.slice(1))) return pattern.length;
  return -1;
}

function exportedTo(exportTo: readonly string[] | undefined, ownerNs: string, clientNs: string | null): boolean {
  if (!exportTo || exportTo.length === 0 || clientNs === null) return true;
  return exportTo.some((e) => e === '*' || e === clientNs || (e === '.' && ownerNs === clientNs));
}

function forMesh(vs: VirtualServiceResource): boolean {
  const gws = vs.spec.gateways;
  return !gws || gws.length === 0 || gws.includes('mesh');
}

function labelsMatch(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const k of Object.keys(selector)) if (labels[k] !== selector[k]) return false;
  return true;
}

/** Resources in force at `atUs`: the t=0 set with every timeline action up to and including that time. */
function inForceAt(resources: readonly Resource[], timeline: readonly TimelineAction[], atUs: number): Resource[] {
  const byKey = new Map(resources.map((r) => [resourceKey(r), r] as [string, Resource]));
  for (const a of timeline) {
    if (a.atUs > atUs) break;
    for (const r of timelineResources(a)) byKey.set(resourceKey(r), r);
    for (const k of timelineDeletes(a)) byKey.delete(k);
  }
  return [...byKey.values()];
}

function keysChangedBetween(timeline: readonly TimelineAction[], fromUs: number, toUs: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const a of timeline) {
    if (a.atUs <= fromUs || a.atUs >= toUs) continue;
    const keys = [...timelineResources(a).map(resourceKey), ...timelineDeletes(a)];
    for (const k of keys) if (!out.has(k)) out.set(k, a.atUs);
  }
  return out;
}

const seconds = (us: number): string => `${Math.round(us / 1000) / 1000}s`;

export function splitFromConfig(q: SplitFromConfigQuery, resources: readonly Resource[], timeline: readonly TimelineAction[]): SplitFromConfig {
  const fromUs = q.window?.fromUs ?? 0;
  const toUs = Math.min(q.window?.toUs ?? q.durationUs, q.durationUs);
  const world = inForceAt(resources, timeline, fromUs);
  const services = world.filter((r): r is ServiceResource => r.kind === 'Service');
  const deployments = world.filter((r): r is DeploymentResource => r.kind === 'Deployment');
  const rules = world.filter((r): r is DestinationRuleResource => r.kind === 'DestinationRule');
  const clientNs = q.from !== undefined ? (deployments.find((d) => d.meta.name === q.from)?.meta.namespace ?? null) : null;

  // 1. The VirtualService and the rule.
  let vs: VirtualServiceResource | undefined;
  let index: number;
  if (q.rule) {
    const [ns, name] = q.rule.virtualService.split('/');
    vs = world.find((r): r is VirtualServiceResource => r.kind === 'VirtualService' && r.meta.namespace === ns && r.meta.name === name);
    if (!vs) return fail(`VirtualService ${q.rule.virtualService} is not in force at ${seconds(fromUs)}, so it gives no weights`);
    index = q.rule.index;
  } else {
    if (q.service === undefined) return fail('split: fromConfig needs edge.service or rule to know which VirtualService gives the weights');
    const svc = services.find((s) => s.meta.name === q.service);
    if (!svc) return fail(`there is no Service ${q.service} at ${seconds(fromUs)}`);
    const target = fqdn(svc.meta.name, svc.meta.namespace);
    let best = -1;
    for (const r of world) {
      if (r.kind !== 'VirtualService' || !forMesh(r) || !exportedTo(r.spec.exportTo, r.meta.namespace, clientNs)) continue;
      for (const h of r.spec.hosts ?? []) {
        const score = hostScore(fqdn(h, r.meta.namespace), target);
        if (score > best || (score === best && score >= 0 && vs !== undefined && r.meta.order < vs.meta.order)) {
          best = score;
          vs = r;
        }
      }
    }
    if (!vs) {
      return fail(`no VirtualService routes ${q.service} at ${seconds(fromUs)}: its traffic is load-balanced over the pods, not split by weights; write the split you expect`);
    }
    const http = vs.spec.http ?? [];
    if (http.length !== 1) {
      const list = http.map((h, i) => `${i}${h.name ? ` (${h.name})` : ''}`).join(', ');
      return fail(
        `VirtualService ${vs.meta.namespace}/${vs.meta.name} has ${http.length} http rules (${list}); say which one's weights to expect with rule: {virtualService: ${vs.meta.namespace}/${vs.meta.name}, index: N}`,
      );
    }
    if (http[0].match && http[0].match.length > 0) {
      return fail(
        `the only rule of VirtualService ${vs.meta.namespace}/${vs.meta.name} applies to matching requests only; scope the expectation with rule: {virtualService: ${vs.meta.namespace}/${vs.meta.name}, index: 0}`,
      );
    }
    index = 0;
  }
  const vsName = `${vs.meta.namespace}/${vs.meta.name}`;
  const rule: HTTPRoute | undefined = (vs.spec.http ?? [])[index];
  if (!rule) return fail(`VirtualService ${vsName} has no http rule ${index}`);
  if (!rule.route || rule.route.length === 0) {
    const what = rule.redirect ? 'a redirect' : rule.directResponse ? 'a direct response' : rule.delegate ? 'a delegation' : 'no route';
    return fail(`rule ${index} of VirtualService ${vsName} is ${what}, it has no weights to read`);
  }

  // 2. Each destination's weight, credited to the version or workload its pods have.
  const weights = new Map<string, number>();
  const involved = new Set<string>([resourceKey(vs)]);
  const single = rule.route.length === 1;
  let total = 0;
  for (const [i, d] of rule.route.entries()) {
    // Istio: a lone destination takes all traffic whatever its weight; among several, no weight is 0.
    const w = single ? 100 : (d.weight ?? 0);
    const host = fqdn(d.destination.host, vs.meta.namespace);
    const svc = services.find((s) => fqdn(s.meta.name, s.meta.namespace) === host);
    if (!svc) return fail(`route[${i}] of rule ${index} in ${vsName} goes to ${d.destination.host}, which is not a Service in the mesh`);
    involved.add(resourceKey(svc));
    let labels: Record<string, string> = { ...svc.selector };
    if (d.destination.subset !== undefined) {
      const dr = rules
        .filter((r) => fqdn(r.spec.host, r.meta.namespace) === host)
        .sort((a, b) => a.meta.order - b.meta.order)
        .find((r) => (r.spec.subsets ?? []).some((s) => s.name === d.destination.subset));
      const subset = dr?.spec.subsets?.find((s) => s.name === d.destination.subset);
      if (!dr || !subset) {
        return fail(`subset ${d.destination.subset} of ${svc.meta.name} is defined in no DestinationRule at ${seconds(fromUs)}: those requests fail with 503 NC, so the config gives no split`);
      }
      involved.add(resourceKey(dr));
      labels = { ...labels, ...(subset.labels ?? {}) };
    }
    const pods = deployments.filter((dep) => dep.meta.namespace === svc.meta.namespace && dep.replicas > 0 && labelsMatch(labels, dep.podLabels));
    for (const p of pods) involved.add(resourceKey(p));
    const where = `route[${i}] (${d.destination.host}${d.destination.subset ? `, subset ${d.destination.subset}` : ''})`;
    if (pods.length === 0) {
      if (w === 0) continue;
      return fail(`${where} of rule ${index} in ${vsName} selects no running pods: those requests fail with 503 UH, so the config gives no split`);
    }
    const keys = [...new Set(pods.map((p) => (q.by === 'version' ? (p.podLabels.version ?? '(none)') : p.meta.name)))];
    if (keys.length !== 1) {
      return fail(
        `${where} of rule ${index} in ${vsName} reaches ${q.by === 'version' ? 'versions' : 'workloads'} ${keys.join(', ')}; the load balancer, not the weights, divides traffic among them${q.by === 'workload' ? ' (use splitBy: version if they share one)' : ''}`,
      );
    }
    weights.set(keys[0], (weights.get(keys[0]) ?? 0) + w);
    total += w;
  }
  if (total <= 0) return fail(`rule ${index} of VirtualService ${vsName} has total weight 0`);

  // 3. The window must see one configuration.
  const changed = keysChangedBetween(timeline, fromUs, toUs);
  for (const k of [...involved].sort()) {
    const at = changed.get(k);
    if (at !== undefined) {
      return fail(
        `${k.replace(/\//, ' ')} changes at ${seconds(at)}, inside the window [${seconds(fromUs)}, ${seconds(toUs)}); narrow the window with during or after so it sees one configuration`,
      );
    }
  }

  const shares: Record<string, number> = {};
  for (const [k, w] of weights) shares[k] = Math.round((w / total) * 1e12) / 1e12;
  return { ok: true, shares, origin: `VirtualService ${vsName} rule ${index}` };
}
