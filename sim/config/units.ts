/**
 * Small value parsers for scenario fields: rates, percentages, comparisons, URLs, and the
 * input hash. Each returns a result instead of throwing so the caller can attach a position.
 */
import type { Comparison, ParsedUrl } from './types.ts';

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = <T>(error: string): Parsed<T> => ({ ok: false, error });

/** Highest open-loop rate one traffic entry may ask for. */
export const MAX_RATE_PER_SEC = 1_000_000;

// Exponents ("1e9/s") are accepted so that an absurd rate gets the limit message, not a syntax one.
const RATE = /^\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\.\d+)(?:\s*\/\s*(s|sec|m|min|h))?\s*$/;

/** "20/s", "30/m" or "30/min" (per minute), "3600/h", or a plain number per second → requests per second. */
export function parseRate(input: unknown): Parsed<number> {
  let perSec: number;
  if (typeof input === 'number') {
    perSec = input;
  } else if (typeof input === 'string') {
    const text = input.trim();
    if (text.startsWith('-')) return fail(`rate "${input}" is negative; a rate must be > 0, e.g. "20/s"`);
    const m = RATE.exec(text);
    if (!m) return fail(`"${input}" is not a rate; write requests per time unit, e.g. "20/s", "600/m", or a number per second`);
    const n = Number(m[1]);
    const unit = m[2] ?? 's';
    perSec = unit === 'm' || unit === 'min' ? n / 60 : unit === 'h' ? n / 3600 : n;
  } else {
    return fail('expected a rate such as "20/s" or a number per second');
  }
  if (!Number.isFinite(perSec)) return fail(`rate ${String(input)} is not finite`);
  if (perSec <= 0) {
    return fail(`rate ${String(input)} must be > 0 (use "0.5/s" or "30/m" for slow traffic, or remove the traffic entry)`);
  }
  if (perSec > MAX_RATE_PER_SEC) {
    return fail(`rate ${String(input)} is above the limit of ${MAX_RATE_PER_SEC}/s; split it into several traffic entries or lower it`);
  }
  return ok(perSec);
}

const PERCENT = /^\s*(-?\d+(?:\.\d+)?|-?\.\d+)\s*%\s*$/;

/** "10%" or 0.1 → 0.1. Numbers are fractions in [0, 1]; strings must end in '%'. */
export function parsePercent(input: unknown): Parsed<number> {
  let f: number;
  if (typeof input === 'number') {
    if (input > 1 && input <= 100) return fail(`${input} is ambiguous: write "${input}%" for a percentage or ${input / 100} for a fraction`);
    f = input;
  } else if (typeof input === 'string') {
    const m = PERCENT.exec(input);
    if (!m) {
      const asNumber = Number(input.trim());
      if (input.trim() !== '' && Number.isFinite(asNumber)) return parsePercent(asNumber);
      return fail(`"${input}" is not a percentage; write e.g. "10%" or 0.1`);
    }
    f = Number(m[1]) / 100;
  } else {
    return fail('expected a percentage such as "10%" or a fraction such as 0.1');
  }
  if (!Number.isFinite(f) || f < 0 || f > 1) return fail(`${String(input)} is outside 0%–100%`);
  // "33.3%" → 0.333, not 0.33299999999999996.
  return ok(Math.round(f * 1e12) / 1e12);
}

const COMPARISON = /^\s*(<=|>=|==|<|>)\s*(\S(?:.*\S)?)\s*$/;

/** "< 100ms" → { op: '<', rest: '100ms' }. */
export function parseComparison(input: unknown): Parsed<{ op: Comparison; rest: string }> {
  if (typeof input !== 'string') return fail('expected a comparison such as "< 100ms" (operators: < <= > >= ==)');
  const m = COMPARISON.exec(input);
  if (!m) return fail(`"${input}" is not a comparison; write an operator and a value, e.g. "< 100ms", ">= 99%", "== 0" (operators: < <= > >= ==)`);
  return ok({ op: m[1] as Comparison, rest: m[2] });
}

/** A whole, non-negative count ("0", "1000"). */
export function parseCount(input: string): Parsed<number> {
  const t = input.trim();
  if (!/^\d+$/.test(t)) return fail(`"${input}" is not a whole count`);
  const n = Number(t);
  return Number.isSafeInteger(n) ? ok(n) : fail(`"${input}" is too large`);
}

const URL_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/;

