/**
 * zod schemas and spec shapes for the security.istio.io kinds (v1 and v1beta1 share one proto):
 * PeerAuthentication (istio-semantics.md §5.1), AuthorizationPolicy (§5.2) and
 * RequestAuthentication (§5.3), plus the checks istiod's validating webhook applies to them.
 * SRC: istio/api security/v1beta1/*.proto; istio/istio pkg/config/validation/validation.go.
 *
 * `EXTRA_KINDS` is how manifests.ts dispatches these kinds: a spec schema, webhook checks and the
 * Resource they build.
 */
import { z } from 'zod';
import type { Resource, ResourceMeta } from './types.ts';
import type { Emit, PathSeg } from './yaml-source.ts';

const str = z.string();
const strList = z.array(z.string());
const strMap = z.record(z.string(), z.string());
const selector = z.strictObject({ matchLabels: strMap.optional() });
const targetRef = z.looseObject({ group: str.optional(), kind: str.optional(), name: str.optional(), namespace: str.optional() });

// ---- PeerAuthentication ------------------------------------------------------------------------

export type MtlsMode = 'UNSET' | 'DISABLE' | 'PERMISSIVE' | 'STRICT';
const mtlsMode = z.enum(['UNSET', 'DISABLE', 'PERMISSIVE', 'STRICT']);
const mtls = z.strictObject({ mode: mtlsMode.optional() });

export const peerAuthenticationSpecSchema = z.strictObject({
  selector: selector.optional(),
  mtls: mtls.optional(),
  portLevelMtls: z.record(z.string(), mtls).optional(),
});

export interface PeerAuthenticationSpec {
  selector?: { matchLabels?: Record<string, string> };
  mtls?: { mode?: MtlsMode };
  /** Keyed by the workload (container) port, as a string (YAML map keys). */
  portLevelMtls?: Record<string, { mode?: MtlsMode }>;
}

// ---- AuthorizationPolicy -----------------------------------------------------------------------

const source = z.strictObject({
  principals: strList.optional(),
  notPrincipals: strList.optional(),
  requestPrincipals: strList.optional(),
  notRequestPrincipals: strList.optional(),
  namespaces: strList.optional(),
  notNamespaces: strList.optional(),
  serviceAccounts: strList.optional(),
  notServiceAccounts: strList.optional(),
  ipBlocks: strList.optional(),
  notIpBlocks: strList.optional(),
  remoteIpBlocks: strList.optional(),
  notRemoteIpBlocks: strList.optional(),
});
const operation = z.strictObject({
  hosts: strList.optional(),
  notHosts: strList.optional(),
  ports: strList.optional(),
  notPorts: strList.optional(),
  methods: strList.optional(),
  notMethods: strList.optional(),
  paths: strList.optional(),
  notPaths: strList.optional(),
});
const condition = z.strictObject({ key: z.string().min(1), values: strList.optional(), notValues: strList.optional() });
const rule = z.strictObject({
  from: z.array(z.strictObject({ source: source.optional() })).optional(),
  to: z.array(z.strictObject({ operation: operation.optional() })).optional(),
  when: z.array(condition).optional(),
});

export type AuthzAction = 'ALLOW' | 'DENY' | 'AUDIT' | 'CUSTOM';

export const authorizationPolicySpecSchema = z.strictObject({
  selector: selector.optional(),
  targetRef: targetRef.optional(),
  targetRefs: z.array(targetRef).optional(),
  action: z.enum(['ALLOW', 'DENY', 'AUDIT', 'CUSTOM']).optional(),
  provider: z.strictObject({ name: str.optional() }).optional(),
  rules: z.array(rule).optional(),
});

export type AuthzSource = z.infer<typeof source>;
export type AuthzOperation = z.infer<typeof operation>;
export type AuthzCondition = z.infer<typeof condition>;
export type AuthzRule = z.infer<typeof rule>;
export type AuthorizationPolicySpec = z.infer<typeof authorizationPolicySpecSchema>;

// ---- RequestAuthentication ---------------------------------------------------------------------

const jwtHeader = z.strictObject({ name: z.string().min(1), prefix: str.optional() });
const jwtRule = z.strictObject({
  issuer: z.string().min(1),
  audiences: strList.optional(),
  jwksUri: str.optional(),
  jwks: str.optional(),
  fromHeaders: z.array(jwtHeader).optional(),
  fromParams: strList.optional(),
  fromCookies: strList.optional(),
  outputPayloadToHeader: str.optional(),
  outputClaimToHeaders: z.array(z.strictObject({ header: str, claim: str })).optional(),
  forwardOriginalToken: z.boolean().optional(),
  timeout: str.optional(),
});

