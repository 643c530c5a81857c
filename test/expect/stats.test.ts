import { describe, expect, it } from 'vitest';
import { normalQuantile, shareBound, wilsonInterval, zForConfidence } from '../../sim/expect/stats.ts';

describe('expectation statistics', () => {
  it('normalQuantile matches known values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(zForConfidence(0.999)).toBeCloseTo(3.290527, 5);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232, 5);
  });

  it('shareBound: 50% of 412 at 99.9% is ±8.1 points; 100% allows nothing else', () => {
    expect(shareBound(0.5, 412, zForConfidence(0.999))).toBeCloseTo(0.0811, 3);
    expect(shareBound(1, 1000, 3.29)).toBe(0);
  });

  it('wilsonInterval contains p0 exactly when the score test accepts it', () => {
    const z = zForConfidence(0.99);
    for (const [k, n] of [[48, 100], [30, 100], [5, 20], [200, 412]]) {
      const [lo, hi] = wilsonInterval(k, n, z);
      for (const p0 of [0.25, 0.3, 0.4, 0.5, 0.6]) {
        const accepted = Math.abs(k / n - p0) <= shareBound(p0, n, z);
        expect(accepted).toBe(p0 >= lo - 1e-12 && p0 <= hi + 1e-12);
      }
    }
  });
});
