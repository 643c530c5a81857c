/**
 * What istiod derives from the security.istio.io kinds for each workload's inbound side
 * (istio-semantics.md §5): the effective PeerAuthentication mode per workload port (§5.1), the
 * AuthorizationPolicies in force (§5.2) and the JWT rules of RequestAuthentications (§5.3).
 * Prepared once per config version; `inboundFor(pod)` is memoised per pod.
 *
 * PeerAuthentication precedence: workload (selector, oldest wins) > namespace (no selector, oldest
 * wins) > mesh (root namespace, no selector, oldest wins) > PERMISSIVE. UNSET inherits from the
 * next level; `portLevelMtls` (keyed by workload port) overrides the workload policy per port.
 */
import type { AuthorizationPolicyResource, PeerAuthenticationResource, RequestAuthenticationResource, MtlsMode, JwtRule } from '../../config/security-schema.ts';
import type { Resource, SemanticsProfile } from '../../config/types.ts';
import type { Diagnostic } from '../../domain/diagnostics.ts';
import { labelsMatch, type PodInfo } from '../registry.ts';
import { compilePolicy, type CompiledPolicy, type WorkloadAuthz } from './authz.ts';

export type PeerMode = 'STRICT' | 'PERMISSIVE' | 'DISABLE';

export interface WorkloadJwt {
  /** JWT rules of every RequestAuthentication selecting the workload (merged). */
  rules: JwtRule[];
  /** "ns/name" of the policies, for explanations. */
  policies: string[];
}

export interface InboundSecurity {
  /** Mode for ports without a port-level setting. */
  mode: PeerMode;
  /** Port-level modes by workload port, or null. */
  portModes: ReadonlyMap<number, PeerMode> | null;
  /** "ns/name" of the PeerAuthentication that decided `mode`, or null (default PERMISSIVE). */
  peerPolicy: string | null;
  /** null: no AuthorizationPolicy applies (everything allowed). */
  authz: WorkloadAuthz | null;
  /** null: no RequestAuthentication applies. */
  jwt: WorkloadJwt | null;
}

export function peerModeAt(sec: InboundSecurity, port: number): PeerMode {
  if (sec.portModes !== null) {
    const m = sec.portModes.get(port);
    if (m !== undefined) return m;
  }
  return sec.mode;
}

const DEFAULT_SECURITY: InboundSecurity = { mode: 'PERMISSIVE', portModes: null, peerPolicy: null, authz: null, jwt: null };

const hasSelector = (sel: { matchLabels?: Record<string, string> } | undefined): boolean => Object.keys(sel?.matchLabels ?? {}).length > 0;

interface PreparedPolicy {
  res: AuthorizationPolicyResource;
  compiled: CompiledPolicy;
}

export class SecurityConfig {
  private readonly root: string;
  private readonly pas: PeerAuthenticationResource[];
  private readonly aps: PreparedPolicy[];
  private readonly ras: RequestAuthenticationResource[];
  private readonly byPod = new Map<number, InboundSecurity>();
  /** True when no security resource exists: every pod gets the shared default. */
  readonly empty: boolean;

  constructor(resources: readonly Resource[], profile: SemanticsProfile, diagnostics: Diagnostic[]) {
    this.root = profile.rootNamespace;
    const byOrder = <T extends Resource>(xs: T[]): T[] => xs.sort((a, b) => a.meta.order - b.meta.order);
    this.pas = byOrder(resources.filter((r): r is PeerAuthenticationResource => r.kind === 'PeerAuthentication'));
    this.ras = byOrder(resources.filter((r): r is RequestAuthenticationResource => r.kind === 'RequestAuthentication'));
    const aps = byOrder(resources.filter((r): r is AuthorizationPolicyResource => r.kind === 'AuthorizationPolicy'));
    this.aps = [];
    for (const res of aps) {
      const label = `AuthorizationPolicy ${res.meta.namespace}/${res.meta.name}`;
      if (res.spec.targetRef || res.spec.targetRefs) {
        diagnostics.push({ code: 'MSH0100', level: 'warning', resource: label, message: 'targetRef(s) (Gateway API attachment) are not simulated; this policy applies to no workload', source: res.meta.positions.get('spec.targetRefs') ?? res.meta.source, path: 'spec.targetRefs' });
        continue;
      }
      const compiled = compilePolicy(res, (path, message) =>
        diagnostics.push({ code: 'IST0106', level: 'warning', resource: label, message, source: res.meta.positions.get(path) ?? res.meta.source, path }),
      );
      this.aps.push({ res, compiled });
    }
    for (const pa of this.pas) {
      if (pa.meta.namespace === this.root && hasSelector(pa.spec.selector)) {
        diagnostics.push({
          code: 'MSH0310',
          level: 'info',
          resource: `PeerAuthentication ${pa.meta.namespace}/${pa.meta.name}`,
          message: `a selector policy in the root namespace ${this.root} applies only to matching workloads in ${this.root} here (Istio's documentation is contradictory about it)`,
          source: pa.meta.positions.get('spec.selector') ?? pa.meta.source,
          path: 'spec.selector',
        });
      }
    }
    this.empty = this.pas.length === 0 && this.aps.length === 0 && this.ras.length === 0;
  }

