/**
 * A fast running hash over trace events: two independent 32-bit FNV-1a-style lanes (64 bits in
 * all), fed with every field of every event in the order the fields were written. Integers are
 * mixed as two 32-bit halves, strings code unit by code unit. Pure integer arithmetic, so Node and
 * browsers agree bit for bit.
 */
import type { TraceEvent } from './events.ts';

const FNV_PRIME = 0x01000193;

export class TraceHasher {
  private a = 0x811c9dc5 | 0;
  private b = 0x050c5d1f | 0;
  count = 0;

  /**
   * Strings repeat endlessly in a trace (workload names, flags, cluster names). Each distinct
   * string is hashed character by character once, when first seen, and given the next integer id;
   * later occurrences mix in only that id. Ids follow first-seen order, which the deterministic
   * event order fixes, so the digest is the same in every runtime.
   */
  private readonly ids = new Map<string, number>();

  private mixChars(s: string): void {
    let a = this.a;
    let b = this.b;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      a = Math.imul(a ^ c, FNV_PRIME);
      b = Math.imul(b ^ (c + 0x3c6ef372), 0x2c1b3c6d);
    }
    // Length terminator so "ab"+"c" differs from "a"+"bc".
    this.a = Math.imul(a ^ (s.length + 0x100), FNV_PRIME);
    this.b = Math.imul(b ^ s.length, 0x2c1b3c6d);
  }

  add(ev: TraceEvent): void {
    this.count++;
    // Integers are mixed inline, with both lanes in locals for the whole event: this runs for every
    // field of every event (about a seventh of a Bookinfo run's time).
    let a = this.a;
    let b = this.b;
    const rec = ev as unknown as Record<string, unknown>;
    for (const key in rec) {
      const v = rec[key];
      let x: number;
      if (typeof v === 'number') x = v;
      else if (v === null) x = -1;
      else {
        const s = typeof v === 'string' ? v : String(v);
        let id = this.ids.get(s);
        if (id === undefined) {
          id = this.ids.size;
          this.ids.set(s, id);
          this.a = a;
          this.b = b;
          this.mixChars(s);
          a = this.a;
          b = this.b;
        }
        x = id;
      }
      // Mixed as two 32-bit halves; trace integers almost always lie in [0, 2^32), where the high
      // half is 0, so the division is skipped for them (same value).
      const lo = x | 0;
      const hi = x >= 0 && x < 4294967296 ? 0 : Math.floor(x / 4294967296) | 0;
      a = Math.imul(a ^ lo, FNV_PRIME);
      b = Math.imul(b ^ (lo + 0x9e3779b9), 0x2c1b3c6d);
      a = Math.imul(a ^ hi, FNV_PRIME);
      b = Math.imul(b ^ (hi + 0x7f4a7c15), 0x2c1b3c6d);
    }
    this.a = a;
    this.b = b;
  }

  /** 16 hex digits. */
  digest(): string {
    return hex32(this.a) + hex32(this.b);
  }
}

function hex32(x: number): string {
  return (x >>> 0).toString(16).padStart(8, '0');
}
