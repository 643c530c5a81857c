// Parsed form of an RE2 pattern. Flags (i, s, m, U) are resolved by the
// parser, so the tree is flag-free: case folding is already expanded into
// character sets, `.` is a set, ^/$ are concrete assertions and greediness
// is explicit on each repetition.

import type { CharSet } from './charclass.ts';

/** Zero-width assertion kinds (shared by the compiler and the matchers). */
export const BEGIN_TEXT = 1; // \A, or ^ without (?m)
export const END_TEXT = 2; // \z, or $ without (?m)
export const BEGIN_LINE = 3; // ^ with (?m)
export const END_LINE = 4; // $ with (?m)
export const WORD_BOUNDARY = 5; // \b (ASCII word characters)
export const NOT_WORD_BOUNDARY = 6; // \B

export type AssertKind = 1 | 2 | 3 | 4 | 5 | 6;

export type Node =
  | { readonly type: 'empty' }
  | { readonly type: 'literal'; readonly cp: number }
  | { readonly type: 'set'; readonly set: CharSet }
  | { readonly type: 'concat'; readonly items: readonly Node[] }
  | { readonly type: 'alternate'; readonly items: readonly Node[] }
  | {
      readonly type: 'repeat';
      readonly sub: Node;
      readonly min: number;
      readonly max: number; // -1 = unbounded
      readonly greedy: boolean;
      readonly counted: boolean; // written as {n,m} (RE2 limits only these)
      readonly flags: number; // parse flags in force (see parser.ts flagBits), for RE2's squashing rule
    }
  | { readonly type: 'capture'; readonly sub: Node; readonly index: number; readonly name: string | undefined }
  | { readonly type: 'assert'; readonly kind: AssertKind };

/** Syntax features whose meaning differs between RE2 and a JS RegExp (see describe.ts). */
export type JsDifference =
  | 'inlineFlags'
  | 'pythonNamedGroup'
  | 'quoted'
  | 'textAnchors'
  | 'posixClass'
  | 'unicodeClass'
  | 'hexBrace'
  | 'bell'
  | 'dot'
  | 'space'
  | 'octal';

export interface ParsedPattern {
  readonly root: Node;
  readonly groupCount: number;
  /** names[i] is the name of group i (index 0 = whole match, always undefined). */
  readonly groupNames: ReadonlyArray<string | undefined>;
  readonly jsDifferences: ReadonlySet<JsDifference>;
}
