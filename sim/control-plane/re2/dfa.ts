// Lazy DFA for yes/no questions (fullMatch, search), built on demand from the
// NFA program like RE2's own DFA: each DFA state is the set of NFA threads
// alive at a position, transitions are computed the first time they are
// needed and then cached, so steady-state matching is one table lookup per
// character. The cache has a budget; when it is exceeded it is flushed and
// rebuilt, so the worst case is still O(input × program) — never exponential.
//
// Zero-width assertions: ^, \A and (?m)^ depend only on the previous
// character, which is known when a state is built, so they are resolved
// immediately. $, \z, (?m)$, \b and \B also depend on the next character, so
// the state keeps those assertion instructions "pending" and resolves them
// when the next character (or end of input) arrives. The previous-character
// facts a pending assertion needs are part of the state's identity (flags).

import { BEGIN_LINE as BEGIN_LINE_, BEGIN_TEXT as BEGIN_TEXT_, END_LINE as END_LINE_, END_TEXT as END_TEXT_, NOT_WORD_BOUNDARY as NOT_WORD_BOUNDARY_, WORD_BOUNDARY as WORD_BOUNDARY_ } from './ast.ts';
import { isWordChar as isWordChar_, matcherHas as matcherHas_, MAX_RUNE } from './charclass.ts';
import type { Program } from './compile.ts';
import { OP_ASSERT as OP_ASSERT_, OP_CHAR as OP_CHAR_, OP_CLASS as OP_CLASS_, OP_MATCH as OP_MATCH_, OP_SAVE as OP_SAVE_, OP_SPLIT as OP_SPLIT_ } from './compile.ts';
import { counters } from './counters.ts';

// Imports are aliased to module-local constants: some loaders (tsx, vite) turn
// imported bindings into getter calls, which would dominate the hot loops.
const BEGIN_LINE = BEGIN_LINE_;
const BEGIN_TEXT = BEGIN_TEXT_;
const END_LINE = END_LINE_;
const END_TEXT = END_TEXT_;
const NOT_WORD_BOUNDARY = NOT_WORD_BOUNDARY_;
const WORD_BOUNDARY = WORD_BOUNDARY_;
const isWordChar = isWordChar_;
const matcherHas = matcherHas_;
const OP_ASSERT = OP_ASSERT_;
const OP_CHAR = OP_CHAR_;
const OP_CLASS = OP_CLASS_;
const OP_MATCH = OP_MATCH_;
const OP_SAVE = OP_SAVE_;
const OP_SPLIT = OP_SPLIT_;

const DEAD = 0; // no threads left: the answer is no
const MATCHED = 1; // search mode: a match was found, the answer is yes

const F_AT_START = 1;
const F_PREV_NL = 2;
const F_PREV_WORD = 4;

const NEXT_UNKNOWN = -2;
const NEXT_EOF = -1;

const MAX_STATES = 4096;
const MAX_TABLE_ENTRIES = 1 << 20;

export class LazyDfa {
  private readonly prog: Program;
  private readonly search: boolean;
  private readonly bounds: Int32Array;
  private readonly low: Int32Array; // class of each code point < 256
  private readonly K: number; // number of code point equivalence classes
  private readonly repr: Int32Array; // one member of each class
  private readonly flagMask: number;

  // State cache.
  private insts: Int32Array[] = [];
  private flags: number[] = [];
  private accept: number[] = []; // -1 unknown, 0 no, 1 yes (full match ends here)
  private index = new Map<string, number>();
  private trans: Int32Array = new Int32Array(0);
  private startIds = new Int32Array(8).fill(-1);

  // Scratch for closures.
  private readonly seenSparse: Int32Array;
  private readonly seenDense: Int32Array;
  private seenSize = 0;
  private readonly stack: Int32Array;

