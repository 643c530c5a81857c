// Character sets as sorted, disjoint, non-adjacent inclusive code point
// ranges packed into an Int32Array: [lo0, hi0, lo1, hi1, ...].
// Every RE2 class construct ([a-z], \d, [[:alpha:]], \pL, a case-folded
// literal, `.`) is reduced to one of these at parse time, so the compiler
// and the matchers only ever see one representation.

import { foldOrbitsInRange } from './casefold.ts';

export type CharSet = Int32Array;

export const MAX_RUNE = 0x10ffff;

/** Normalises a list of [lo, hi] pairs (any order, overlapping) into a CharSet. */
export function setFromPairs(pairs: number[]): CharSet {
  const n = pairs.length >> 1;
  if (n === 0) return new Int32Array(0);
  const idx: number[] = [];
  for (let i = 0; i < n; i++) idx.push(i);
  idx.sort((a, b) => pairs[2 * a] - pairs[2 * b]);
  const out: number[] = [];
  for (const i of idx) {
    const lo = pairs[2 * i];
    const hi = pairs[2 * i + 1];
    const last = out.length - 1;
    // Merge overlapping *and* adjacent ranges so that equal sets have equal encodings.
    if (last > 0 && lo <= out[last] + 1) {
      if (hi > out[last]) out[last] = hi;
    } else {
      out.push(lo, hi);
    }
  }
  return Int32Array.from(out);
}

export function setOf(...ranges: Array<[number, number]>): CharSet {
  const pairs: number[] = [];
  for (const [lo, hi] of ranges) pairs.push(lo, hi);
  return setFromPairs(pairs);
}

export function union(a: CharSet, b: CharSet): CharSet {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  return setFromPairs([...a, ...b]);
}

/** Complement within [0, MAX_RUNE]. */
export function negate(a: CharSet): CharSet {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < a.length; i += 2) {
    if (a[i] > next) out.push(next, a[i] - 1);
    next = a[i + 1] + 1;
  }
  if (next <= MAX_RUNE) out.push(next, MAX_RUNE);
  return Int32Array.from(out);
}

export function contains(a: CharSet, c: number): boolean {
  // Binary search over range starts.
  let lo = 0;
  let hi = (a.length >> 1) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (c < a[2 * mid]) hi = mid - 1;
    else if (c > a[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Number of code points in the set (used to detect single-literal classes). */
export function size(a: CharSet): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 2) n += a[i + 1] - a[i] + 1;
  return n;
}

/**
 * Adds every case-fold equivalent of every member, like RE2's AddFoldedRange.
 * RE2 folds *before* negating a class, so callers fold the positive set and
 * negate afterwards (see parser.ts).
 */
export function foldSet(a: CharSet): CharSet {
  const extra: number[] = [];
  for (let i = 0; i < a.length; i += 2) foldOrbitsInRange(a[i], a[i + 1], extra);
  if (extra.length === 0) return a;
  return union(a, setFromPairs(extra));
}

// ---------------------------------------------------------------------------
// Named classes. RE2's Perl and POSIX classes are ASCII-only (unlike JS \s).

const D: Array<[number, number]> = [[0x30, 0x39]];
// RE2's \s is [\t\n\f\r ]: it does NOT include \v (JS's \s does, plus Unicode spaces).
const S: Array<[number, number]> = [[0x09, 0x0a], [0x0c, 0x0d], [0x20, 0x20]];
const W: Array<[number, number]> = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];

export const PERL_CLASSES: Record<string, Array<[number, number]>> = { d: D, s: S, w: W };

export const POSIX_CLASSES: Record<string, Array<[number, number]>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]],
  alpha: [[0x41, 0x5a], [0x61, 0x7a]],
  ascii: [[0x00, 0x7f]],
  blank: [[0x09, 0x09], [0x20, 0x20]],
  cntrl: [[0x00, 0x1f], [0x7f, 0x7f]],
  digit: [[0x30, 0x39]],
  graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]],
  print: [[0x20, 0x7e]],
  punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  // POSIX [[:space:]] *does* include \v, unlike \s.
  space: [[0x09, 0x0d], [0x20, 0x20]],
  upper: [[0x41, 0x5a]],
  word: W,
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};

/** ASCII word character, the definition RE2 uses for \w and \b. */
export function isWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

// ---------------------------------------------------------------------------
// Compiled form used by the matchers: an ASCII bitmap answers the common case
// without a search; everything else falls back to binary search on ranges.

export interface ClassMatcher {
  readonly ascii: Uint32Array; // 4 x 32 bits for code points 0..127
  readonly ranges: CharSet;
}

export function toMatcher(set: CharSet): ClassMatcher {
  const ascii = new Uint32Array(4);
  for (let i = 0; i < set.length && set[i] < 128; i += 2) {
    const hi = Math.min(set[i + 1], 127);
    for (let c = set[i]; c <= hi; c++) ascii[c >> 5] |= 1 << (c & 31);
  }
  return { ascii, ranges: set };
}

export function matcherHas(m: ClassMatcher, c: number): boolean {
  if (c < 128) return (m.ascii[c >> 5] & (1 << (c & 31))) !== 0;
  return contains(m.ranges, c);
}
