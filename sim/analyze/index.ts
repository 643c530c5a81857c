/**
 * `meshsim validate` without the file system: every finding about a set of manifests, the way
 * `istioctl analyze` reports them. Three sources, one list:
 * - sim/config: schema (IST0106), YAML and reference problems (MSH00xx/01xx/02xx);
 * - the control-plane compile: IST0101, IST0106, IST0109, IST0122, IST0130, KIA1104, MSH03xx;
 * - the analyzers in this folder: IST0104, IST0112, IST0131, IST0132, IST0173, IST0174,
 *   KIA1105, KIA1106, KIA1107.
 */
import type { GatewayResource, DestinationRuleResource, Resource, SemanticsProfile } from '../config/types.ts';
import { CODES } from '../config/codes.ts';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { ControlPlane } from '../control-plane/control-plane.ts';
import { CP_CODES } from '../control-plane/codes.ts';
import { Registry } from '../control-plane/registry.ts';
import { analyzeDestinationRules } from './dr-analyzers.ts';
import { analyzeGateways } from './gateway-analyzers.ts';
import { analyzeVirtualServices, routedSubsets } from './vs-analyzers.ts';

export { ANALYZE_CODES } from './codes.ts';
export { runRouteTests, parseRouteTests, expandRequests } from './route-tests.ts';
export type { RouteTestCase, RouteTestInput, RouteTestResult } from './route-tests.ts';

const LEVEL_RANK: Record<Diagnostic['level'], number> = { info: 0, warning: 1, error: 2 };

export function levelAtLeast(level: Diagnostic['level'], floor: Diagnostic['level']): boolean {
  return LEVEL_RANK[level] >= LEVEL_RANK[floor];
}

/**
 * Levels as validate reports them where the compile's choice was made for a different audience:
 * - MSH0102 (same object twice): a folder of alternative versions applied in order is how Istio's
 *   own samples ship, and `kubectl apply` in that order is well defined; a note, not a warning.
 * - KIA1104 (single destination weight < 100): Kiali shows it as a warning; the run-time compile
 *   keeps it as info so scenario runs stay quiet.
 */
function relevel(d: Diagnostic): Diagnostic {
  if (d.code === CODES.duplicate && d.level === 'warning') return { ...d, level: 'info' };
  if (d.code === CP_CODES.singleWeight && d.level === 'info') return { ...d, level: 'warning' };
  return d;
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** File, line, column, then code: the order a reader fixes things in. */
export function compareFindings(a: Diagnostic, b: Diagnostic): number {
  return (
    cmp(a.source?.file ?? '', b.source?.file ?? '') ||
    (a.source?.line ?? 0) - (b.source?.line ?? 0) ||
    (a.source?.col ?? 0) - (b.source?.col ?? 0) ||
    cmp(a.code, b.code) ||
    cmp(a.resource, b.resource) ||
    cmp(a.message, b.message)
  );
}

/** All findings for resources already loaded (plus the load's own diagnostics), sorted and de-duplicated. */
export function analyze(resources: readonly Resource[], loadDiagnostics: readonly Diagnostic[], profile: SemanticsProfile): Diagnostic[] {
  const registry = new Registry(resources);
  const cp = new ControlPlane({ registry, profile, resources }, 1);
  const drs = resources.filter((r): r is DestinationRuleResource => r.kind === 'DestinationRule');
  const gws = resources.filter((r): r is GatewayResource => r.kind === 'Gateway');
  const list = cp.prepared.vs.list;
  const all = [
    ...loadDiagnostics,
    ...cp.diagnostics,
    ...analyzeVirtualServices(list, drs, registry),
    ...analyzeDestinationRules(drs, registry, routedSubsets(list)),
    ...analyzeGateways(gws, list, registry),
  ].map(relevel);
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const d of all.sort(compareFindings)) {
    const key = JSON.stringify([d.code, d.resource, d.path ?? '', d.message, d.source]);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(d);
  }
  return out;
}