  constructor(prog: Program, search: boolean) {
    this.prog = prog;
    this.search = search;
    const m = prog.assertMask;
    this.flagMask =
      (m & ((1 << BEGIN_TEXT) | (1 << BEGIN_LINE)) ? F_AT_START : 0) |
      (m & (1 << BEGIN_LINE) ? F_PREV_NL : 0) |
      (m & ((1 << WORD_BOUNDARY) | (1 << NOT_WORD_BOUNDARY)) ? F_PREV_WORD : 0);

    // Partition code points into classes no instruction can tell apart.
    const cuts = new Set<number>([0]);
    for (let pc = 0; pc < prog.size; pc++) {
      if (prog.op[pc] === OP_CHAR) {
        cuts.add(prog.arg[pc]);
        cuts.add(prog.arg[pc] + 1);
      }
    }
    for (const cls of prog.classes) {
      const r = cls.ranges;
      for (let i = 0; i < r.length; i += 2) {
        cuts.add(r[i]);
        cuts.add(r[i + 1] + 1);
      }
    }
    // Assertions look at '\n' and at ASCII word characters: keep those distinguishable.
    for (const c of [0x0a, 0x0b, 0x30, 0x3a, 0x41, 0x5b, 0x5f, 0x60, 0x61, 0x7b]) cuts.add(c);
    this.bounds = Int32Array.from([...cuts].filter((c) => c <= MAX_RUNE).sort((a, b) => a - b));
    this.K = this.bounds.length;
    this.repr = this.bounds;
    this.low = new Int32Array(256);
    for (let c = 0, k = 0; c < 256; c++) {
      while (k + 1 < this.K && this.bounds[k + 1] <= c) k++;
      this.low[c] = k;
    }

    this.seenSparse = new Int32Array(prog.size);
    this.seenDense = new Int32Array(prog.size);
    this.stack = new Int32Array(prog.size + 1);
    this.resetCache();
  }

  /** Full match of input (fullMatch mode) or "is there a match starting at or after start" (search mode). */
  run(input: string, start: number): boolean {
    let s = this.startState(input, start);
    if (s === MATCHED) return true;
    const low = this.low;
    const K = this.K;
    let trans = this.trans;
    const n = input.length;
    let i = start;
    while (i < n) {
      if (s === DEAD) break;
      let c = input.charCodeAt(i++);
      if (c >= 0xd800 && c <= 0xdbff && i < n) {
        const lo = input.charCodeAt(i);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          c = (c - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
          i++;
        }
      }
      const cls = c < 256 ? low[c] : this.classOf(c);
      let t = trans[s * K + cls];
      if (t < 0) {
        t = this.computeTransition(s, cls);
        trans = this.trans; // may have grown or been flushed
      }
      s = t;
      if (s === MATCHED) {
        counters.dfaSteps += i - start;
        return true;
      }
    }
    counters.dfaSteps += i - start;
    if (s === DEAD) return false;
    return this.acceptsAtEnd(s);
  }

