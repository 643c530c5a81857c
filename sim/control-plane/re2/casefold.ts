// Case folding for (?i), approximating RE2's Unicode simple case folding.
//
// RE2 ships generated orbit tables (k -> K -> U+212A KELVIN SIGN -> k). We do
// not want to vendor those tables, so we derive the same equivalence classes
// from the JS engine's own single-code-point toLowerCase/toUpperCase mappings
// (union-find over 0..0x1FFFF, where every cased script lives). Differences
// from CaseFolding.txt are patched explicitly below. The table is built
// lazily (~40 ms once) and only when a case-insensitive pattern touches a
// non-ASCII character; pure-ASCII patterns use the small fast path.

const SCAN_LIMIT = 0x20000;

// Mappings the JS engine has but Unicode simple case folding (C+S) does not:
// Turkish dotless i maps to 'I' under toUpperCase, yet RE2 keeps it separate.
const EXCLUDED = new Set<number>([0x0130, 0x0131]);

let cased: Int32Array | null = null; // sorted code points with a non-trivial orbit
let orbitIndex: Int32Array | null = null; // cased[i] -> start offset in orbitData
let orbitData: Int32Array | null = null; // orbits, each prefixed by its length

function singleCodePoint(s: string): number {
  const c = s.codePointAt(0) ?? -1;
  return s.length === (c > 0xffff ? 2 : 1) ? c : -1;
}

function build(): void {
  const parent = new Int32Array(SCAN_LIMIT);
  for (let i = 0; i < SCAN_LIMIT; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  const link = (a: number, b: number): void => {
    if (b < 0 || b >= SCAN_LIMIT || EXCLUDED.has(b)) return;
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[ra] = rb;
  };
  for (let cp = 0; cp < SCAN_LIMIT; cp++) {
    if ((cp >= 0xd800 && cp <= 0xdfff) || EXCLUDED.has(cp)) continue;
    const s = String.fromCodePoint(cp);
    const lower = s.toLowerCase();
    if (lower !== s) link(cp, singleCodePoint(lower));
    const upper = s.toUpperCase();
    if (upper !== s) link(cp, singleCodePoint(upper));
  }
  const groups = new Map<number, number[]>();
  for (let cp = 0; cp < SCAN_LIMIT; cp++) {
    const r = find(cp);
    let g = groups.get(r);
    if (!g) {
      if (r === cp) continue; // singleton so far; created lazily when a member shows up
      g = [r];
      groups.set(r, g);
    }
    if (cp !== r) g.push(cp);
  }
  const members: number[] = [];
  const offsets = new Map<number, number>();
  const data: number[] = [];
  for (const g of groups.values()) {
    g.sort((a, b) => a - b);
    const off = data.length;
    data.push(g.length, ...g);
    for (const cp of g) {
      members.push(cp);
      offsets.set(cp, off);
    }
  }
  members.sort((a, b) => a - b);
  cased = Int32Array.from(members);
  orbitIndex = Int32Array.from(members, (cp) => offsets.get(cp) ?? 0);
  orbitData = Int32Array.from(data);
}

/** Lower bound: first index i with arr[i] >= x. */
function lowerBound(arr: Int32Array, x: number): number {
  let lo = 0;
  let hi = arr.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (arr[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Appends [lo, hi] pairs for every code point that is case-equivalent to
 * some member of [lo, hi] (the members themselves are not repeated).
 */
export function foldOrbitsInRange(lo: number, hi: number, out: number[]): void {
  if (hi < 0x80) {
    // ASCII fast path. 'k' and 's' have non-ASCII partners in Unicode folding:
    // U+212A KELVIN SIGN and U+017F LATIN SMALL LETTER LONG S.
    for (let c = Math.max(lo, 0x41); c <= hi; c++) {
      const l = c | 0x20;
      if (l < 0x61 || l > 0x7a) continue;
      const other = c ^ 0x20;
      out.push(other, other);
      if (l === 0x6b) out.push(0x212a, 0x212a);
      else if (l === 0x73) out.push(0x017f, 0x017f);
    }
    return;
  }
  if (cased === null) build();
  const cs = cased as Int32Array;
  const idx = orbitIndex as Int32Array;
  const data = orbitData as Int32Array;
  for (let i = lowerBound(cs, lo); i < cs.length && cs[i] <= hi; i++) {
    const off = idx[i];
    const n = data[off];
    for (let k = 1; k <= n; k++) out.push(data[off + k], data[off + k]);
  }
}

/** All case-equivalents of c including c itself (used for literals). */
export function orbitOf(c: number): number[] {
  const out: number[] = [];
  foldOrbitsInRange(c, c, out);
  const set = new Set<number>([c]);
  for (let i = 0; i < out.length; i += 2) set.add(out[i]);
  return [...set].sort((a, b) => a - b);
}