export const requestAuthenticationSpecSchema = z.strictObject({
  selector: selector.optional(),
  targetRef: targetRef.optional(),
  targetRefs: z.array(targetRef).optional(),
  jwtRules: z.array(jwtRule).optional(),
});

export type JwtRule = z.infer<typeof jwtRule>;
export type RequestAuthenticationSpec = z.infer<typeof requestAuthenticationSpecSchema>;

// ---- Webhook checks ---------------------------------------------------------------------------

export function validatePeerAuthenticationSpec(spec: PeerAuthenticationSpec, emit: Emit): void {
  const hasSelector = Object.keys(spec.selector?.matchLabels ?? {}).length > 0;
  if (spec.portLevelMtls && Object.keys(spec.portLevelMtls).length > 0) {
    if (!hasSelector) emit(['spec', 'portLevelMtls'], 'portLevelMtls requires a workload selector (istiod rejects it on namespace- and mesh-wide policies)');
    for (const key of Object.keys(spec.portLevelMtls)) {
      const n = Number(key);
      if (!Number.isInteger(n) || n < 1 || n > 65535) emit(['spec', 'portLevelMtls', key], `port '${key}' must be a number between 1 and 65535`);
    }
  }
}

const SOURCE_LISTS = ['principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals', 'namespaces', 'notNamespaces'] as const;

export function validateAuthorizationPolicySpec(spec: AuthorizationPolicySpec, emit: Emit): void {
  const action = spec.action ?? 'ALLOW';
  if (spec.selector && (spec.targetRef || spec.targetRefs)) emit(['spec', 'targetRefs'], 'selector and targetRef(s) are mutually exclusive');
  if (action === 'CUSTOM' && !spec.provider?.name) emit(['spec', 'provider'], 'action CUSTOM needs provider.name');
  if (action !== 'CUSTOM' && spec.provider) emit(['spec', 'provider'], `provider is only allowed with action CUSTOM (action is ${action})`);
  if (action === 'AUDIT' || action === 'CUSTOM' || action === 'DENY') {
    // Istio: an empty rule list is fine for ALLOW (allow-nothing), meaningless elsewhere.
    if (!spec.rules || spec.rules.length === 0) emit(['spec', 'rules'], `a ${action} policy without rules never matches`, 'warning');
  }
  spec.rules?.forEach((r, i) => {
    r.from?.forEach((f, j) => {
      const s = f.source;
      if (!s) return;
      const base: PathSeg[] = ['spec', 'rules', i, 'from', j, 'source'];
      if ((s.serviceAccounts || s.notServiceAccounts) && (s.principals || s.notPrincipals || s.namespaces || s.notNamespaces)) {
        emit([...base, 'serviceAccounts'], 'serviceAccounts cannot be combined with principals or namespaces in one source');
      }
      for (const sa of [...(s.serviceAccounts ?? []), ...(s.notServiceAccounts ?? [])]) {
        if (sa.includes('*') || sa.split('/').length !== 2) emit([...base, 'serviceAccounts'], `service account '${sa}' must be 'namespace/name' without wildcards`);
      }
      for (const k of SOURCE_LISTS) {
        for (const v of s[k] ?? []) if (v === '') emit([...base, k], `${k} must not contain empty strings`);
      }
    });
    r.to?.forEach((t, j) => {
      const op = t.operation;
      if (!op) return;
      for (const p of [...(op.ports ?? []), ...(op.notPorts ?? [])]) {
        const n = Number(p);
        if (!/^\d+$/.test(p) || n < 1 || n > 65535) emit(['spec', 'rules', i, 'to', j, 'operation', 'ports'], `port '${p}' must be a number between 1 and 65535 (no wildcards)`);
      }
    });
    r.when?.forEach((c, j) => {
      if (!c.values && !c.notValues) emit(['spec', 'rules', i, 'when', j], `condition '${c.key}' needs values or notValues`);
    });
  });
}

export function validateRequestAuthenticationSpec(spec: RequestAuthenticationSpec, emit: Emit): void {
  if (spec.selector && (spec.targetRef || spec.targetRefs)) emit(['spec', 'targetRefs'], 'selector and targetRef(s) are mutually exclusive');
  spec.jwtRules?.forEach((r, i) => {
    if (r.jwks && r.jwksUri) emit(['spec', 'jwtRules', i, 'jwks'], 'jwks and jwksUri are mutually exclusive');
  });
}

