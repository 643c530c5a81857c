import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../sim/metrics/histogram.ts';
import { Rng } from '../../sim/engine/rng.ts';

describe('latency histogram', () => {
  it('is exact below 256us and keeps exact mean and max', () => {
    const h = new LatencyHistogram();
    for (let v = 1; v <= 100; v++) h.record(v);
    expect(h.percentileUs(50)).toBe(50);
    expect(h.percentileUs(99)).toBe(99);
    expect(h.percentileUs(100)).toBe(100);
    expect(h.meanUs()).toBe(50.5);
    expect(h.maxUs).toBe(100);
  });

  it('percentiles stay within 0.8% of the exact nearest-rank value', () => {
    const rng = new Rng('hist');
    const h = new LatencyHistogram();
    const values: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const v = rng.exponentialUs(50_000) + 1;
      values.push(v);
      h.record(v);
    }
    values.sort((a, b) => a - b);
    for (const p of [50, 90, 99, 99.9]) {
      const exact = values[Math.ceil((p / 100) * values.length) - 1];
      expect(Math.abs(h.percentileUs(p) - exact) / exact).toBeLessThan(0.008);
    }
  });

  it('merging two histograms equals recording into one', () => {
    const a = new LatencyHistogram();
    const b = new LatencyHistogram();
    const c = new LatencyHistogram();
    for (let i = 0; i < 1000; i++) {
      (i % 2 ? a : b).record(i * 37);
      c.record(i * 37);
    }
    a.merge(b);
    expect(a.percentileUs(90)).toBe(c.percentileUs(90));
    expect(a.count).toBe(c.count);
    expect(a.sumUs).toBe(c.sumUs);
  });
});
