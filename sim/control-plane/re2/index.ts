// RE2 regular expressions with Envoy's semantics, in linear time.
//
// Istio's `regex` StringMatch, uriRegexRewrite and AuthorizationPolicy
// regexes are RE2 syntax, applied by Envoy as a FULL match (anchored at both
// ends). JS RegExp differs in syntax and can backtrack exponentially, so
// meshsim parses RE2 itself (parser.ts), compiles to an NFA (compile.ts) and
// answers with a lazy DFA (dfa.ts) or, when captures are needed, a bounded
// backtracker for short inputs (bitstate.ts) or a Pike VM (vm.ts). All three
// are O(input × pattern). Compile once per route; matching then allocates
// nothing per character.
//
// Strings are JS strings: positions are UTF-16 code units, but matching
// steps by code point (a surrogate pair is one character for `.` and
// classes), which matches RE2 on the UTF-8 encoding of the same text. A lone
// surrogate in the input is treated as a character of its own.
//
// Known differences from libre2 (checked by differential runs against it):
// - \C (any *byte*) is rejected: it cannot be expressed on characters.
// - RE2 searches bytes, so in unanchored search / replaceAll an empty \B
//   match can occur between the UTF-8 bytes of one non-ASCII character;
//   here positions are characters, so it cannot. Full matches are unaffected.
// - Which match wins can differ in pathological nested empty loops with
//   captures, e.g. ()(?:|a()*)* (RE2's flattened program resolves those
//   priorities statically). Yes/no answers are never affected.
// - Unicode case folding and \p classes come from the JS engine's Unicode
//   data (see casefold.ts, unicode.ts), whose version may differ slightly.
// - RE2's "program size" (Envoy's re2.max_program_size limit) is not computed.

import type { ParsedPattern } from './ast.ts';
import type { Program } from './compile.ts';
import { compileProgram, literalPrefix, literalString } from './compile.ts';
import { LazyDfa } from './dfa.ts';
import { parseRe2, Re2SyntaxError } from './parser.ts';
import { checkRewrite, expandRewrite, maxSubmatch } from './rewrite.ts';
import { pikeVm } from './vm.ts';
import { bitState, canUseBitState } from './bitstate.ts';

export { describeRe2Difference } from './describe.ts';
export { counters as re2DebugCounters, resetCounters as resetRe2DebugCounters } from './counters.ts';
export type { Re2Counters } from './counters.ts';
export { MAX_REPEAT } from './parser.ts';

export interface Re2Options {
  /** Same as a leading (?i) — how Istio expresses case-insensitive regex matches. */
  caseInsensitive?: boolean;
}

export type Re2Result = { ok: true; regex: Re2 } | { ok: false; error: string; offset: number };

export class Re2 {
  readonly pattern: string;
  /** Number of capture groups (not counting group 0). */
  readonly groupCount: number;
  /** groupNames[i] is the (?P<name>) of group i, if any; index 0 is the whole match. */
  readonly groupNames: ReadonlyArray<string | undefined>;

  private readonly prog: Program;
  private readonly literal: string | null; // whole pattern is this plain text
  private readonly prefix: string; // every full match starts with this
  private readonly slots: Int32Array;
  private fullDfa: LazyDfa | null = null;
  private searchDfa: LazyDfa | null = null;

  /** Use compileRe2(); the constructor assumes a successfully parsed pattern. */
  constructor(pattern: string, parsed: ParsedPattern) {
    this.pattern = pattern;
    this.groupCount = parsed.groupCount;
    this.groupNames = parsed.groupNames;
    this.prog = compileProgram(parsed.root, parsed.groupCount);
    this.literal = literalString(parsed.root);
    this.prefix = literalPrefix(parsed.root);
    this.slots = new Int32Array(this.prog.slotCount);
  }

  /** Envoy safe_regex semantics: does the regex match the WHOLE input? */
  fullMatch(input: string): boolean {
    if (this.literal !== null) return input === this.literal;
    if (this.prefix.length > 0 && !input.startsWith(this.prefix)) return false;
    this.fullDfa ??= new LazyDfa(this.prog, false);
    return this.fullDfa.run(input, 0);
  }

  /** Does the regex match anywhere in the input (unanchored)? */
  search(input: string): boolean {
    if (this.literal !== null) return input.includes(this.literal);
    this.searchDfa ??= new LazyDfa(this.prog, true);
    return this.searchDfa.run(input, 0);
  }