// ---- Resources ----------------------------------------------------------------------------------

export interface PeerAuthenticationResource {
  kind: 'PeerAuthentication';
  meta: ResourceMeta;
  spec: PeerAuthenticationSpec;
}

export interface AuthorizationPolicyResource {
  kind: 'AuthorizationPolicy';
  meta: ResourceMeta;
  spec: AuthorizationPolicySpec;
}

export interface RequestAuthenticationResource {
  kind: 'RequestAuthentication';
  meta: ResourceMeta;
  spec: RequestAuthenticationSpec;
}

/** A kind modelled outside manifests.ts: its spec schema, webhook checks and resource. */
export interface ExtraKind {
  group: string;
  versions: readonly string[];
  spec: z.ZodType;
  build(spec: unknown, meta: ResourceMeta, emit: Emit): Resource;
}

const SECURITY_VERSIONS = ['v1', 'v1beta1'];

export const SECURITY_KINDS: Record<string, ExtraKind> = {
  PeerAuthentication: {
    group: 'security.istio.io',
    versions: SECURITY_VERSIONS,
    spec: peerAuthenticationSpecSchema,
    build(spec, meta, emit) {
      const s = spec as PeerAuthenticationSpec;
      validatePeerAuthenticationSpec(s, emit);
      return { kind: 'PeerAuthentication', meta, spec: s };
    },
  },
  AuthorizationPolicy: {
    group: 'security.istio.io',
    versions: SECURITY_VERSIONS,
    spec: authorizationPolicySpecSchema,
    build(spec, meta, emit) {
      const s = spec as AuthorizationPolicySpec;
      validateAuthorizationPolicySpec(s, emit);
      return { kind: 'AuthorizationPolicy', meta, spec: s };
    },
  },
  RequestAuthentication: {
    group: 'security.istio.io',
    versions: SECURITY_VERSIONS,
    spec: requestAuthenticationSpecSchema,
    build(spec, meta, emit) {
      const s = spec as RequestAuthenticationSpec;
      validateRequestAuthenticationSpec(s, emit);
      return { kind: 'RequestAuthentication', meta, spec: s };
    },
  },
};

// ---- Scenario: declared JWTs (RequestAuthentication without crypto) -----------------------------

/** `spec.tokens` of a scenario: token text → what the JWT says. */
export const tokensSchema = z
  .record(
    z.string().min(1),
    z.strictObject({
      issuer: z.string().min(1).meta({ description: 'iss claim, e.g. testing@secure.istio.io.' }),
      subject: z.string().min(1).meta({ description: 'sub claim.' }),
      claims: z.record(z.string(), z.unknown()).optional().meta({ description: 'Other claims (aud, groups, …), usable in AuthorizationPolicy when conditions.' }),
      expiresAt: z.string().optional().meta({ description: 'Simulated time the token expires, e.g. "5s" (a 60s clock skew applies); omitted = never.' }),
    }),
  )
  .meta({
    description:
      'JWTs clients present, by token text: a request carries one as "Authorization: Bearer <text>" (or ?access_token=<text>). Any other token text fails verification (401) where a RequestAuthentication applies.',
  });

export interface ResolvedToken {
  issuer: string;
  subject: string;
  claims: Record<string, unknown>;
  expiresAtUs: number | null;
}

/** Resolves `spec.tokens`; `durationUs` parses "5s" (null when invalid, reported by `problem`). */
export function resolveTokens(
  raw: z.infer<typeof tokensSchema> | undefined,
  durationUs: (text: string) => number | null,
  problem: (token: string, message: string) => void,
): Map<string, ResolvedToken> | null {
  if (!raw) return null;
  const out = new Map<string, ResolvedToken>();
  for (const name of Object.keys(raw).sort()) {
    const t = raw[name];
    let expiresAtUs: number | null = null;
    if (t.expiresAt !== undefined) {
      expiresAtUs = durationUs(t.expiresAt);
      if (expiresAtUs === null) problem(name, `expiresAt '${t.expiresAt}' is not a duration such as "5s"`);
    }
    out.set(name, { issuer: t.issuer, subject: t.subject, claims: t.claims ?? {}, expiresAtUs });
  }
  return out;
}
