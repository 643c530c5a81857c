/**
 * Istio StringMatch → a precompiled matcher (istio-semantics.md §1.5). Regexes go through the RE2
 * engine with Envoy's full-match semantics; nothing here builds a regex per request.
 */
import type { StringMatch } from '../config/istio-types.ts';
import { compileRe2, describeRe2Difference, type Re2 } from './re2/index.ts';

export const enum MatchKind {
  Exact = 0,
  Prefix = 1,
  Regex = 2,
  /** Header/query parameter must be present, any value (`{}` or regex `*`). */
  Present = 3,
}

export interface StringMatcher {
  readonly kind: MatchKind;
  readonly value: string;
  readonly regex: Re2 | null;
  /** ASCII case-insensitive exact/prefix (ignoreUriCase; never applies to regex). */
  readonly ignoreCase: boolean;
}

export type StringMatchCompile =
  | { ok: true; matcher: StringMatcher; jsNote: string | null }
  | { ok: false; error: string };

/**
 * `allowPresent`: headers and query parameters turn `{}` and regex `*` into a presence check
 * (istio route.go canBeConvertedToPresentMatch); uri/method/authority/scheme do not.
 */
export function compileStringMatch(m: StringMatch, allowPresent: boolean, ignoreCase = false): StringMatchCompile {
  if (m.exact !== undefined) return { ok: true, matcher: { kind: MatchKind.Exact, value: m.exact, regex: null, ignoreCase }, jsNote: null };
  if (m.prefix !== undefined) return { ok: true, matcher: { kind: MatchKind.Prefix, value: m.prefix, regex: null, ignoreCase }, jsNote: null };
  if (m.regex !== undefined) {
    if (allowPresent && m.regex === '*') return { ok: true, matcher: PRESENT, jsNote: null };
    const r = compileRe2(m.regex);
    if (!r.ok) return { ok: false, error: `regex "${m.regex}" is not valid RE2 (offset ${r.offset}): ${r.error}` };
    return { ok: true, matcher: { kind: MatchKind.Regex, value: m.regex, regex: r.regex, ignoreCase: false }, jsNote: describeRe2Difference(m.regex) };
  }
  if (allowPresent) return { ok: true, matcher: PRESENT, jsNote: null };
  return { ok: false, error: 'a string match must set one of exact, prefix or regex' };
}

export const PRESENT: StringMatcher = { kind: MatchKind.Present, value: '', regex: null, ignoreCase: false };

/** Does `s` satisfy the matcher? Regexes must match the whole string (Envoy safe_regex). */
export function matchString(m: StringMatcher, s: string): boolean {
  switch (m.kind) {
    case MatchKind.Exact:
      return m.ignoreCase ? equalsIgnoreAsciiCase(s, m.value) : s === m.value;
    case MatchKind.Prefix:
      return m.ignoreCase ? startsWithIgnoreAsciiCase(s, m.value) : s.startsWith(m.value);
    case MatchKind.Regex:
      return m.regex!.fullMatch(s);
    case MatchKind.Present:
      return true;
  }
}

function lowerAscii(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Envoy ignore_case compares ASCII letters only (absl::EqualsIgnoreCase); no allocation. */
export function equalsIgnoreAsciiCase(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (lowerAscii(a.charCodeAt(i)) !== lowerAscii(b.charCodeAt(i))) return false;
  return true;
}

export function startsWithIgnoreAsciiCase(s: string, prefix: string): boolean {
  if (s.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (lowerAscii(s.charCodeAt(i)) !== lowerAscii(prefix.charCodeAt(i))) return false;
  return true;
}

/** Human form for explanations: `exact "jason"`, `prefix "/api"`, `regex "v[0-9]+"`, `present`. */
export function describeMatcher(m: StringMatcher): string {
  const ic = m.ignoreCase ? ' (ignore case)' : '';
  switch (m.kind) {
    case MatchKind.Exact:
      return `exact ${JSON.stringify(m.value)}${ic}`;
    case MatchKind.Prefix:
      return `prefix ${JSON.stringify(m.value)}${ic}`;
    case MatchKind.Regex:
      return `regex ${JSON.stringify(m.value)}`;
    case MatchKind.Present:
      return 'present';
  }
}
