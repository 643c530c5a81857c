/**
 * DestinationRule analyzers: IST0174 (host not in the registry) and IST0173 (a subset whose
 * labels select none of the host's pods, so traffic routed to it gets 503 UH).
 * IST0173 is a warning when some VirtualService routes to the subset and a note (info) when none
 * does: istioctl warns either way, but Bookinfo's destination-rule-all.yaml defines subsets for
 * versions a cluster may not run (ratings v2-mysql …), and an unused empty subset breaks nothing.
 */
import type { DestinationRuleResource } from '../config/types.ts';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { resolveShortname } from '../control-plane/hosts.ts';
import type { Registry } from '../control-plane/registry.ts';
import { ANALYZE_CODES } from './codes.ts';
import { finding } from './finding.ts';

/** `routed` holds "fqdn|subset" for every subset a VirtualService route or mirror names. */
export function analyzeDestinationRules(drs: readonly DestinationRuleResource[], registry: Registry, routed: ReadonlySet<string>): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const dr of drs) {
    const fqdn = resolveShortname(dr.spec.host, dr.meta.namespace);
    // Wildcard hosts apply to whatever matches them; there is nothing single to look up.
    if (fqdn.startsWith('*')) continue;
    const svc = registry.service(fqdn);
    if (!svc) {
      out.push(finding(dr, 'spec.host', ANALYZE_CODES.unknownDrHost, 'warning', `host "${dr.spec.host}" (${fqdn}) matches no service or ServiceEntry; this DestinationRule applies to nothing`));
      continue;
    }
    // A ServiceEntry without workloadSelector has no pods to label; subsets there select addresses.
    if (svc.serviceEntry && !svc.serviceEntry.workloadLabels) continue;
    const pods = registry.selectedPods(svc);
    // No pods at all is MSH0201's finding (the Service selects nothing); saying it per subset adds noise.
    if (pods.length === 0) continue;
    (dr.spec.subsets ?? []).forEach((s, i) => {
      const labels = s.labels ?? {};
      if (registry.selectedPods(svc, labels).length > 0) return;
      const sel = Object.entries(labels).map(([k, v]) => `${k}=${v}`).join(',');
      const used = routed.has(`${fqdn}|${s.name}`);
      const effect = used ? 'requests routed to it get 503 UH (no healthy upstream)' : 'no VirtualService routes to it yet; requests routed to it would get 503 UH';
      out.push(finding(dr, `spec.subsets[${i}].labels`, ANALYZE_CODES.subsetSelectsNoPods, used ? 'warning' : 'info', `subset "${s.name}" (labels ${sel || 'none'}) selects no pod of ${fqdn}; ${effect}`));
    });
  }
  return out;
}
