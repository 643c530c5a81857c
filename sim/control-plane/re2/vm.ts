// Pike VM: simulates the NFA over all threads in lock step, one code point at
// a time, carrying capture slots per thread. Each instruction appears at most
// once per thread list (sparse set), so a match costs O(input × program) no
// matter how the pattern is written — the property that makes RE2 safe for
// untrusted input. Used when captures are needed (exec, replaceAll); boolean
// questions go to the lazy DFA in dfa.ts.
//
// Positions are UTF-16 code unit offsets into the JS string, but the VM
// steps by code point: a surrogate pair is consumed as one character, so `.`
// matches an astral character exactly as RE2 does on UTF-8.

import { BEGIN_LINE as BEGIN_LINE_, BEGIN_TEXT as BEGIN_TEXT_, END_LINE as END_LINE_, END_TEXT as END_TEXT_, NOT_WORD_BOUNDARY as NOT_WORD_BOUNDARY_, WORD_BOUNDARY as WORD_BOUNDARY_ } from './ast.ts';
import { isWordChar as isWordChar_, matcherHas as matcherHas_ } from './charclass.ts';
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

/** Evaluates a zero-width assertion at code unit offset pos (the whole input is the context). */
export function assertionHolds(kind: number, input: string, pos: number): boolean {
  switch (kind) {
    case BEGIN_TEXT:
      return pos === 0;
    case END_TEXT:
      return pos === input.length;
    case BEGIN_LINE:
      return pos === 0 || input.charCodeAt(pos - 1) === 0x0a;
    case END_LINE:
      return pos === input.length || input.charCodeAt(pos) === 0x0a;
    case WORD_BOUNDARY:
    case NOT_WORD_BOUNDARY: {
      // Word characters are ASCII, so looking at single code units is exact.
      const before = pos > 0 && isWordChar(input.charCodeAt(pos - 1));
      const after = pos < input.length && isWordChar(input.charCodeAt(pos));
      return (before !== after) === (kind === WORD_BOUNDARY);
    }
    default:
      return false;
  }
}

/** Sparse set of pcs in insertion (= priority) order, with capture slots per entry. */
class ThreadList {
  readonly sparse: Int32Array;
  readonly dense: Int32Array;
  readonly caps: Int32Array;
  size = 0;
  constructor(n: number, slots: number) {
    this.sparse = new Int32Array(n);
    this.dense = new Int32Array(n);
    this.caps = new Int32Array(n * slots);
  }
  has(pc: number): boolean {
    const i = this.sparse[pc];
    return i < this.size && this.dense[i] === pc;
  }
}

/** Reusable per-program buffers: matching allocates nothing per character or per call. */
class Scratch {
  a: ThreadList;
  b: ThreadList;
  readonly tmp: Int32Array;
  readonly none: Int32Array;
  readonly stack: Int32Array;
  constructor(prog: Program) {
    this.a = new ThreadList(prog.size, prog.slotCount);
    this.b = new ThreadList(prog.size, prog.slotCount);
    this.tmp = new Int32Array(prog.slotCount);
    this.none = new Int32Array(prog.slotCount).fill(-1);
    // Each instruction is visited once per addThread and pushes at most one entry of two ints.
    this.stack = new Int32Array(2 * prog.size + 2);
  }
}

const scratchFor = new WeakMap<Program, Scratch>();

/**
 * Adds pc and everything reachable from it by empty transitions to `list`,
 * in priority order. Captures are updated on a scratch copy and restored on
 * backtrack via the explicit stack (no recursion, no per-thread allocation).
 */
function addThread(
  prog: Program,
  s: Scratch,
  list: ThreadList,
  pc0: number,
  input: string,
  pos: number,
  src: Int32Array,
  srcOff: number,
): void {
  const { op, out, arg } = prog;
  const nslots = prog.slotCount;
  const tmp = s.tmp;
  const stack = s.stack;
  for (let k = 0; k < nslots; k++) tmp[k] = src[srcOff + k];
  let sp = 0;
  stack[sp++] = pc0;
  stack[sp++] = 0;
  while (sp > 0) {
    const val = stack[--sp];
    let pc = stack[--sp];
    if (pc < 0) {
      tmp[-1 - pc] = val; // restore a capture slot saved on the way down
      continue;
    }
    for (;;) {
      if (list.has(pc)) break;
      const d = list.size++;
      list.sparse[pc] = d;
      list.dense[d] = pc;
      const o = op[pc];
      if (o === OP_SPLIT) {
        stack[sp++] = arg[pc];
        stack[sp++] = 0;
        pc = out[pc];
      } else if (o === OP_SAVE) {
        const slot = arg[pc];
        stack[sp++] = -1 - slot;
        stack[sp++] = tmp[slot];
        tmp[slot] = pos;
        pc = out[pc];
      } else if (o === OP_ASSERT) {
        if (!assertionHolds(arg[pc], input, pos)) break;
        pc = out[pc];
      } else {
        // CHAR, CLASS or MATCH: a real thread; remember its captures.
        const base = d * nslots;
        for (let k = 0; k < nslots; k++) list.caps[base + k] = tmp[k];
        break;
      }
    }
  }
}

/**
 * Leftmost-first match with captures, starting the search at `start`.
 * anchorStart: the match must begin at `start`. anchorEnd: it must end at
 * input.length (Envoy's full match). On success fills slots (length
 * prog.slotCount, -1 = group did not participate) and returns true.
 */
export function pikeVm(
  prog: Program,
  input: string,
  start: number,
  anchorStart: boolean,
  anchorEnd: boolean,
  slots: Int32Array,
): boolean {
  let s = scratchFor.get(prog);
  if (s === undefined) {
    s = new Scratch(prog);
    scratchFor.set(prog, s);
  }
  const { op, out, arg, classes } = prog;
  const nslots = prog.slotCount;
  const end = input.length;
  let clist = s.a;
  let nlist = s.b;
  clist.size = 0;
  let matched = false;
  let steps = 0;
  for (let pos = start; ; ) {
    // Seed a new thread at this position, after (= lower priority than) older ones.
    if (!matched && (pos === start || !anchorStart)) addThread(prog, s, clist, prog.start, input, pos, s.none, 0);
    if (clist.size === 0) break;
    let c = -1;
    let width = 0;
    if (pos < end) {
      c = input.charCodeAt(pos);
      width = 1;
      if (c >= 0xd800 && c <= 0xdbff && pos + 1 < end) {
        const lo = input.charCodeAt(pos + 1);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
          c = (c - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
          width = 2;
        }
      }
    }
    nlist.size = 0;
    const next = pos + width;
    const n = clist.size;
    steps += n;
    for (let i = 0; i < n; i++) {
      const pc = clist.dense[i];
      const o = op[pc];
      if (o === OP_CHAR) {
        if (c === arg[pc]) addThread(prog, s, nlist, out[pc], input, next, clist.caps, i * nslots);
      } else if (o === OP_CLASS) {
        if (c >= 0 && matcherHas(classes[arg[pc]], c)) addThread(prog, s, nlist, out[pc], input, next, clist.caps, i * nslots);
      } else if (o === OP_MATCH) {
        if (anchorEnd && pos !== end) continue;
        const base = i * nslots;
        for (let k = 0; k < nslots; k++) slots[k] = clist.caps[base + k];
        matched = true;
        break; // lower-priority threads lose to this match
      }
    }
    steps += nlist.size;
    const t = clist;
    clist = nlist;
    nlist = t;
    if (pos >= end) break;
    pos = next;
  }
  s.a = clist;
  s.b = nlist;
  counters.vmSteps += steps;
  return matched;
}
