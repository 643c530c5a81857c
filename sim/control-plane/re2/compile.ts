// AST -> Thompson NFA program in typed arrays (the representation RE2, Go and
// Rust use for their Pike VMs). Compilation runs backwards from the MATCH
// instruction, so every node is compiled knowing its continuation and no
// patch lists are needed.
//
// Priorities encode leftmost-first (Perl) semantics: a SPLIT prefers `out`
// over `arg`, so greedy loops prefer another iteration, lazy loops prefer to
// exit, and alternation prefers its left branch. Both matchers honour this.

import type { Node } from './ast.ts';
import type { CharSet, ClassMatcher } from './charclass.ts';
import { MAX_RUNE, setFromPairs, size, toMatcher } from './charclass.ts';
import { Re2SyntaxError } from './parser.ts';

export const OP_CHAR = 0; // arg = code point
export const OP_CLASS = 1; // arg = index into classes
export const OP_MATCH = 2;
export const OP_SPLIT = 3; // out = preferred branch, arg = other branch
export const OP_SAVE = 4; // arg = capture slot
export const OP_ASSERT = 5; // arg = AssertKind

/** Safety valve: a program this big would also exceed RE2's memory budget. */
export const MAX_INSTRUCTIONS = 250_000;

export interface Program {
  readonly op: Uint8Array;
  readonly out: Int32Array;
  readonly arg: Int32Array;
  readonly classes: readonly ClassMatcher[];
  readonly size: number;
  /** Anchored entry point: SAVE 0, pattern, SAVE 1, MATCH. */
  readonly start: number;
  /** Entry point with a lazy (?s:.)*? prefix, for unanchored boolean search in the DFA. */
  readonly unanchoredStart: number;
  /** 2 * (groups + 1): slots 2k and 2k+1 hold the start/end of group k. */
  readonly slotCount: number;
  /** Bitmask of AssertKinds used (bit = 1 << kind). */
  readonly assertMask: number;
}

class Compiler {
  private readonly op: number[] = [];
  private readonly out: number[] = [];
  private readonly arg: number[] = [];
  private readonly classes: ClassMatcher[] = [];
  private readonly classIds = new Map<string, number>();
  // Repetition compiles the same AST node many times; skip re-keying its set.
  private readonly classIdBySet = new Map<CharSet, number>();
  private assertMask = 0;

  emit(op: number, out: number, arg: number): number {
    if (this.op.length >= MAX_INSTRUCTIONS) {
      throw new Re2SyntaxError(
        `pattern too large: it compiles to more than ${MAX_INSTRUCTIONS} NFA instructions (RE2 would reject it as too big); reduce the repetition counts`,
        0,
      );
    }
    this.op.push(op);
    this.out.push(out);
    this.arg.push(arg);
    return this.op.length - 1;
  }

  classId(set: CharSet): number {
    const known = this.classIdBySet.get(set);
    if (known !== undefined) return known;
    const key = set.join(',');
    let id = this.classIds.get(key);
    if (id === undefined) {
      id = this.classes.length;
      this.classes.push(toMatcher(set));
      this.classIds.set(key, id);
    }
    this.classIdBySet.set(set, id);
    return id;
  }

  /** Compiles node so that it continues at `next`; returns its entry pc. */
  node(n: Node, next: number): number {
    switch (n.type) {
      case 'empty':
        return next;
      case 'literal':
        return this.emit(OP_CHAR, next, n.cp);
      case 'set':
        if (n.set.length === 0) return this.emit(OP_CLASS, next, this.classId(n.set)); // never matches
        if (size(n.set) === 1) return this.emit(OP_CHAR, next, n.set[0]);
        return this.emit(OP_CLASS, next, this.classId(n.set));
      case 'concat': {
        let pc = next;
        for (let i = n.items.length - 1; i >= 0; i--) pc = this.node(n.items[i], pc);
        return pc;
      }
      case 'alternate': {
        const entries = n.items.map((item) => this.node(item, next));
        let pc = entries[entries.length - 1];
        for (let i = entries.length - 2; i >= 0; i--) pc = this.emit(OP_SPLIT, entries[i], pc);
        return pc;
      }
      case 'capture': {
        const close = this.emit(OP_SAVE, next, 2 * n.index + 1);
        return this.emit(OP_SAVE, this.node(n.sub, close), 2 * n.index);
      }
      case 'assert':
        this.assertMask |= 1 << n.kind;
        return this.emit(OP_ASSERT, next, n.kind);
      case 'repeat':
        return this.repeat(n.sub, n.min, n.max, n.greedy, next);
    }
  }