  /**
   * Full-match capture groups: [whole, group1, ...], or null if the input
   * does not match as a whole. A group that did not take part is "" (as RE2
   * reports it to Envoy).
   */
  exec(input: string): string[] | null {
    if (!this.fullMatch(input)) return null;
    if (this.literal !== null) return [input];
    if (!this.captures(input, 0, true, true)) return null;
    const out: string[] = [];
    for (let g = 0; g <= this.groupCount; g++) {
      const s = this.slots[2 * g];
      const e = this.slots[2 * g + 1];
      out.push(s >= 0 && e >= 0 ? input.slice(s, e) : '');
    }
    return out;
  }

  /**
   * Envoy regex_match_and_substitute / Istio uriRegexRewrite: replaces every
   * non-overlapping leftmost-first match (RE2::GlobalReplace). In the
   * rewrite, \0 is the whole match, \1..\9 capture groups, \\ a backslash.
   */
  replaceAll(input: string, rewrite: string): string {
    // A rewrite naming a missing group makes GlobalReplace replace nothing.
    if (maxSubmatch(rewrite) > this.groupCount) return input;
    // Cheap rejection via the DFA before running the capture-tracking VM.
    if (!this.search(input)) return input;
    const slots = this.slots;
    const n = input.length;
    let out = '';
    let p = 0;
    let lastEnd = -1;
    let count = 0;
    while (p <= n) {
      if (!this.captures(input, p, false, false)) break;
      const ms = slots[0];
      const me = slots[1];
      if (p < ms) out += input.slice(p, ms);
      if (ms === me && ms === lastEnd) {
        // Empty match right where the previous match ended: copy one character and move on.
        const w = p + 1 < n && isHighSurrogate(input.charCodeAt(p)) && isLowSurrogate(input.charCodeAt(p + 1)) ? 2 : 1;
        if (p < n) out += input.slice(p, p + w);
        p += w;
        continue;
      }
      out += expandRewrite(rewrite, input, slots);
      p = me;
      lastEnd = me;
      count++;
    }
    if (count === 0) return input;
    if (p < n) out += input.slice(p);
    return out;
  }

  /** Leftmost-first match with capture slots (into this.slots). */
  private captures(input: string, start: number, anchorStart: boolean, anchorEnd: boolean): boolean {
    if (canUseBitState(this.prog, input.length - start)) {
      return bitState(this.prog, input, start, anchorStart, anchorEnd, this.slots);
    }
    return pikeVm(this.prog, input, start, anchorStart, anchorEnd, this.slots);
  }

  /** Problem RE2 would have applying this rewrite with this regex, or null if none. */
  checkRewrite(rewrite: string): string | null {
    return checkRewrite(rewrite, this.groupCount);
  }

  /**
   * Cross-checking hooks for tests: the same question answered by one
   * specific engine ('dfa' | 'pike' | 'bitstate'), bypassing fast paths.
   * Returns capture slots (code unit offsets, -1 = unset) or null.
   */
  debugMatch(engine: 'dfa' | 'pike' | 'bitstate', input: string, anchored: boolean): number[] | null {
    const slots = new Int32Array(this.prog.slotCount);
    if (engine === 'dfa') {
      const ok = new LazyDfa(this.prog, !anchored).run(input, 0);
      return ok ? [] : null;
    }
    const run = engine === 'pike' ? pikeVm : bitState;
    return run(this.prog, input, 0, anchored, anchored, slots) ? Array.from(slots) : null;
  }

  /** NFA size, for diagnostics. */
  get programSize(): number {
    return this.prog.size;
  }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}
function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** Parses and compiles an RE2 pattern; errors say what is wrong and what would be right. */
export function compileRe2(pattern: string, opts: Re2Options = {}): Re2Result {
  try {
    const parsed = parseRe2(pattern, opts.caseInsensitive === true);
    return { ok: true, regex: new Re2(pattern, parsed) };
  } catch (e) {
    if (e instanceof Re2SyntaxError) return { ok: false, error: e.message, offset: e.offset };
    if (e instanceof RangeError) {
      return { ok: false, error: 'pattern too complex to compile (nesting too deep)', offset: 0 };
    }
    throw e;
  }
}
