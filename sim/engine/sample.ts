/**
 * Duration samplers. Every sample is rounded to whole microseconds at once (DESIGN.md,
 * Determinism), so floating-point differences between engines can only show as an off-by-one µs
 * that the golden traces would catch, never as a float in the trace.
 */
import type { Distribution } from '../config/types.ts';
import type { Rng } from './rng.ts';

export type Sampler = (rng: Rng) => number;

/** z such that Φ(z) = 0.99. */
const Z99 = 2.3263478740408408;

export function makeSampler(d: Distribution): Sampler {
  switch (d.kind) {
    case 'constant': {
      const v = Math.round(d.valueUs);
      return () => v;
    }
    case 'uniform': {
      const { minUs, maxUs } = d;
      return (rng) => Math.round(minUs + rng.float() * (maxUs - minUs));
    }
    case 'exponential': {
      const mean = d.meanUs;
      return (rng) => rng.exponentialUs(mean);
    }
    case 'lognormal': {
      const mu = Math.log(d.medianUs);
      const sigma = Math.log(d.p99Us / d.medianUs) / Z99;
      return (rng) => Math.round(Math.exp(mu + sigma * rng.normal()));
    }
    case 'empirical': {
      const total = d.weights.reduce((a, b) => a + b, 0);
      const cumulative: number[] = [];
      let acc = 0;
      for (const w of d.weights) cumulative.push((acc += w) / total);
      const upper = d.upperUs;
      return (rng) => {
        const u = rng.float();
        let i = 0;
        while (i < cumulative.length - 1 && u >= cumulative[i]) i++;
        const lo = i === 0 ? 0 : upper[i - 1];
        return Math.round(lo + rng.float() * (upper[i] - lo));
      };
    }
  }
}

/** Mean of a distribution in µs (for docs, bench baselines and oracle tests). */
export function distributionMeanUs(d: Distribution): number {
  switch (d.kind) {
    case 'constant':
      return d.valueUs;
    case 'uniform':
      return (d.minUs + d.maxUs) / 2;
    case 'exponential':
      return d.meanUs;
    case 'lognormal': {
      const sigma = Math.log(d.p99Us / d.medianUs) / Z99;
      return d.medianUs * Math.exp((sigma * sigma) / 2);
    }
    case 'empirical': {
      const total = d.weights.reduce((a, b) => a + b, 0);
      let mean = 0;
      for (let i = 0; i < d.weights.length; i++) {
        const lo = i === 0 ? 0 : d.upperUs[i - 1];
        mean += (d.weights[i] / total) * ((lo + d.upperUs[i]) / 2);
      }
      return mean;
    }
  }
}
