/**
 * Named random streams (DESIGN.md, Determinism). Every draw in meshsim comes from a stream
 * derived from the scenario seed and a stable label, e.g. `root.fork('traffic/jason')`. A stream's
 * draws depend only on (seed, label path), never on how many other streams exist or in which order
 * they were created, so adding a service or a fault leaves everyone else's draws unchanged.
 *
 * Generator: seedrandom's `alea`, always with an explicit seed string.
 */
import seedrandom from 'seedrandom';

/** seedrandom's alea state (its `state: true` option). */
interface AleaState {
  s0: number;
  s1: number;
  s2: number;
  c: number;
}

/** Doubles computed per refill of a stream's buffer (64 alea steps). */
const BLOCK = 32;

export class Rng {
  /** The full label path, e.g. "7/traffic/jason". Also the alea seed of this stream. */
  readonly label: string;
  // alea's state, stepped here instead of through seedrandom's closures (prng.double → prng →
  // me.next): sampled latencies are a quarter of a Bookinfo run's time. seedrandom still seeds
  // (its Mash hash); `refill` is alea's arithmetic, operation for operation, so a stream yields
  // exactly the numbers of seedrandom.alea(label).double() (test/engine/rng.test.ts compares them).
  private s0: number;
  private s1: number;
  private s2: number;
  private c: number;
  /**
   * The stream's next doubles, computed BLOCK at a time with the state in locals: a draw is then
   * one typed-array read, about 2.5× cheaper than stepping the object's fields each time. Only
   * the batching changes, never the sequence. Allocated at the first draw (most streams of a large
   * mesh never draw).
   */
  private buf: Float64Array | null = null;
  private bufAt = BLOCK;
  private spareNormal = NaN;

  constructor(seedLabel: string) {
    this.label = seedLabel;
    const state = (seedrandom.alea(seedLabel, { state: true }) as unknown as { state(): AleaState }).state();
    this.s0 = state.s0;
    this.s1 = state.s1;
    this.s2 = state.s2;
    this.c = state.c;
  }

  /**
   * The next BLOCK values of alea's double(): 53 random bits from two steps, the first giving the
   * high 32 bits, the second the low 21 (seedrandom's `prng() + (prng() * 0x200000 | 0) * 2^-53`).
   */
  private refill(): Float64Array {
    const buf = (this.buf ??= new Float64Array(BLOCK));
    let s0 = this.s0;
    let s1 = this.s1;
    let s2 = this.s2;
    let c = this.c;
    for (let k = 0; k < BLOCK; k++) {
      let t = 2091639 * s0 + c * 2.3283064365386963e-10; // 2^-32
      s0 = s1;
      s1 = s2;
      c = t | 0;
      s2 = t - c;
      const high = s2;
      t = 2091639 * s0 + c * 2.3283064365386963e-10;
      s0 = s1;
      s1 = s2;
      c = t | 0;
      s2 = t - c;
      buf[k] = high + ((s2 * 0x200000) | 0) * 1.1102230246251565e-16; // 2^-53
    }
    this.s0 = s0;
    this.s1 = s1;
    this.s2 = s2;
    this.c = c;
    this.bufAt = 0;
    return buf;
  }

  /** alea's double(): the next value of the stream. */
  private next(): number {
    const buf = this.bufAt < BLOCK ? this.buf! : this.refill();
    return buf[this.bufAt++];
  }

  /** The root stream of a run. */
  static root(seed: number): Rng {
    return new Rng(`meshsim:${seed}`);
  }

  /** A child stream; its draws are independent of this stream's and of every sibling's. */
  fork(label: string): Rng {
    return new Rng(`${this.label}/${label}`);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform integer in [0, n). n must be a positive integer. */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability ppm / 1,000,000 (Istio percentages are converted to ppm, §9.2). */
  chancePpm(ppm: number): boolean {
    if (ppm <= 0) return false;
    if (ppm >= 1_000_000) return true;
    return this.int(1_000_000) < ppm;
  }

  /** Exponential sample with the given mean, rounded to whole µs. Same formula as Python's expovariate. */
  exponentialUs(meanUs: number): number {
    return Math.round(-Math.log(1 - this.next()) * meanUs);
  }

  /** Standard normal sample (Box–Muller: two draws give two samples; the second is kept for the next call). */
  normal(): number {
    const spare = this.spareNormal;
    if (spare === spare) {
      this.spareNormal = NaN;
      return spare;
    }
    const r = Math.sqrt(-2 * Math.log(1 - this.next()));
    const theta = 2 * Math.PI * this.next();
    this.spareNormal = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}
