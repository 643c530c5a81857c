// Unicode classes for \pL, \p{Lu}, \p{Greek}, \PL, \p{^Greek}.
//
// RE2 accepts exactly: one- and two-letter general categories, script names
// (in their long Unicode form, e.g. "Greek", "Old_Italic") and "Any". We
// derive the code point ranges from the JS engine's own Unicode tables
// (\p{...} with the u flag) instead of vendoring RE2's, scanning every code
// point once per class name and caching the result. The JS engine's Unicode
// version may differ slightly from the one Envoy's RE2 was built with.

import type { CharSet } from './charclass.ts';
import { MAX_RUNE, setFromPairs } from './charclass.ts';

// RE2's general categories (unicode_groups.cc). Note RE2 has no "LC"/"L&"
// and no long names such as "Letter"; JS accepts those, so we must filter.
const CATEGORIES = new Set([
  'C', 'Cc', 'Cf', 'Co', 'Cs',
  'L', 'Ll', 'Lm', 'Lo', 'Lt', 'Lu',
  'M', 'Mc', 'Me', 'Mn',
  'N', 'Nd', 'Nl', 'No',
  'P', 'Pc', 'Pd', 'Pe', 'Pf', 'Pi', 'Po', 'Ps',
  'S', 'Sc', 'Sk', 'Sm', 'So',
  'Z', 'Zl', 'Zp', 'Zs',
]);

// JS also accepts ISO 15924 four-letter aliases (Grek, Latn, Zyyy...); RE2
// only knows the long names. These are the long names that happen to be
// four letters long, so any other four-letter name is an alias RE2 rejects.
const FOUR_LETTER_SCRIPTS = new Set(['Cham', 'Kawi', 'Lisu', 'Modi', 'Newa', 'Thai', 'Toto']);

const cache = new Map<string, CharSet>();
let allText: string | null = null;

/** Every non-surrogate code point, in order, as one string to scan with matchAll. */
function everyCodePoint(): string {
  if (allText !== null) return allText;
  const parts: string[] = [];
  const chunk: number[] = [];
  for (let cp = 0; cp <= MAX_RUNE; cp++) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    chunk.push(cp);
    if (chunk.length === 4096) {
      parts.push(String.fromCodePoint(...chunk));
      chunk.length = 0;
    }
  }
  if (chunk.length > 0) parts.push(String.fromCodePoint(...chunk));
  allText = parts.join('');
  return allText;
}

function jsPropertySource(name: string): string | null {
  if (name === 'Any') return null;
  if (CATEGORIES.has(name)) return `\\p{gc=${name}}`;
  if (!/^[A-Z][A-Za-z]*(?:_[A-Za-z]+)*$/.test(name)) return '';
  if (name.length === 4 && !FOUR_LETTER_SCRIPTS.has(name)) return '';
  return `\\p{Script=${name}}`;
}

function lastCodePoint(s: string): number {
  const low = s.charCodeAt(s.length - 1);
  if (s.length >= 2 && low >= 0xdc00 && low <= 0xdfff) {
    const high = s.charCodeAt(s.length - 2);
    if (high >= 0xd800 && high <= 0xdbff) return (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
  }
  return low;
}

/**
 * Ranges for a RE2 Unicode class name, or null if RE2 does not know the name.
 * Computed on first use (one scan of all code points), then cached.
 */
export function unicodeClass(name: string): CharSet | null {
  const hit = cache.get(name);
  if (hit) return hit;
  const src = jsPropertySource(name);
  let set: CharSet;
  if (src === null) {
    set = setFromPairs([0, MAX_RUNE]);
  } else if (src === '') {
    return null;
  } else {
    let re: RegExp;
    try {
      re = new RegExp(`${src}+`, 'gu');
    } catch {
      return null; // not a script name the engine knows
    }
    const pairs: number[] = [];
    const text = everyCodePoint();
    for (const m of text.matchAll(re)) {
      const s = m[0];
      const first = s.codePointAt(0) as number;
      pairs.push(first, lastCodePoint(s));
    }
    // Surrogates are absent from the scan text; only Cs/C contain them.
    if (name === 'Cs' || name === 'C') pairs.push(0xd800, 0xdfff);
    set = setFromPairs(pairs);
  }
  cache.set(name, set);
  return set;
}
