/**
 * The trace hash (sim/trace/hash.ts) must stay bit-identical across versions: golden files and
 * Node == Chromium rest on it. Its hot loop is hand-inlined and skips the division for integers in
 * [0, 2^32) (issue #10); these compare it with the algorithm as first written, over boundary
 * integers, strings first seen and repeated, null, booleans and undefined.
 */
import { describe, expect, it } from 'vitest';
import { Rng } from '../../sim/engine/rng.ts';
import { TraceHasher } from '../../sim/trace/hash.ts';
import type { TraceEvent } from '../../sim/trace/events.ts';

/** The reference: the hash as first written (a method per int and string, floor division for every integer). */
class ReferenceHasher {
  private a = 0x811c9dc5 | 0;
  private b = 0x050c5d1f | 0;
  private readonly ids = new Map<string, number>();
  private mixInt(v: number): void {
    const lo = v | 0;
    const hi = Math.floor(v / 4294967296) | 0;
    this.a = Math.imul(this.a ^ lo, 0x01000193);
    this.b = Math.imul(this.b ^ (lo + 0x9e3779b9), 0x2c1b3c6d);
    this.a = Math.imul(this.a ^ hi, 0x01000193);
    this.b = Math.imul(this.b ^ (hi + 0x7f4a7c15), 0x2c1b3c6d);
  }
  private mixString(s: string): void {
    let id = this.ids.get(s);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(s, id);
      for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        this.a = Math.imul(this.a ^ c, 0x01000193);
        this.b = Math.imul(this.b ^ (c + 0x3c6ef372), 0x2c1b3c6d);
      }
      this.a = Math.imul(this.a ^ (s.length + 0x100), 0x01000193);
      this.b = Math.imul(this.b ^ s.length, 0x2c1b3c6d);
    }
    this.mixInt(id);
  }
  add(ev: object): void {
    for (const [, v] of Object.entries(ev)) {
      if (typeof v === 'number') this.mixInt(v);
      else if (typeof v === 'string') this.mixString(v);
      else if (v === null) this.mixInt(-1);
      else this.mixString(String(v));
    }
  }
  digest(): string {
    return (this.a >>> 0).toString(16).padStart(8, '0') + (this.b >>> 0).toString(16).padStart(8, '0');
  }
}

function both(events: object[]): [string, string] {
  const fast = new TraceHasher();
  const ref = new ReferenceHasher();
  for (const ev of events) {
    fast.add(ev as TraceEvent);
    ref.add(ev);
  }
  return [fast.digest(), ref.digest()];
}

describe('trace hash', () => {
  it('integers hash as the plain floor-division formula: the 2^31/2^32 boundaries, negatives, 2^53, fractions', () => {
    const values = [0, 1, -1, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, -(2 ** 31), -(2 ** 32), -(2 ** 32) - 1, 2 ** 53 - 1, -(2 ** 53) + 1, 0.5, -0.5, 4294967295.5];
    const rng = new Rng('hash-ints');
    for (let i = 0; i < 2000; i++) values.push(rng.int(2 ** 33) - 2 ** 32, rng.int(2 ** 40));
    const [fast, ref] = both(values.map((v) => ({ kind: 'x', v })));
    expect(fast).toBe(ref);
  });

  it('strings (first seen, then by id), null, booleans and undefined hash as first written', () => {
    const rng = new Rng('hash-mixed');
    const words = ['upstream', 'reviews-v1', 'reviews-v2', '-', 'UH', '', 'ünï', 'a', 'ab', 'b'];
    const events: object[] = [];
    for (let i = 0; i < 3000; i++) {
      events.push({ kind: words[rng.int(words.length)], timeUs: rng.int(1e9), pod: rng.int(3) === 0 ? null : words[rng.int(words.length)], flag: rng.int(2) === 0, missing: undefined, code: rng.int(600) });
    }
    const [fast, ref] = both(events);
    expect(fast).toBe(ref);
    // And the digest moves when one field does.
    const changed = events.map((e, i) => (i === 1500 ? { ...e, code: (e as { code: number }).code + 1 } : e));
    expect(both(changed)[0]).not.toBe(fast);
  });
});
