/**
 * The two security decisions on the request path (istio-semantics.md §2.7, §5.1, §9.1):
 * - the client's TLS choice per attempt: DestinationRule `tls` as given, else auto mTLS (Istio
 *   mTLS to endpoints that have a sidecar, unless the server's PeerAuthentication says DISABLE);
 *   clients without a sidecar always send plaintext;
 * - the server sidecar's inbound chain: PeerAuthentication (STRICT resets plaintext, DISABLE cannot
 *   terminate Istio mTLS), RequestAuthentication (401), AuthorizationPolicy (403).
 * Pure functions over precompiled config; the data plane calls them once per attempt.
 */
import type { ClusterConfig } from '../control-plane/types.ts';
import type { PodInfo } from '../control-plane/registry.ts';
import { evaluateAuthz, type AuthzDecision, type AuthzRequest } from '../control-plane/security/authz.ts';
import { peerModeAt, principalOf, type InboundSecurity } from '../control-plane/security/index.ts';
import type { RequestHead } from '../control-plane/types.ts';
import { authenticateJwt, type JwtOutcome, type TokenTable } from '../control-plane/security/jwt.ts';

/** Whether a sidecar client originates Istio mTLS to `destPod` on workload `port`. */
export function clientSendsMtls(cluster: ClusterConfig, destPod: PodInfo, destSec: InboundSecurity | undefined, port: number): boolean {
  const mode = cluster.policy?.tls?.mode;
  if (mode !== undefined) return mode === 'ISTIO_MUTUAL';
  if (!destPod.hasSidecar) return false;
  return destSec === undefined || peerModeAt(destSec, port) !== 'DISABLE';
}

export type InboundVerdict =
  /** `claims`: the validated JWT's claims, if any (gateways route on them, §5.3). */
  | { kind: 'pass'; principal: string; claims?: Readonly<Record<string, unknown>> | null }
  /** Connection-level failure: plaintext to STRICT, or mTLS the server cannot terminate. */
  | { kind: 'reset'; reason: string }
  /** TLS handshake failure before any request (mTLS to a pod without sidecar). */
  | { kind: 'connect-failure'; reason: string }
  | { kind: 'reject'; status: number; flag: string; reason: string; policy: string | null };

const PASS_ANON: InboundVerdict = { kind: 'pass', principal: '' };

export interface InboundInput {
  head: RequestHead;
  mtls: boolean;
  /** The calling pod (null for clients outside the mesh). */
  sourcePod: PodInfo | null;
  destPod: PodInfo;
  /** Workload port the request arrived on. */
  port: number;
  trustDomain: string;
  nowUs: number;
  tokens: TokenTable | null;
}

/**
 * True when the server's inbound chain cannot act on this attempt: no JWT or authorization rule,
 * and a TLS mode that accepts what the client sends. `inboundVerdict` then passes it without
 * claims, so the data plane skips building the verdict input (it runs once per attempt).
 */
export function inboundIsOpen(sec: InboundSecurity | undefined, destPod: PodInfo, mtls: boolean, port: number): boolean {
  if (!destPod.hasSidecar) return !mtls;
  if (sec === undefined) return true;
  if (sec.jwt !== null || sec.authz !== null) return false;
  const mode = destPod.gateway ? 'PERMISSIVE' : peerModeAt(sec, port);
  return mtls ? mode !== 'DISABLE' : mode !== 'STRICT';
}

/** The server side's verdict on one attempt. `sec` undefined = no config (pass). */
export function inboundVerdict(sec: InboundSecurity | undefined, x: InboundInput): InboundVerdict {
  const dest = x.destPod;
  if (!dest.hasSidecar) {
    return x.mtls ? { kind: 'connect-failure', reason: 'Istio mTLS to a pod without sidecar: TLS handshake fails' } : PASS_ANON;
  }
  if (sec === undefined) return PASS_ANON;
  // A gateway's own listeners are not governed by PeerAuthentication (external clients speak plaintext or TLS).
  const mode = dest.gateway ? 'PERMISSIVE' : peerModeAt(sec, x.port);
  if (mode === 'STRICT' && !x.mtls) return { kind: 'reset', reason: `plaintext to a STRICT workload (PeerAuthentication ${sec.peerPolicy ?? 'mesh default'})` };
  if (mode === 'DISABLE' && x.mtls) return { kind: 'reset', reason: `Istio mTLS to a workload whose PeerAuthentication ${sec.peerPolicy ?? ''} is DISABLE` };
  const principal = x.mtls && x.sourcePod !== null ? principalOf(x.sourcePod, x.trustDomain) : '';
  if (sec.jwt === null && sec.authz === null) return principal === '' ? PASS_ANON : { kind: 'pass', principal };
  let jwt: JwtOutcome | null = null;
  if (sec.jwt !== null) {
    jwt = authenticateJwt(sec.jwt, x.head, x.tokens, x.nowUs);
    if (jwt.kind === 'invalid') return { kind: 'reject', status: 401, flag: '-', reason: jwt.reason, policy: null };
  }
  if (sec.authz !== null) {
    const d: AuthzDecision = evaluateAuthz(sec.authz, authzRequest(x, principal, jwt));
    if (!d.allowed) return { kind: 'reject', status: 403, flag: d.flag, reason: `RBAC: access denied (${d.reason})`, policy: d.policy };
  }
  return jwt !== null && jwt.kind === 'valid' ? { kind: 'pass', principal, claims: jwt.claims } : { kind: 'pass', principal };
}

/**
 * VirtualService header matches on `@request.auth.claims.<name>` (gateways only): the claims of a
 * validated JWT become pseudo headers before routing; nested claims join names with '.', list
 * claims give their values joined with ','.
 */
export function addClaimHeaders(headers: Map<string, string>, claims: Readonly<Record<string, unknown>>, prefix = '@request.auth.claims'): void {
  for (const k of Object.keys(claims).sort()) {
    const v = claims[k];
    const name = `${prefix}.${k}`;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') headers.set(name, String(v));
    else if (Array.isArray(v)) headers.set(name, v.map(String).join(','));
    else if (typeof v === 'object' && v !== null) addClaimHeaders(headers, v as Record<string, unknown>, name);
  }
}

function authzRequest(x: InboundInput, principal: string, jwt: JwtOutcome | null): AuthzRequest {
  const h = x.head;
  const authority = h.headers.get('host') ?? h.host;
  const colon = authority.lastIndexOf(':');
  return {
    method: h.method,
    path: h.path,
    host: colon > 0 && /^\d+$/.test(authority.slice(colon + 1)) ? authority.slice(0, colon) : authority,
    port: x.port,
    headers: h.headers,
    principal,
    namespace: principal === '' ? '' : x.sourcePod!.namespace,
    sourceIp: x.sourcePod ? x.sourcePod.ip : '',
    destinationIp: x.destPod.ip,
    requestPrincipal: jwt !== null && jwt.kind === 'valid' ? jwt.principal : '',
    claims: jwt !== null && jwt.kind === 'valid' ? jwt.claims : null,
  };
}