  private classOf(c: number): number {
    const b = this.bounds;
    let lo = 0;
    let hi = b.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (b[mid] <= c) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private resetCache(): void {
    this.insts = [new Int32Array(0), new Int32Array(0)];
    this.flags = [0, 0];
    this.accept = [0, 1];
    this.index = new Map();
    this.trans = new Int32Array(Math.max(64, 2 * this.K)).fill(-1);
    this.trans.fill(DEAD, 0, this.K);
    this.trans.fill(MATCHED, this.K, 2 * this.K);
    this.startIds.fill(-1);
  }

  private intern(list: number[], flags: number): number {
    if (list.length === 0) return DEAD;
    list.sort((a, b) => a - b);
    const key = `${flags}|${list.join(',')}`;
    const hit = this.index.get(key);
    if (hit !== undefined) return hit;
    const id = this.insts.length;
    this.insts.push(Int32Array.from(list));
    this.flags.push(flags);
    this.accept.push(-1);
    this.index.set(key, id);
    const need = (id + 1) * this.K;
    if (need > this.trans.length) {
      const grown = new Int32Array(Math.max(need, this.trans.length * 2)).fill(-1);
      grown.set(this.trans);
      this.trans = grown;
    }
    return id;
  }

  private startState(input: string, start: number): number {
    let f = 0;
    if (start === 0) f |= F_AT_START;
    else {
      const prev = input.charCodeAt(start - 1);
      if (prev === 0x0a) f |= F_PREV_NL;
      if (isWordChar(prev)) f |= F_PREV_WORD;
    }
    f &= this.flagMask;
    const cached = this.startIds[f];
    if (cached >= 0) return cached;
    this.seenSize = 0;
    const list: number[] = [];
    const entry = this.search ? this.prog.unanchoredStart : this.prog.start;
    const hitMatch = this.closure(entry, f, NEXT_UNKNOWN, list);
    const id = this.search && hitMatch ? MATCHED : this.intern(list, f);
    this.startIds[f] = id;
    return id;
  }

  /**
   * Follows empty transitions from pc0, appending real threads (CHAR, CLASS,
   * MATCH) and, when the next character is unknown, forward-looking
   * assertions to `list`. Returns whether MATCH was reached.
   */
  private closure(pc0: number, flags: number, next: number, list: number[]): boolean {
    const { op, out, arg } = this.prog;
    const sparse = this.seenSparse;
    const dense = this.seenDense;
    const stack = this.stack;
    let sp = 0;
    let hitMatch = false;
    stack[sp++] = pc0;
    while (sp > 0) {
      let pc = stack[--sp];
      for (;;) {
        const si = sparse[pc];
        if (si < this.seenSize && dense[si] === pc) break;
        sparse[pc] = this.seenSize;
        dense[this.seenSize++] = pc;
        const o = op[pc];
        if (o === OP_SPLIT) {
          stack[sp++] = arg[pc];
          pc = out[pc];
        } else if (o === OP_SAVE) {
          pc = out[pc];
        } else if (o === OP_ASSERT) {
          const kind = arg[pc];
          let ok: boolean;
          if (kind === BEGIN_TEXT) ok = (flags & F_AT_START) !== 0;
          else if (kind === BEGIN_LINE) ok = (flags & (F_AT_START | F_PREV_NL)) !== 0;
          else if (next === NEXT_UNKNOWN) {
            list.push(pc); // resolve when the next character is known
            break;
          } else ok = forwardAssertion(kind, flags, next);
          if (!ok) break;
          pc = out[pc];
        } else {
          if (o === OP_MATCH) hitMatch = true;
          list.push(pc);
          break;
        }
      }
    }
    return hitMatch;
  }

  private computeTransition(s: number, cls: number): number {
    counters.dfaTransitionsBuilt++;
    if (this.insts.length >= MAX_STATES || this.trans.length >= MAX_TABLE_ENTRIES) {
      // Flush and re-intern the current state; the answer is unaffected.
      counters.dfaCacheResets++;
      const keep = Array.from(this.insts[s]);
      const f = this.flags[s];
      this.resetCache();
      s = this.intern(keep, f);
    }
    const { op, out, arg, classes } = this.prog;
    const c = this.repr[cls];
    const flags = this.flags[s];
    // Phase 1: resolve pending assertions now that the next character is c.
    this.seenSize = 0;
    const threads: number[] = [];
    const pending: number[] = [];
    for (const pc of this.insts[s]) {
      if (op[pc] === OP_ASSERT) pending.push(pc);
      else threads.push(pc);
    }
    for (const pc of pending) {
      if (!forwardAssertion(arg[pc], flags, c)) continue;
      if (this.closure(out[pc], flags, c, threads) && this.search) return this.store(s, cls, MATCHED);
    }
    // Phase 2: consume c and build the closure at the next position.
    let nf = 0;
    if (c === 0x0a) nf |= F_PREV_NL;
    if (isWordChar(c)) nf |= F_PREV_WORD;
    nf &= this.flagMask;
    this.seenSize = 0;
    const list: number[] = [];
    let hitMatch = false;
    for (const pc of threads) {
      const o = op[pc];
      const ok = o === OP_CHAR ? arg[pc] === c : o === OP_CLASS ? matcherHas(classes[arg[pc]], c) : false;
      if (ok && this.closure(out[pc], nf, NEXT_UNKNOWN, list)) hitMatch = true;
    }
    if (hitMatch && this.search) return this.store(s, cls, MATCHED);
    return this.store(s, cls, this.intern(list, nf));
  }

  private store(s: number, cls: number, t: number): number {
    this.trans[s * this.K + cls] = t;
    return t;
  }

  private acceptsAtEnd(s: number): boolean {
    const cached = this.accept[s];
    if (cached >= 0) return cached === 1;
    const { op, out, arg } = this.prog;
    const flags = this.flags[s];
    let yes = false;
    this.seenSize = 0;
    const scratch: number[] = [];
    for (const pc of this.insts[s]) {
      if (op[pc] === OP_MATCH) yes = true;
      else if (op[pc] === OP_ASSERT && forwardAssertion(arg[pc], flags, NEXT_EOF)) {
        if (this.closure(out[pc], flags, NEXT_EOF, scratch)) yes = true;
      }
      if (yes) break;
    }
    this.accept[s] = yes ? 1 : 0;
    return yes;
  }
}

/** $, \z, (?m)$, \b, \B given the previous-character flags and the next character (or NEXT_EOF). */
function forwardAssertion(kind: number, flags: number, next: number): boolean {
  switch (kind) {
    case END_TEXT:
      return next === NEXT_EOF;
    case END_LINE:
      return next === NEXT_EOF || next === 0x0a;
    case WORD_BOUNDARY:
    case NOT_WORD_BOUNDARY: {
      const before = (flags & F_PREV_WORD) !== 0;
      const after = next >= 0 && isWordChar(next);
      return (before !== after) === (kind === WORD_BOUNDARY);
    }
    case BEGIN_TEXT:
      return (flags & F_AT_START) !== 0;
    case BEGIN_LINE:
      return (flags & (F_AT_START | F_PREV_NL)) !== 0;
    default:
      return false;
  }
}
