/**
 * Named random streams (DESIGN.md, Determinism). Every draw in meshsim comes from a stream
 * derived from the scenario seed and a stable label, e.g. `root.fork('traffic/jason')`. A stream's
 * draws depend only on (seed, label path), never on how many other streams exist or in which order
 * they were created, so adding a service or a fault leaves everyone else's draws unchanged.
 *
 * Generator: seedrandom's `alea`, always with an explicit seed string.
 */
import seedrandom from 'seedrandom';

export class Rng {
  /** The full label path, e.g. "7/traffic/jason". Also the alea seed of this stream. */
  readonly label: string;
  private readonly next: () => number;

  constructor(seedLabel: string) {
    this.label = seedLabel;
    const prng = seedrandom.alea(seedLabel);
    // alea's double() gives 53 random bits; the plain call only 32.
    this.next = () => prng.double();
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

  private spareNormal = NaN;

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
