// Bounded backtracker ("BitState" in RE2): depth-first search over the NFA in
// priority order, with a visited bitmap over (instruction, position) pairs.
// A pair that was explored once cannot lead to a match the second time
// (captures never influence matching), so each pair is expanded at most once:
// O(program × input) like the Pike VM, but with far less bookkeeping per step.
// The bitmap costs program × (input + 1) bits, so RE2 — and we — use this
// only for short inputs (request paths, header values) and fall back to the
// Pike VM otherwise. The first MATCH reached is the leftmost-first answer.

import { matcherHas as matcherHas_ } from './charclass.ts';
import type { Program } from './compile.ts';
import { OP_ASSERT as OP_ASSERT_, OP_CHAR as OP_CHAR_, OP_CLASS as OP_CLASS_, OP_MATCH as OP_MATCH_, OP_SAVE as OP_SAVE_, OP_SPLIT as OP_SPLIT_ } from './compile.ts';
import { counters } from './counters.ts';
import { assertionHolds as assertionHolds_ } from './vm.ts';

// Imports are aliased to module-local constants: some loaders (tsx, vite) turn
// imported bindings into getter calls, which would dominate the hot loops.
const matcherHas = matcherHas_;
const OP_ASSERT = OP_ASSERT_;
const OP_CHAR = OP_CHAR_;
const OP_CLASS = OP_CLASS_;
const OP_MATCH = OP_MATCH_;
const OP_SAVE = OP_SAVE_;
const OP_SPLIT = OP_SPLIT_;
const assertionHolds = assertionHolds_;

/** Largest visited bitmap (in bits) we are willing to clear per call. */
export const MAX_BITSTATE_BITS = 1 << 18;

export function canUseBitState(prog: Program, textLength: number): boolean {
  return prog.size * (textLength + 1) <= MAX_BITSTATE_BITS;
}

let visited = new Uint32Array(1024);
let stack: Int32Array<ArrayBuffer> = new Int32Array(1024);
let cap = new Int32Array(32);

/** Same contract as pikeVm(); caller must check canUseBitState first. */
export function bitState(
  prog: Program,
  input: string,
  start: number,
  anchorStart: boolean,
  anchorEnd: boolean,
  slots: Int32Array,
): boolean {
  const { op, out, arg, classes } = prog;
  const end = input.length;
  const width = end - start + 1;
  const words = (prog.size * width + 31) >>> 5;
  if (visited.length < words) visited = new Uint32Array(Math.max(words, visited.length * 2));
  else visited.fill(0, 0, words);
  const nslots = prog.slotCount;
  if (cap.length < nslots) cap = new Int32Array(nslots * 2);
  // Module-level buffers are reused across calls; locals keep the hot loop off context slots.
  const vis = visited;
  const caps = cap;
  let stk = stack;
  let steps = 0;

  for (let p0 = start; p0 <= end; ) {
    for (let k = 0; k < nslots; k++) caps[k] = -1;
    let sp = 0;
    stk[sp++] = prog.start;
    stk[sp++] = p0;
    while (sp > 0) {
      let pos = stk[--sp];
      let pc = stk[--sp];
      if (pc < 0) {
        caps[-1 - pc] = pos; // restore a capture slot on backtrack
        continue;
      }
      for (;;) {
        const bit = pc * width + (pos - start);
        const w = vis[bit >>> 5];
        const mask = 1 << (bit & 31);
        if ((w & mask) !== 0) break;
        vis[bit >>> 5] = w | mask;
        steps++;
        const o = op[pc];
        if (o === OP_CHAR || o === OP_CLASS) {
          if (pos >= end) break;
          let c = input.charCodeAt(pos);
          let n = 1;
          if (c >= 0xd800 && c <= 0xdbff && pos + 1 < end) {
            const lo = input.charCodeAt(pos + 1);
            if (lo >= 0xdc00 && lo <= 0xdfff) {
              c = (c - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
              n = 2;
            }
          }
          if (o === OP_CHAR ? c !== arg[pc] : !matcherHas(classes[arg[pc]], c)) break;
          pos += n;
          pc = out[pc];
        } else if (o === OP_SPLIT) {
          // Explore the preferred branch now, the other one on backtrack.
          if (sp + 4 > stk.length) stk = growStack(stk);
          stk[sp++] = arg[pc];
          stk[sp++] = pos;
          pc = out[pc];
        } else if (o === OP_SAVE) {
          if (sp + 4 > stk.length) stk = growStack(stk);
          const slot = arg[pc];
          stk[sp++] = -1 - slot;
          stk[sp++] = caps[slot];
          caps[slot] = pos;
          pc = out[pc];
        } else if (o === OP_ASSERT) {
          if (!assertionHolds(arg[pc], input, pos)) break;
          pc = out[pc];
        } else if (o === OP_MATCH) {
          if (anchorEnd && pos !== end) break;
          for (let k = 0; k < nslots; k++) slots[k] = caps[k];
          counters.vmSteps += steps;
          stack = stk;
          return true;
        } else {
          break;
        }
      }
    }
    if (anchorStart || p0 >= end) break;
    // Next start position: step over a whole surrogate pair.
    const c = input.charCodeAt(p0);
    p0 += c >= 0xd800 && c <= 0xdbff && p0 + 1 < end && (input.charCodeAt(p0 + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
  }
  counters.vmSteps += steps;
  stack = stk;
  return false;
}

function growStack(old: Int32Array): Int32Array<ArrayBuffer> {
  const grown = new Int32Array(old.length * 2);
  grown.set(old);
  return grown;
}
