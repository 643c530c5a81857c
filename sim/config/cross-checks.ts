/**
 * Checks across resources that no single manifest can fail on its own: a Service whose selector
 * matches no Deployment's pods (MSH0201), VirtualService delegation that points nowhere or in a
 * circle (istio-semantics.md §1.10).
 */
import type { Diagnostic, DiagnosticLevel } from '../domain/diagnostics.ts';
import { CODES } from './codes.ts';
import type { RejectedRef } from './manifests.ts';
import { listNames } from './suggest.ts';
import { resourceLabel, type DeploymentResource, type Resource, type ServiceResource, type VirtualServiceResource } from './types.ts';

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}

/**
 * Services whose selector matches no Deployment's pod labels in their namespace. `deployments`
 * is every Deployment the run may ever have; `rejected` names deployments that failed to load.
 */
export function checkServiceSelectors(
  services: ServiceResource[],
  deployments: DeploymentResource[],
  level: DiagnosticLevel,
  rejected: RejectedRef[] = [],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const svc of services) {
    const sel = svc.selector;
    if (Object.keys(sel).length === 0) continue;
    const ns = svc.meta.namespace;
    const inNs = deployments.filter((d) => d.meta.namespace === ns);
    if (inNs.some((d) => selects(sel, d.podLabels))) continue;
    if (rejected.some((r) => r.kind === 'Deployment' && r.namespace === ns)) continue;
    const want = Object.entries(sel)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const have = inNs.map((d) => `${d.meta.name} (${Object.entries(d.podLabels).map(([k, v]) => `${k}=${v}`).join(',')})`);
    const hint = have.length ? `; deployments in namespace ${ns}: ${listNames(have, 6)}` : `; namespace ${ns} has no Deployments`;
    out.push({
      code: CODES.serviceSelectsNothing,
      level,
      resource: resourceLabel('Service', ns, svc.meta.name),
      message: `Service selector ${want} matches no Deployment's pod labels, so the Service has no endpoints${hint}`,
      source: svc.meta.positions.get('spec.selector') ?? svc.meta.source,
      path: 'spec.selector',
    });
  }
  return out;
}

/**
 * Delegate VirtualServices: a VirtualService referenced by `delegate` must have no hosts; one
 * without hosts that nobody delegates to never applies (warning).
 */
export function checkDelegates(resources: readonly Resource[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  const vss = resources.filter((r): r is VirtualServiceResource => r.kind === 'VirtualService');
  const referenced = new Map<string, { by: VirtualServiceResource; path: string }>();
  for (const vs of vss) {
    vs.spec.http?.forEach((h, i) => {
      if (h.delegate?.name) {
        const ns = h.delegate.namespace ?? vs.meta.namespace;
        const key = `${ns}/${h.delegate.name}`;
        if (!referenced.has(key)) referenced.set(key, { by: vs, path: `spec.http[${i}].delegate` });
      }
    });
  }
  for (const vs of vss) {
    const key = `${vs.meta.namespace}/${vs.meta.name}`;
    const ref = referenced.get(key);
    const hasHosts = (vs.spec.hosts?.length ?? 0) > 0;
    const label = resourceLabel('VirtualService', vs.meta.namespace, vs.meta.name);
    if (ref && hasHosts) {
      out.push({
        code: CODES.istioSchema,
        level: 'error',
        resource: label,
        message: `this VirtualService is used as a delegate by VirtualService ${ref.by.meta.namespace}/${ref.by.meta.name} (${ref.path}), so it must not have hosts`,
        source: vs.meta.positions.get('spec.hosts') ?? vs.meta.source,
        path: 'spec.hosts',
      });
    } else if (!ref && !hasHosts && (vs.spec.http?.length ?? 0) > 0) {
      out.push({
        code: CODES.unusedDelegate,
        level: 'warning',
        resource: label,
        message: 'this VirtualService has no hosts, so Istio treats it as a delegate, but no VirtualService delegates to it: it never applies (add spec.hosts)',
        source: vs.meta.positions.get('spec') ?? vs.meta.source,
        path: 'spec.hosts',
      });
    }
  }
  return out;
}
