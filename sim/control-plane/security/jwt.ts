/**
 * RequestAuthentication without cryptography (istio-semantics.md §5.3). A scenario declares the
 * tokens its clients present (`tokens:` — name → issuer, subject, claims, expiry); a request
 * carries a token by name where Envoy's jwt_authn looks (default `Authorization: Bearer <token>`
 * or `?access_token=<token>`; `fromHeaders`/`fromParams` replace the defaults).
 * - no token ⇒ passes with no request principal;
 * - a token that is not declared (a forged or garbled JWT), from an issuer no rule names, with a
 *   wrong audience, or expired beyond the 60 s clock skew ⇒ 401;
 * - otherwise `request.auth.principal` = "<iss>/<sub>" and the claims are visible to
 *   AuthorizationPolicy `when` conditions.
 */
import type { RequestHead } from '../types.ts';
import type { WorkloadJwt } from './index.ts';

export interface DeclaredToken {
  issuer: string;
  subject: string;
  /** Extra claims (aud, groups, …). */
  claims: Readonly<Record<string, unknown>>;
  /** Simulated time after which the token is expired; null = never. */
  expiresAtUs: number | null;
}

export type TokenTable = ReadonlyMap<string, DeclaredToken>;

export type JwtOutcome =
  | { kind: 'none' }
  | { kind: 'valid'; principal: string; claims: Readonly<Record<string, unknown>> }
  | { kind: 'invalid'; reason: string };

/** Envoy jwt_authn's default clock skew (istio-semantics.md §6.4, unconfirmed value). */
export const JWT_CLOCK_SKEW_US = 60_000_000;

const NONE: JwtOutcome = { kind: 'none' };

function tokenFrom(jwt: WorkloadJwt, head: RequestHead): string | null {
  for (const rule of jwt.rules) {
    const headers = rule.fromHeaders ?? [{ name: 'authorization', prefix: 'Bearer ' }];
    for (const h of headers) {
      const v = head.headers.get(h.name.toLowerCase());
      if (v === undefined) continue;
      const prefix = h.prefix ?? '';
      if (prefix === '' || v.startsWith(prefix)) return v.slice(prefix.length).trim();
      // Envoy: a header present without the expected prefix is no token from this location.
    }
    const params = rule.fromParams ?? (rule.fromHeaders ? [] : ['access_token']);
    if (head.query !== '' && params.length > 0) {
      for (const kv of head.query.split('&')) {
        const eq = kv.indexOf('=');
        const k = eq < 0 ? kv : kv.slice(0, eq);
        if (params.includes(k)) return eq < 0 ? '' : kv.slice(eq + 1);
      }
    }
  }
  return null;
}

export function authenticateJwt(jwt: WorkloadJwt, head: RequestHead, tokens: TokenTable | null, nowUs: number): JwtOutcome {
  const raw = tokenFrom(jwt, head);
  if (raw === null) return NONE;
  const t = tokens?.get(raw);
  if (!t) return { kind: 'invalid', reason: 'Jwt verification fails' };
  const rule = jwt.rules.find((r) => r.issuer === t.issuer);
  if (!rule) return { kind: 'invalid', reason: 'Jwt issuer is not configured' };
  if (t.expiresAtUs !== null && nowUs > t.expiresAtUs + JWT_CLOCK_SKEW_US) return { kind: 'invalid', reason: 'Jwt is expired' };
  if (rule.audiences && rule.audiences.length > 0) {
    const aud = t.claims.aud;
    const auds = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.map(String) : [];
    if (!auds.some((a) => rule.audiences!.includes(a))) return { kind: 'invalid', reason: 'Audiences in Jwt are not allowed' };
  }
  return { kind: 'valid', principal: `${t.issuer}/${t.subject}`, claims: { ...t.claims, iss: t.issuer, sub: t.subject } };
}