  inboundFor(pod: PodInfo): InboundSecurity {
    if (this.empty) return DEFAULT_SECURITY;
    let sec = this.byPod.get(pod.id);
    if (!sec) this.byPod.set(pod.id, (sec = this.compute(pod)));
    return sec;
  }

  private compute(pod: PodInfo): InboundSecurity {
    // PeerAuthentication (§5.1).
    const mesh = this.pas.find((p) => p.meta.namespace === this.root && !hasSelector(p.spec.selector));
    const ns = this.pas.find((p) => p.meta.namespace === pod.namespace && !hasSelector(p.spec.selector));
    const wl = this.pas.find((p) => p.meta.namespace === pod.namespace && hasSelector(p.spec.selector) && labelsMatch(p.spec.selector!.matchLabels!, pod.labels));
    let mode: PeerMode = 'PERMISSIVE';
    let peerPolicy: string | null = null;
    for (const p of [mesh, ns, wl]) {
      const m = p?.spec.mtls?.mode;
      if (p && m && m !== 'UNSET') {
        mode = m;
        peerPolicy = `${p.meta.namespace}/${p.meta.name}`;
      }
    }
    let portModes: Map<number, PeerMode> | null = null;
    if (wl?.spec.portLevelMtls) {
      for (const [k, v] of Object.entries(wl.spec.portLevelMtls)) {
        const m: MtlsMode | undefined = v.mode;
        if (!m || m === 'UNSET') continue;
        (portModes ??= new Map()).set(Number(k), m);
      }
    }

    // AuthorizationPolicy scope (§5.2): root namespace ⇒ all namespaces; otherwise the policy's
    // namespace; a selector narrows to matching workloads.
    let authz: WorkloadAuthz | null = null;
    for (const { res, compiled } of this.aps) {
      if (!this.applies(res.meta.namespace, res.spec.selector, pod)) continue;
      authz ??= { custom: [], deny: [], allow: [], audit: [] };
      const list = compiled.action === 'CUSTOM' ? authz.custom : compiled.action === 'DENY' ? authz.deny : compiled.action === 'AUDIT' ? authz.audit : authz.allow;
      list.push(compiled);
    }

    // RequestAuthentication (§5.3): every applicable policy's rules are merged.
    let jwt: WorkloadJwt | null = null;
    for (const ra of this.ras) {
      if (!this.applies(ra.meta.namespace, ra.spec.selector, pod)) continue;
      jwt ??= { rules: [], policies: [] };
      jwt.rules.push(...(ra.spec.jwtRules ?? []));
      jwt.policies.push(`${ra.meta.namespace}/${ra.meta.name}`);
    }
    return { mode, portModes, peerPolicy, authz, jwt };
  }

  private applies(policyNs: string, selector: { matchLabels?: Record<string, string> } | undefined, pod: PodInfo): boolean {
    if (policyNs !== this.root && policyNs !== pod.namespace) return false;
    return !hasSelector(selector) || labelsMatch(selector!.matchLabels!, pod.labels);
  }
}

/** SPIFFE principal without the scheme: "cluster.local/ns/NS/sa/SA". */
export function principalOf(pod: Pick<PodInfo, 'namespace' | 'serviceAccount'>, trustDomain: string): string {
  return `${trustDomain}/ns/${pod.namespace}/sa/${pod.serviceAccount}`;
}
