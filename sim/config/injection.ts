/**
 * Sidecar injection (istio-semantics.md §6.2): decided by the injection webhook when a pod is
 * created, from its template and its namespace's labels at that moment. A pod keeps what it got;
 * relabelling a namespace changes only pods created afterwards (hence `kubectl rollout restart`).
 */
import type { DeploymentResource } from './types.ts';

/** Pod label/annotation `sidecar.istio.io/inject` beats the namespace label (`istio-injection`, then `istio.io/rev`). */
export function injectsSidecar(d: DeploymentResource, namespaceLabels: Readonly<Record<string, string>>): boolean {
  const podFlag = d.podLabels['sidecar.istio.io/inject'] ?? d.podAnnotations['sidecar.istio.io/inject'];
  if (podFlag === 'false') return false;
  if (podFlag === 'true') return true;
  if (namespaceLabels['istio-injection'] === 'enabled') return true;
  if (namespaceLabels['istio-injection'] === 'disabled') return false;
  return namespaceLabels['istio.io/rev'] !== undefined;
}
