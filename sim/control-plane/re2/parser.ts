// RE2 syntax -> AST.
//
// Mirrors the decisions of RE2's parse.cc (Perl mode, as used by Envoy's
// safe_regex) rather than any JS or PCRE habit: which escapes exist, when `{`
// is a literal, that quantifiers may not be stacked, the 1000-repeat limit,
// fold-then-negate for case-insensitive classes. Everything RE2 rejects is
// rejected here with a message that names the construct and the fix.

import type { AssertKind, JsDifference, Node, ParsedPattern } from './ast.ts';
import { BEGIN_LINE, BEGIN_TEXT, END_LINE, END_TEXT, NOT_WORD_BOUNDARY, WORD_BOUNDARY } from './ast.ts';
import type { CharSet } from './charclass.ts';
import { foldSet, MAX_RUNE, negate, PERL_CLASSES, POSIX_CLASSES, setFromPairs, union } from './charclass.ts';
import { orbitOf } from './casefold.ts';
import { unicodeClass } from './unicode.ts';

export class Re2SyntaxError extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
    this.name = 'Re2SyntaxError';
  }
}

/** RE2's limit on {n,m} counts, including the product of nested counts. */
export const MAX_REPEAT = 1000;
/** RE2 rejects deeper nesting ("expression nests too deeply"). */
export const MAX_NESTING = 1000;

interface Flags {
  i: boolean; // case-insensitive
  m: boolean; // multi-line: ^/$ match at line boundaries
  s: boolean; // dot matches \n
  U: boolean; // ungreedy: swaps x* and x*?
}

const ANY_CHAR: Node = { type: 'set', set: setFromPairs([0, MAX_RUNE]) };
const ANY_BUT_NL: Node = { type: 'set', set: setFromPairs([0, 0x09, 0x0b, MAX_RUNE]) };
const EMPTY: Node = { type: 'empty' };

// Capture names: RE2 accepts word characters, including Unicode letters and digits.
const NAME_RE = /^[\p{L}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]+$/u;