/** "http://reviews:9080/reviews/0?x=1" → ParsedUrl. Only http and https. */
export function parseUrl(input: unknown): Parsed<ParsedUrl> {
  if (typeof input !== 'string') return fail('expected a URL such as "http://reviews:9080/reviews/0"');
  const m = URL_RE.exec(input.trim());
  if (!m) return fail(`"${input}" is not a URL; write scheme, host and path, e.g. "http://reviews:9080/reviews/0"`);
  const scheme = m[1].toLowerCase();
  if (scheme !== 'http' && scheme !== 'https') return fail(`URL scheme "${m[1]}" is not supported; use http:// or https://`);
  let authority = m[2];
  if (authority.includes('@')) return fail(`URL "${input}" has user info; remove the "user@" part`);
  if (authority === '') return fail(`URL "${input}" has no host`);
  let port = scheme === 'https' ? 443 : 80;
  let host = authority;
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end < 0) return fail(`URL "${input}" has an unclosed IPv6 address`);
    host = authority.slice(0, end + 1);
    authority = authority.slice(end + 1);
    if (authority.startsWith(':')) {
      const p = parsePort(authority.slice(1));
      if (!p.ok) return fail(`URL "${input}": ${p.error}`);
      port = p.value;
    } else if (authority !== '') return fail(`URL "${input}" has a malformed host`);
  } else {
    const colon = authority.lastIndexOf(':');
    if (colon >= 0) {
      const p = parsePort(authority.slice(colon + 1));
      if (!p.ok) return fail(`URL "${input}": ${p.error}`);
      port = p.value;
      host = authority.slice(0, colon);
    }
    if (host === '') return fail(`URL "${input}" has no host`);
    if (!/^[A-Za-z0-9.-]+$/.test(host)) return fail(`URL "${input}" has an invalid host "${host}"`);
    host = host.toLowerCase();
  }
  return ok({ scheme, host, port, path: m[3] === '' ? '/' : m[3], query: m[4] ?? '' });
}

function parsePort(text: string): Parsed<number> {
  if (!/^\d{1,5}$/.test(text)) return fail(`port "${text}" is not a number`);
  const n = Number(text);
  if (n < 1 || n > 65535) return fail(`port ${n} is outside 1–65535`);
  return ok(n);
}

/** Istio version "1.28" or "1.22.3" → [1, 28]. */
export function parseIstioVersion(input: string): [number, number] | null {
  const m = /^\s*v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?\s*$/.exec(input);
  if (!m) return null;
  return [Number(m[1]), Number(m[2])];
}

// ---- input hash ----------------------------------------------------------------------------

/**
 * FNV-1a, 64 bit, over UTF-8 bytes, computed with two 32-bit halves (no BigInt on the hot loop).
 * `addText` also appends a 0xFF byte (never part of UTF-8) so file boundaries count.
 */
export class Fnv1a64 {
  private hi = 0xcbf29ce4;
  private lo = 0x84222325;

  private byte(b: number): void {
    const lo = (this.lo ^ b) >>> 0;
    // h * 0x100000001b3 = h * 0x1b3 + (h << 40), modulo 2^64.
    const p = lo * 0x1b3;
    const carry = Math.floor(p / 0x100000000);
    this.lo = p >>> 0;
    this.hi = (Math.imul(this.hi, 0x1b3) + carry + ((lo << 8) >>> 0)) >>> 0;
  }

  addBytesOfString(text: string): this {
    for (let i = 0; i < text.length; i++) {
      let c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          i++;
        }
      }
      if (c < 0x80) this.byte(c);
      else if (c < 0x800) {
        this.byte(0xc0 | (c >> 6));
        this.byte(0x80 | (c & 63));
      } else if (c < 0x10000) {
        this.byte(0xe0 | (c >> 12));
        this.byte(0x80 | ((c >> 6) & 63));
        this.byte(0x80 | (c & 63));
      } else {
        this.byte(0xf0 | (c >> 18));
        this.byte(0x80 | ((c >> 12) & 63));
        this.byte(0x80 | ((c >> 6) & 63));
        this.byte(0x80 | (c & 63));
      }
    }
    return this;
  }

  addText(text: string): this {
    this.addBytesOfString(text);
    this.byte(0xff);
    return this;
  }

  hex(): string {
    return this.hi.toString(16).padStart(8, '0') + this.lo.toString(16).padStart(8, '0');
  }
}

/** FNV-1a 64 of one string's UTF-8 bytes, hex. */
export function fnv1a64(text: string): string {
  return new Fnv1a64().addBytesOfString(text).hex();
}