  private split(preferred: number, other: number, greedy: boolean): number {
    return greedy ? this.emit(OP_SPLIT, preferred, other) : this.emit(OP_SPLIT, other, preferred);
  }

  private loop(sub: Node, greedy: boolean, next: number): { loop: number; body: number } {
    const loop = this.emit(OP_SPLIT, -1, -1);
    const body = this.node(sub, loop);
    if (greedy) {
      this.out[loop] = body;
      this.arg[loop] = next;
    } else {
      this.out[loop] = next;
      this.arg[loop] = body;
    }
    return { loop, body };
  }

  private repeat(sub: Node, min: number, max: number, greedy: boolean, next: number): number {
    let pc: number;
    let copies: number;
    if (max === -1) {
      if (min === 0) {
        // Like RE2's compiler: when x can match empty, x* is built as (x+)? —
        // a single loop SPLIT would let the empty path be pruned by the
        // visited-set and change which alternative wins (e.g. (?:|a)* must
        // prefer the empty match, as RE2 and Perl do).
        if (nullable(sub)) return this.split(this.loop(sub, greedy, next).body, next, greedy);
        return this.loop(sub, greedy, next).loop; // x*
      }
      pc = this.loop(sub, greedy, next).body; // x+ holds one mandatory copy
      copies = min - 1;
    } else {
      // x{n,m} = x^n (x(x(x)?)?)? — nested optionals keep the program linear in m.
      pc = next;
      for (let k = 0; k < max - min; k++) pc = this.split(this.node(sub, pc), next, greedy);
      copies = min;
    }
    for (let k = 0; k < copies; k++) pc = this.node(sub, pc);
    return pc;
  }

  finish(root: Node, groupCount: number): Program {
    const match = this.emit(OP_MATCH, -1, 0);
    const body = this.node(root, this.emit(OP_SAVE, match, 1));
    const start = this.emit(OP_SAVE, body, 0);
    const unanchoredStart = this.emit(OP_SPLIT, start, -1);
    this.arg[unanchoredStart] = this.emit(OP_CLASS, unanchoredStart, this.classId(setFromPairs([0, MAX_RUNE])));
    return {
      op: Uint8Array.from(this.op),
      out: Int32Array.from(this.out),
      arg: Int32Array.from(this.arg),
      classes: this.classes,
      size: this.op.length,
      start,
      unanchoredStart,
      slotCount: 2 * (groupCount + 1),
      assertMask: this.assertMask,
    };
  }
}

const nullableMemo = new WeakMap<Node, boolean>();

/** Can the node match the empty string (assertions count as empty)? */
function nullable(n: Node): boolean {
  const hit = nullableMemo.get(n);
  if (hit !== undefined) return hit;
  let r: boolean;
  switch (n.type) {
    case 'empty':
    case 'assert':
      r = true;
      break;
    case 'literal':
    case 'set':
      r = false;
      break;
    case 'concat':
      r = n.items.every(nullable);
      break;
    case 'alternate':
      r = n.items.some(nullable);
      break;
    case 'repeat':
      r = n.min === 0 || nullable(n.sub);
      break;
    case 'capture':
      r = nullable(n.sub);
      break;
  }
  nullableMemo.set(n, r);
  return r;
}

export function compileProgram(root: Node, groupCount: number): Program {
  return new Compiler().finish(root, groupCount);
}

/** The whole pattern as a plain string if it is just literals (enables the string fast path). */
export function literalString(root: Node): string | null {
  if (root.type === 'literal') return String.fromCodePoint(root.cp);
  if (root.type === 'empty') return '';
  if (root.type !== 'concat') return null;
  let s = '';
  for (const item of root.items) {
    if (item.type !== 'literal') return null;
    s += String.fromCodePoint(item.cp);
  }
  return s;
}

/** Literal text every full match must start with (after a leading ^ or \A). */
export function literalPrefix(root: Node): string {
  const items = root.type === 'concat' ? root.items : [root];
  let s = '';
  for (const item of items) {
    if (item.type === 'assert' && item.kind === 1 && s === '') continue; // BEGIN_TEXT at offset 0
    if (item.type !== 'literal') break;
    s += String.fromCodePoint(item.cp);
  }
  return s;
}