function isHex(c: string): boolean {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}
function isOctal(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '7';
}
function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Max product of nested counted repetitions along any path (RE2's RepetitionWalker). */
function repetitionProduct(node: Node): number {
  switch (node.type) {
    case 'repeat': {
      const inner = repetitionProduct(node.sub);
      if (!node.counted) return inner;
      const m = node.max < 0 ? node.min : node.max;
      return m > 0 ? m * inner : inner;
    }
    case 'capture':
      return repetitionProduct(node.sub);
    case 'concat':
    case 'alternate': {
      let best = 1;
      for (const item of node.items) best = Math.max(best, repetitionProduct(item));
      return best;
    }
    default:
      return 1;
  }
}

class Parser {
  private pos = 0;
  private flags: Flags;
  private groupCount = 0;
  private depth = 0;
  private readonly names: Array<string | undefined> = [undefined];
  private readonly nameSet = new Set<string>();
  readonly diffs = new Set<JsDifference>();

  constructor(
    private readonly src: string,
    caseInsensitive: boolean,
  ) {
    this.flags = { i: caseInsensitive, m: false, s: false, U: false };
  }

  parse(): ParsedPattern {
    const root = this.parseAlternation();
    if (this.pos < this.src.length) {
      // parseAlternation only stops early at ')'.
      throw new Re2SyntaxError(
        `unbalanced parenthesis at offset ${this.pos}: ")" has no matching "("; escape it as \\) to match a literal parenthesis`,
        this.pos,
      );
    }
    return { root, groupCount: this.groupCount, groupNames: this.names, jsDifferences: this.diffs };
  }

  // -------------------------------------------------------------------------
  // Structure

  private parseAlternation(): Node {
    const items: Node[] = [this.parseConcat()];
    while (this.src[this.pos] === '|') {
      this.pos++;
      items.push(this.parseConcat());
    }
    return items.length === 1 ? items[0] : { type: 'alternate', items };
  }

  private parseConcat(): Node {
    const src = this.src;
    const items: Node[] = [];
    // Offset of the quantifier just parsed: RE2 (Perl mode) rejects a**, a*+, a{2}{3}.
    let lastQuantifier = -1;
    while (this.pos < src.length) {
      const ch = src[this.pos];
      if (ch === '|' || ch === ')') break;
      const start = this.pos;
      if (ch === '*' || ch === '+' || ch === '?') {
        this.pos++;
        const lazy = this.eatLazy();
        if (lastQuantifier >= 0) this.stackedQuantifier(lastQuantifier, start);
        const min = ch === '+' ? 1 : 0;
        const max = ch === '?' ? 1 : -1;
        this.applyRepeat(items, min, max, lazy, false, start, src.slice(start, this.pos));
        lastQuantifier = start;
        continue;
      }
      if (ch === '{') {
        const rep = this.tryCountedRepetition();
        if (rep !== null) {
          const text = src.slice(start, rep.end);
          this.pos = rep.end;
          const lazy = this.eatLazy();
          if (lastQuantifier >= 0) this.stackedQuantifier(lastQuantifier, start);
          if (rep.max !== -1 && rep.max < rep.min) {
            throw new Re2SyntaxError(
              `invalid repetition count ${text} at offset ${start}: the minimum is larger than the maximum`,
              start,
            );
          }
          if (rep.min > MAX_REPEAT || rep.max > MAX_REPEAT) {
            throw new Re2SyntaxError(`invalid repetition count ${text}: RE2 allows at most ${MAX_REPEAT}`, start);
          }
          this.applyRepeat(items, rep.min, rep.max, lazy, true, start, text);
          lastQuantifier = start;
          continue;
        }
        // Not a valid {n}, {n,} or {n,m}: RE2 treats the brace as a literal.
        this.pos++;
        items.push(this.literal(0x7b));
      } else if (ch === '(') {
        const group = this.parseGroup();
        if (group !== null) items.push(group);
      } else if (ch === '[') {
        items.push({ type: 'set', set: this.parseClass() });
      } else if (ch === '.') {
        this.pos++;
        this.diffs.add('dot');
        items.push(this.flags.s ? ANY_CHAR : ANY_BUT_NL);
      } else if (ch === '^') {
        this.pos++;
        items.push(this.assertion(this.flags.m ? BEGIN_LINE : BEGIN_TEXT));
      } else if (ch === '$') {
        this.pos++;
        // Without (?m), RE2's $ is \z: it does not match before a final \n (unlike PCRE).
        items.push(this.assertion(this.flags.m ? END_LINE : END_TEXT));
      } else if (ch === '\\') {
        this.parseEscapeAtom(items);
      } else {
        items.push(this.literal(this.readCodePoint()));
      }
      lastQuantifier = -1;
    }
    if (items.length === 0) return EMPTY;
    return items.length === 1 ? items[0] : { type: 'concat', items };
  }

  /** The parse flags RE2 compares when squashing repetitions (NonGreedy = !greedy). */
  private flagBits(greedy: boolean): number {
    return (this.flags.i ? 1 : 0) | (this.flags.s ? 2 : 0) | (this.flags.m ? 4 : 0) | (greedy ? 0 : 8);
  }

  private eatLazy(): boolean {
    if (this.src[this.pos] === '?') {
      this.pos++;
      return true;
    }
    return false;
  }

  private stackedQuantifier(first: number, second: number): never {
    const text = this.src.slice(first, this.pos);
    const op = this.src.slice(second, this.pos);
    if (op === '+') {
      throw new Re2SyntaxError(
        `possessive quantifier ${text} at offset ${first} is not supported by RE2; drop the trailing + (RE2 never backtracks, so it is not needed)`,
        first,
      );
    }
    throw new Re2SyntaxError(
      `repeated quantifier ${text} at offset ${first} is not allowed by RE2; use a single quantifier or group first, e.g. (?:x${this.src.slice(first, second)})${op}`,
      first,
    );
  }

  private applyRepeat(items: Node[], min: number, max: number, lazy: boolean, counted: boolean, start: number, text: string): void {
    const sub = items.pop();
    if (sub === undefined) {
      throw new Re2SyntaxError(
        `quantifier ${text} at offset ${start} has nothing to repeat; escape it (\\${text[0]}) to match it literally`,
        start,
      );
    }
    // (?U) swaps the meaning of x* and x*?.
    const greedy = lazy === this.flags.U;
    const flags = this.flagBits(greedy);
    if (!counted && sub.type === 'repeat' && !sub.counted && sub.flags === flags) {
      // RE2 squashes a *, + or ? applied to a *, + or ? with identical flags
      // (reachable through a non-capturing group): x** -> x*, x++ -> x+,
      // x?? -> x?, and any mixed pair -> x*. This changes match priorities,
      // e.g. (?:x?)+? is x*?, so it must be mirrored, not just simplified.
      const same = sub.min === min && sub.max === max;
      items.push(same ? sub : { ...sub, min: 0, max: -1 });
      return;
    }
    const node: Node = { type: 'repeat', sub, min, max, greedy, counted, flags };
    if (counted && (min >= 2 || max >= 2) && repetitionProduct(node) > MAX_REPEAT) {
      throw new Re2SyntaxError(
        `nested repetition ${text} at offset ${start} repeats its innermost part more than ${MAX_REPEAT} times; RE2 allows at most ${MAX_REPEAT} in total`,
        start,
      );
    }
    items.push(node);
  }

  /** Parses {n}, {n,} or {n,m} at pos without consuming; null if it is not one (then `{` is literal). */
  private tryCountedRepetition(): { min: number; max: number; end: number } | null {
    let i = this.pos + 1;
    const readInt = (): number => {
      const src = this.src;
      if (!isDigit(src[i])) return -1;
      // RE2 refuses leading zeros and absurdly long numbers; the brace then becomes a literal.
      if (src[i] === '0' && isDigit(src[i + 1])) return -1;
      let n = 0;
      while (isDigit(src[i])) {
        if (n >= 100_000_000) return -1;
        n = n * 10 + (src.charCodeAt(i) - 48);
        i++;
      }
      return n;
    };
    const min = readInt();
    if (min < 0) return null;
    let max = min;
    if (this.src[i] === ',') {
      i++;
      if (this.src[i] === '}') max = -1;
      else {
        max = readInt();
        if (max < 0) return null;
      }
    }
    if (this.src[i] !== '}') return null;
    return { min, max, end: i + 1 };
  }

  private parseGroup(): Node | null {
    const src = this.src;
    const start = this.pos;
    let name: string | undefined;
    if (src.startsWith('(?', start)) {
      this.rejectPerlOnlyGroup(start);
      if (src.startsWith('(?P<', start) || src.startsWith('(?<', start)) {
        const nameStart = start + (src[start + 2] === 'P' ? 4 : 3);
        const close = src.indexOf('>', nameStart);
        if (close < 0) {
          throw new Re2SyntaxError(`named group at offset ${start} is missing ">" after the name, e.g. (?P<name>re)`, start);
        }
        name = src.slice(nameStart, close);
        if (!NAME_RE.test(name)) {
          throw new Re2SyntaxError(
            `invalid capture group name "${name}" at offset ${start}: use letters, digits and _ only`,
            start,
          );
        }
        if (this.nameSet.has(name)) {
          throw new Re2SyntaxError(`duplicate capture group name "${name}" at offset ${start}; RE2 requires unique names`, start);
        }
        this.nameSet.add(name);
        if (src[start + 2] === 'P') this.diffs.add('pythonNamedGroup');
        this.pos = close + 1;
      } else {
        return this.parseFlagGroup(start);
      }
    } else {
      this.pos++;
    }
    const index = ++this.groupCount;
    this.names.push(name);
    const sub = this.parseGroupBody(start);
    return { type: 'capture', sub, index, name };
  }

  /** Parses up to and including the closing ')'; flags set inside do not leak out. */
  private parseGroupBody(start: number): Node {
    if (++this.depth > MAX_NESTING) {
      throw new Re2SyntaxError(`groups nest more than ${MAX_NESTING} deep at offset ${start}; RE2 rejects this`, start);
    }
    const saved = { ...this.flags };
    const sub = this.parseAlternation();
    if (this.src[this.pos] !== ')') {
      throw new Re2SyntaxError(
        `unbalanced parenthesis at offset ${start}: this "(" is never closed; add ")" or escape it as \\(`,
        start,
      );
    }
    this.pos++;
    this.flags = saved;
    this.depth--;
    return sub;
  }

  /** (?i), (?i-s), (?i:re), (?:re). Returns null for a bare flag setting. */
  private parseFlagGroup(start: number): Node | null {
    const src = this.src;
    const next = { ...this.flags };
    let negated = false;
    let sawFlag = false;
    let i = start + 2;
    for (;;) {
      if (i >= src.length) {
        throw new Re2SyntaxError(`unterminated group "${src.slice(start)}" at offset ${start}: missing ")"`, start);
      }
      const c = src[i++];
      if (c === 'i' || c === 'm' || c === 's' || c === 'U') {
        next[c] = !negated;
        sawFlag = true;
        this.diffs.add('inlineFlags');
      } else if (c === '-') {
        if (negated) {
          throw new Re2SyntaxError(`invalid flag group ${src.slice(start, i)} at offset ${start}: only one "-" is allowed`, start);
        }
        negated = true;
        sawFlag = false;
      } else if (c === ':' || c === ')') {
        if (negated && !sawFlag) {
          throw new Re2SyntaxError(
            `invalid flag group ${src.slice(start, i)} at offset ${start}: "-" must be followed by a flag, e.g. (?-i)`,
            start,
          );
        }
        this.pos = i;
        if (c === ')') {
          this.flags = next; // applies until the end of the enclosing group
          return null;
        }
        const saved = this.flags;
        this.flags = next;
        const sub = this.parseGroupBody(start);
        this.flags = saved;
        return sub;
      } else {
        throw new Re2SyntaxError(
          `unsupported group or flag "${src.slice(start, i)}" at offset ${start}: RE2 groups are (re), (?:re), (?P<name>re), (?<name>re) and the flags i, m, s, U as in (?i) or (?i:re)`,
          start,
        );
      }
    }
  }

  private rejectPerlOnlyGroup(start: number): void {
    const rest = this.src.slice(start + 2, start + 4);
    const fail = (message: string): never => {
      throw new Re2SyntaxError(message, start);
    };
    const noLookaround = 'RE2 has no lookaround; restructure the regex or use separate match conditions';
    if (rest.startsWith('=')) fail(`lookahead (?=…) is not RE2 syntax; ${noLookaround}`);
    if (rest.startsWith('!')) fail(`negative lookahead (?!…) is not RE2 syntax; ${noLookaround}`);
    if (rest === '<=') fail(`lookbehind (?<=…) is not RE2 syntax; ${noLookaround}`);
    if (rest === '<!') fail(`negative lookbehind (?<!…) is not RE2 syntax; ${noLookaround}`);
    if (rest.startsWith('>')) fail('atomic group (?>…) is not RE2 syntax; use (?:…) — RE2 never backtracks, so it is not needed');
    if (rest.startsWith('#')) fail('comment group (?#…) is not RE2 syntax; remove it');
    if (rest.startsWith('(')) fail('conditional group (?(…)…) is not RE2 syntax; use alternation');
    if (rest.startsWith('|')) fail('branch-reset group (?|…) is not RE2 syntax; use (?:…)');
    if (rest === 'P=') fail('named backreference (?P=name) is not supported by RE2 (Envoy rejects this regex); match the text explicitly');
    if (rest === 'P>' || rest.startsWith('&') || rest.startsWith('R') || /^[+-]?\d/.test(rest)) {
      fail('recursion/subroutine calls like (?R), (?1) or (?&name) are not RE2 syntax');
    }
    if (rest.startsWith("'")) fail("named group (?'name'…) is not RE2 syntax; use (?P<name>…)");
  }

  // -------------------------------------------------------------------------
  // Atoms

  private assertion(kind: AssertKind): Node {
    return { type: 'assert', kind };
  }

  /** A literal, or under (?i) the set of its case-fold equivalents. */
  private literal(cp: number): Node {
    if (this.flags.i) {
      const orbit = orbitOf(cp);
      if (orbit.length > 1) {
        const pairs: number[] = [];
        for (const c of orbit) pairs.push(c, c);
        return { type: 'set', set: setFromPairs(pairs) };
      }
    }
    return { type: 'literal', cp };
  }

  private readCodePoint(): number {
    const src = this.src;
    const c = src.charCodeAt(this.pos);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = src.charCodeAt(this.pos + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        this.pos += 2;
        return (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
      }
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      throw new Re2SyntaxError(`lone UTF-16 surrogate at offset ${this.pos}: the pattern is not valid UTF-8 for RE2`, this.pos);
    }
    this.pos++;
    return c;
  }

  /** A named group (\d, [:alpha:], \pL) with RE2's rule: fold the positive set, then negate. */
  private groupSet(positive: CharSet, negated: boolean): CharSet {
    const folded = this.flags.i ? foldSet(positive) : positive;
    return negated ? negate(folded) : folded;
  }

  private parseEscapeAtom(items: Node[]): void {
    const src = this.src;
    const start = this.pos;
    if (start + 1 >= src.length) this.trailingBackslash(start);
    const c = src[start + 1];
    switch (c) {
      case 'b':
      case 'B':
        this.pos += 2;
        items.push(this.assertion(c === 'b' ? WORD_BOUNDARY : NOT_WORD_BOUNDARY));
        return;
      case 'A':
      case 'z':
        this.pos += 2;
        this.diffs.add('textAnchors');
        items.push(this.assertion(c === 'A' ? BEGIN_TEXT : END_TEXT));
        return;
      case 'Q': {
        // \Q...\E: everything up to \E (or the end) is literal; no escapes inside.
        this.diffs.add('quoted');
        const body = start + 2;
        const end = src.indexOf('\\E', body);
        const stop = end < 0 ? src.length : end;
        this.pos = body;
        while (this.pos < stop) items.push(this.literal(this.readCodePoint()));
        this.pos = end < 0 ? src.length : end + 2;
        return;
      }
      case 'p':
      case 'P':
        items.push({ type: 'set', set: this.parseUnicodeClass() });
        return;
      case 'd':
      case 's':
      case 'w':
      case 'D':
      case 'S':
      case 'W':
        this.pos += 2;
        if (c === 's' || c === 'S') this.diffs.add('space');
        items.push({ type: 'set', set: this.perlClass(c) });
        return;
      default:
        items.push(this.literal(this.parseEscape(false)));
    }
  }

  private perlClass(c: string): CharSet {
    const lower = c.toLowerCase();
    return this.groupSet(setFromPairs(PERL_CLASSES[lower].flat()), c !== lower);
  }

  private trailingBackslash(at: number): never {
    throw new Re2SyntaxError(`trailing backslash at offset ${at}: escape it as \\\\ to match a literal backslash`, at);
  }

  /** \p{Greek}, \pL, \P{Lu}, \p{^Greek}: pos is at the backslash. */
  private parseUnicodeClass(): CharSet {
    const src = this.src;
    const start = this.pos;
    let negated = src[start + 1] === 'P';
    this.pos = start + 2;
    if (this.pos >= src.length) {
      throw new Re2SyntaxError(`incomplete Unicode class ${src.slice(start)} at offset ${start}: write e.g. \\pL or \\p{Greek}`, start);
    }
    let name: string;
    if (src[this.pos] === '{') {
      const close = src.indexOf('}', this.pos);
      if (close < 0) {
        throw new Re2SyntaxError(`Unicode class at offset ${start} is missing "}", e.g. \\p{Greek}`, start);
      }
      name = src.slice(this.pos + 1, close);
      this.pos = close + 1;
    } else {
      name = String.fromCodePoint(this.readCodePoint());
    }
    const seq = src.slice(start, this.pos);
    if (name.startsWith('^')) {
      negated = !negated;
      name = name.slice(1);
    }
    this.diffs.add('unicodeClass');
    const set = unicodeClass(name);
    if (set === null) {
      throw new Re2SyntaxError(
        `unknown Unicode class ${seq} at offset ${start}: RE2 accepts general categories (\\pL, \\p{Lu}), script names (\\p{Greek}) and \\p{Any}`,
        start,
      );
    }
    return this.groupSet(set, negated);
  }

  /**
   * A single-character escape (outside or inside a class); pos is at the
   * backslash. Returns the code point.
   */
  private parseEscape(inClass: boolean): number {
    const src = this.src;
    const start = this.pos;
    if (start + 1 >= src.length) this.trailingBackslash(start);
    this.pos = start + 1;
    const c = this.readCodePoint();
    const ch = String.fromCodePoint(c);
    const esc = `\\${ch}`;
    const fail = (message: string): never => {
      throw new Re2SyntaxError(message, start);
    };
    if (ch >= '1' && ch <= '9' && !(ch <= '7' && isOctal(src[this.pos]))) {
      // \1 .. \9 alone are Perl backreferences; RE2 cannot implement them in linear time.
      fail(`backreference ${esc} is not supported by RE2 (Envoy rejects this regex); match the text explicitly`);
    }
    if (ch >= '0' && ch <= '7') {
      // Octal: up to three digits in total.
      if (ch !== '0') this.diffs.add('octal');
      let code = c - 0x30;
      for (let k = 0; k < 2 && isOctal(src[this.pos]); k++) code = code * 8 + (src.charCodeAt(this.pos++) - 0x30);
      return code;
    }
    switch (ch) {
      case 'x':
        return this.parseHex(start);
      case 'n':
        return 0x0a;
      case 'r':
        return 0x0d;
      case 't':
        return 0x09;
      case 'f':
        return 0x0c;
      case 'v':
        return 0x0b;
      case 'a':
        this.diffs.add('bell');
        return 0x07;
      default:
        break;
    }
    // Escaped punctuation (including \_) is always the character itself.
    if (c < 0x80 && !isAsciiAlnum(c)) return c;
    const at = `at offset ${start}`;
    switch (ch) {
      case 'k':
      case 'g':
        return fail(`backreference ${esc}… is not supported by RE2 (Envoy rejects this regex); match the text explicitly`);
      case 'Z':
        return fail(`\\Z ${at} is not supported by RE2; use \\z (end of text) — RE2's $ without (?m) already means end of text`);
      case 'G':
        return fail(`\\G ${at} is not supported by RE2 (there is no "end of previous match" anchor)`);
      case 'C':
        return fail(`\\C (any byte) ${at} is not supported by meshsim; use . to match one character`);
      case 'E':
        return fail(`\\E ${at} has no matching \\Q; remove it or start the quoted text with \\Q`);
      case 'u':
      case 'U':
        return fail(`${esc} ${at} is not RE2 syntax; write a code point as \\x{263a}`);
      case 'e':
        return fail(`\\e ${at} is not RE2 syntax; use \\x1b`);
      case 'c':
        return fail(`control escape \\c ${at} is not RE2 syntax; use a hex escape such as \\x01`);
      default:
        break;
    }
    if (inClass) {
      if (ch === 'b') return fail(`\\b inside a character class ${at} is not supported by RE2 (it is not backspace there); use \\x08`);
      if ('ABzQpP'.includes(ch)) return fail(`${esc} is not allowed inside a character class ${at}`);
    }
    return fail(
      `invalid escape sequence ${esc} ${at}: RE2 only allows escaping punctuation and the escapes \\d \\s \\w \\b \\A \\z \\x \\p \\Q \\n \\t \\r \\f \\v \\a and octal`,
    );
  }

  /** \x41 or \x{263a}; pos is just after the x. */
  private parseHex(start: number): number {
    const src = this.src;
    const bad = (): never => {
      const end = Math.min(src.length, this.pos + 1);
      throw new Re2SyntaxError(
        `invalid hex escape ${src.slice(start, end)} at offset ${start}: use exactly two hex digits (\\x41) or braces (\\x{263a}) up to \\x{10FFFF}`,
        start,
      );
    };
    if (src[this.pos] === '{') {
      this.pos++;
      let code = 0;
      let digits = 0;
      while (this.pos < src.length && isHex(src[this.pos])) {
        code = code * 16 + parseInt(src[this.pos], 16);
        if (code > MAX_RUNE) bad();
        digits++;
        this.pos++;
      }
      if (digits === 0 || src[this.pos] !== '}') bad();
      this.pos++;
      this.diffs.add('hexBrace');
      return code;
    }
    const a = src[this.pos];
    const b = src[this.pos + 1];
    if (a === undefined || b === undefined || !isHex(a) || !isHex(b)) bad();
    this.pos += 2;
    return parseInt(a + b, 16);
  }

  // -------------------------------------------------------------------------
  // Character classes

  private parseClass(): CharSet {
    const src = this.src;
    const start = this.pos;
    this.pos++;
    let negated = false;
    if (src[this.pos] === '^') {
      negated = true;
      this.pos++;
    }
    let acc: CharSet = new Int32Array(0);
    const pairs: number[] = [];
    let first = true; // ']' right after '[' or '[^' is a literal
    while (this.pos < src.length && (src[this.pos] !== ']' || first)) {
      first = false;
      const here = this.pos;
      // [:alpha:] — RE2 looks for the closing ":]" anywhere ahead.
      if (src.startsWith('[:', here)) {
        const close = src.indexOf(':]', here + 2);
        if (close >= 0) {
          const full = src.slice(here, close + 2);
          let name = src.slice(here + 2, close);
          const neg = name.startsWith('^');
          if (neg) name = name.slice(1);
          const ranges = Object.hasOwn(POSIX_CLASSES, name) ? POSIX_CLASSES[name] : undefined;
          if (ranges === undefined) {
            throw new Re2SyntaxError(
              `unknown POSIX class ${full} at offset ${here}; valid names: ${Object.keys(POSIX_CLASSES).join(', ')}`,
              here,
            );
          }
          this.diffs.add('posixClass');
          acc = union(acc, this.groupSet(setFromPairs(ranges.flat()), neg));
          this.pos = close + 2;
          continue;
        }
      }
      if (src[here] === '\\' && (src[here + 1] === 'p' || src[here + 1] === 'P')) {
        acc = union(acc, this.parseUnicodeClass());
        continue;
      }
      if (src[here] === '\\' && src[here + 1] !== undefined && 'dswDSW'.includes(src[here + 1])) {
        const c = src[here + 1];
        if (c === 's' || c === 'S') this.diffs.add('space');
        acc = union(acc, this.perlClass(c));
        this.pos += 2;
        continue;
      }
      const lo = this.classChar(start);
      let hi = lo;
      // [a-] means a or '-': a range needs something other than ']' after the '-'.
      if (src[this.pos] === '-' && this.pos + 1 < src.length && src[this.pos + 1] !== ']') {
        this.pos++;
        if (src[this.pos] === '\\' && src[this.pos + 1] !== undefined && 'dswDSWpP'.includes(src[this.pos + 1])) {
          throw new Re2SyntaxError(
            `invalid character class range ${src.slice(here, this.pos + 2)} at offset ${here}: a class like \\d cannot end a range; put "-" last to match it literally`,
            here,
          );
        }
        hi = this.classChar(start);
        if (hi < lo) {
          throw new Re2SyntaxError(
            `invalid character class range ${src.slice(here, this.pos)} at offset ${here}: the start is after the end`,
            here,
          );
        }
      }
      pairs.push(lo, hi);
    }
    if (this.pos >= src.length) {
      throw new Re2SyntaxError(
        `missing closing ] for the character class at offset ${start}; escape it as \\[ to match a literal bracket`,
        start,
      );
    }
    this.pos++; // ']'
    let set = setFromPairs(pairs);
    if (this.flags.i) set = foldSet(set);
    set = union(set, acc);
    // RE2 folds each member first and negates the whole class last.
    return negated ? negate(set) : set;
  }

  private classChar(classStart: number): number {
    if (this.pos >= this.src.length) {
      throw new Re2SyntaxError(`missing closing ] for the character class at offset ${classStart}`, classStart);
    }
    if (this.src[this.pos] === '\\') return this.parseEscape(true);
    return this.readCodePoint();
  }
}

export function parseRe2(pattern: string, caseInsensitive = false): ParsedPattern {
  return new Parser(pattern, caseInsensitive).parse();
}
