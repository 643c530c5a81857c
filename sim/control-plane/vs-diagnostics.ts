/**
 * What the control plane reports about VirtualServices (istio-semantics.md §9.3): what istiod's
 * webhook rejects (IST0106; the resource is then ignored), hosts that match no service (the
 * `reviews.default` trap, MSH0301), undefined hosts and subsets (IST0101), single destinations with
 * a weight (KIA1104), rules after a catch-all (IST0130) and duplicate hosts (IST0109 / KIA1106).
 */
import type { DestinationRuleResource, SemanticsProfile, VirtualServiceResource } from '../config/types.ts';
import type { DiagnosticLevel } from '../domain/diagnostics.ts';
import { CP_CODES } from './codes.ts';
import { hostMatches, MESH_GATEWAY, resolveShortname } from './hosts.ts';
import { CLUSTER_DOMAIN, type Registry } from './registry.ts';
import type { PreparedRule, PreparedVs } from './virtual-services.ts';

export type Emit = (res: VirtualServiceResource, path: string, code: string, level: DiagnosticLevel, message: string) => void;

/** What istiod's validating webhook rejects here makes the resource never exist (§1.6, §9.3, §9.4). */
export function webhookAccepts(res: VirtualServiceResource, profile: SemanticsProfile, emit: Emit): boolean {
  let ok = true;
  (res.spec.http ?? []).forEach((h, i) => {
    const routes = h.route ?? [];
    if (routes.length < 2) return;
    let sum = 0;
    for (const r of routes) {
      if ((r.weight ?? 0) < 0) {
        emit(res, `spec.http[${i}].route`, CP_CODES.schema, 'error', 'negative weight: istiod rejects this VirtualService, so it is ignored');
        ok = false;
        return;
      }
      sum += r.weight ?? 0;
    }
    if (sum === 0) {
      emit(res, `spec.http[${i}].route`, CP_CODES.schema, 'error', 'total destination weight = 0: istiod rejects this VirtualService, so it is ignored');
      ok = false;
    } else if (profile.weightsMustSum100 && sum !== 100) {
      emit(
        res,
        `spec.http[${i}].route`,
        CP_CODES.schema,
        'error',
        `total destination weight ${sum} != 100: Istio ${profile.istioVersion} rejects this VirtualService (relative weights arrived in 1.15), so it is ignored`,
      );
      ok = false;
    }
  });
  return ok;
}

export function checkHostInRegistry(res: VirtualServiceResource, written: string, resolved: string, i: number, registry: Registry, emit: Emit): void {
  if (resolved.startsWith('*')) return;
  if (registry.service(resolved)) return;
  const path = `spec.hosts[${i}]`;
  const suffix = `.${CLUSTER_DOMAIN}`;
  if (written.includes('.') && !written.endsWith(suffix)) {
    for (const tail of ['.svc.cluster.local', '.cluster.local']) {
      if (registry.service(`${written}${tail}`)) {
        emit(
          res,
          path,
          CP_CODES.hostNotInRegistry,
          'warning',
          `host "${written}" contains a dot, so Istio uses it verbatim instead of expanding it to "${written}${tail}"; it matches no service and this VirtualService does not apply to ${written}${tail}. Write "${written}${tail}" (or a short name without dots).`,
        );
        return;
      }
    }
  }
  if (!written.includes('.')) {
    const elsewhere = registry.services.filter((s) => s.name === written);
    if (elsewhere.length > 0) {
      emit(
        res,
        path,
        CP_CODES.hostNotInRegistry,
        'warning',
        `short name "${written}" resolves in the VirtualService's namespace to "${resolved}", which is not a service; did you mean ${elsewhere.map((s) => `"${s.fqdn}"`).join(' or ')}?`,
      );
      return;
    }
  }
  emit(res, path, CP_CODES.hostNotInRegistry, 'info', `host "${resolved}" matches no service in the registry; meshsim routes nothing for it`);
}

/** IST0101: destination subsets no DestinationRule for that host defines (anywhere in the mesh). */
export function checkSubsets(res: VirtualServiceResource, rules: PreparedRule[], drs: readonly DestinationRuleResource[], registry: Registry, emit: Emit): void {
  for (const rule of rules) {
    const src = rule.delegate ? rule.source : res;
    const check = (host: string, subset: string | undefined, path: string): void => {
      const fqdn = resolveShortname(host, rule.hostNamespace);
      if (!fqdn.startsWith('*') && !registry.service(fqdn)) {
        emit(src, `${path}.host`, CP_CODES.referenceNotFound, 'warning', `referenced host not found: "${host}" (${fqdn}); requests routed here get 503 NC`);
        return;
      }
      if (!subset) return;
      const defined = drs.some((d) => hostMatches(resolveShortname(d.spec.host, d.meta.namespace), fqdn) && (d.spec.subsets ?? []).some((s) => s.name === subset));
      if (!defined) {
        emit(
          src,
          `${path}.subset`,
          CP_CODES.referenceNotFound,
          'warning',
          `referenced host+subset in destinationrule not found: "${fqdn}+${subset}"; requests routed here get 503 NC (cluster not found)`,
        );
      }
    };
    const base = rule.path;
    rule.http.route?.forEach((r, j) => check(r.destination.host, r.destination.subset, `${base}.route[${j}].destination`));
    if (rule.http.mirror) check(rule.http.mirror.host, rule.http.mirror.subset, `${base}.mirror`);
    rule.http.mirrors?.forEach((m, j) => check(m.destination.host, m.destination.subset, `${base}.mirrors[${j}].destination`));
    const routes = rule.http.route ?? [];
    if (routes.length === 1 && routes[0].weight !== undefined && routes[0].weight < 100) {
      emit(src, `${base}.route[0].weight`, CP_CODES.singleWeight, 'info', `weight ${routes[0].weight} on a single destination is ignored: it gets 100% of the traffic`);
    }
  }
}

/** IST0130: a rule without match blocks, or with a catch-all block, hides every later rule. */
export function checkReachability(rules: PreparedRule[], emit: Emit): void {
  for (let i = 0; i < rules.length - 1; i++) {
    const r = rules[i];
    const catchAll =
      r.matches === null || r.matches.some((m) => m.compiled.catchAll && !m.raw.port && !m.raw.sourceLabels && !m.raw.sourceNamespace && m.gateways.length === 0);
    if (!catchAll) continue;
    for (let j = i + 1; j < rules.length; j++) {
      emit(
        rules[j].source,
        rules[j].path,
        CP_CODES.unreachableRule,
        'warning',
        `rule ${rules[j].index} is never used: rule ${r.index} before it matches every request (only the last rule can be a catch-all)`,
      );
    }
    return;
  }
}

/** IST0109 / KIA1106: more than one mesh VirtualService for one host; the oldest wins. */
export function checkDuplicates(list: PreparedVs[], emit: Emit): void {
  const owner = new Map<string, PreparedVs>();
  for (const vs of list) {
    if (!vs.gateways.includes(MESH_GATEWAY)) continue;
    vs.hosts.forEach((h, i) => {
      const first = owner.get(h);
      if (!first) {
        owner.set(h, vs);
        return;
      }
      if (first === vs) return;
      emit(
        vs.res,
        `spec.hosts[${i}]`,
        CP_CODES.conflictingHosts,
        'warning',
        `VirtualServices ${first.key} and ${vs.key} both define host ${h} for the mesh; sidecars use only the oldest (${first.key}) and ignore this one. Merge them into one VirtualService.`,
      );
    });
  }
}
