/**
 * Oracles nobody here wrote: queueing theory. A single service behind sidecars with zero latency
 * is an M/M/c queue; its mean time in system must match Erlang C within a batch-means confidence
 * bound derived from the run itself (so the test holds for any seed, not one tuned seed).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import type { AppEndEvent, ClientEndEvent, ClientStartEvent } from '../../sim/trace/events.ts';
import { normalQuantile } from '../../sim/expect/stats.ts';
import * as b from '../helpers/build.ts';

/** Erlang C mean time in system for M/M/c with arrival rate λ and service rate μ (per second). */
function erlangCMeanSojournS(lambda: number, mu: number, c: number): number {
  const a = lambda / mu;
  const rho = a / c;
  let sum = 0;
  let term = 1;
  for (let k = 0; k < c; k++) {
    if (k > 0) term *= a / k;
    sum += term;
  }
  const last = (term * a) / c / (1 - rho); // a^c / c! / (1 − ρ)
  const pWait = last / (sum + last);
  return pWait / (c * mu - lambda) + 1 / mu;
}

function runQueue(seed: number, lambda: number, servers: number, seconds: number) {
  const s = b.scenario({
    seed,
    durationUs: seconds * 1e6,
    zeroLatency: true,
    resources: [b.namespace('default'), b.deployment('client'), b.deployment('server'), b.service('server')],
    workloads: [b.behaviour('server', { serviceTime: b.exponential(1000), concurrency: servers })],
    traffic: [b.openTraffic('load', 'client', 'http://server:8080/', lambda, { stopUs: seconds * 1e6 })],
  });
  const sink = new MemorySink();
  const result = runScenario(s, { sinks: [sink] });
  return { result, events: sink.events };
}

/**
 * Batch means: split sojourn times (in arrival order) into k batches; the batch averages are
 * nearly independent when batches are long, so mean ± t·s/√k is a valid confidence interval.
 */
function batchMeansInterval(values: number[], k: number, confidence: number) {
  const size = Math.floor(values.length / k);
  const means: number[] = [];
  for (let i = 0; i < k; i++) {
    let sum = 0;
    for (let j = i * size; j < (i + 1) * size; j++) sum += values[j];
    means.push(sum / size);
  }
  const grand = means.reduce((a, x) => a + x, 0) / k;
  const sd = Math.sqrt(means.reduce((a, x) => a + (x - grand) ** 2, 0) / (k - 1));
  // Normal quantile with a small-sample inflation (k=30 batches: t ≈ z·1.05 at 99.9%).
  const t = normalQuantile(1 - (1 - confidence) / 2) * (1 + 1.5 / k);
  return { mean: grand, halfWidth: (t * sd) / Math.sqrt(k) };
}

function sojournsInArrivalOrder(events: readonly { kind: string }[]): number[] {
  const ends = events.filter((e): e is AppEndEvent => e.kind === 'app.end');
  ends.sort((x, y) => x.arrivalUs - y.arrivalUs || x.stream - y.stream);
  return ends.map((e) => (e.timeUs - e.arrivalUs) / 1e6);
}

describe('queueing oracles', () => {
  it.each([
    { name: 'M/M/1 at rho=0.8', lambda: 800, c: 1, seconds: 300, seed: 11 },
    { name: 'M/M/4 at rho=0.7', lambda: 2800, c: 4, seconds: 120, seed: 12 },
  ])('$name: mean time in system matches Erlang C within a 99.9% batch-means bound', ({ lambda, c, seconds, seed }) => {
    const { events } = runQueue(seed, lambda, c, seconds);
    const sojourns = sojournsInArrivalOrder(events);
    // Drop the first 2% (the queue starts empty) before batching.
    const steady = sojourns.slice(Math.floor(sojourns.length * 0.02));
    const { mean, halfWidth } = batchMeansInterval(steady, 30, 0.999);
    const theory = erlangCMeanSojournS(lambda, 1000, c);
    expect(halfWidth / theory).toBeLessThan(0.1); // the run is long enough to say something
    expect(Math.abs(mean - theory)).toBeLessThanOrEqual(halfWidth);
  });

  it("Little's law holds on the trace: time-average number in system = arrival rate × mean latency", () => {
    const { events } = runQueue(3, 800, 1, 60);
    const starts = events.filter((e): e is ClientStartEvent => e.kind === 'client.start');
    const ends = events.filter((e): e is ClientEndEvent => e.kind === 'client.end');
    expect(ends.length).toBe(starts.length);
    // Area under N(t) = #started − #ended, integrated by a sweep over start/end timestamps.
    const points: [number, number][] = [...starts.map((e) => [e.timeUs, 1] as [number, number]), ...ends.map((e) => [e.timeUs, -1] as [number, number])];
    points.sort((x, y) => x[0] - y[0] || y[1] - x[1]);
    let n = 0;
    let last = 0;
    let area = 0;
    for (const [t, d] of points) {
      area += n * (t - last);
      last = t;
      n += d;
    }
    const horizon = last;
    const L = area / horizon;
    const lambda = starts.length / horizon;
    const W = ends.reduce((a, e) => a + e.latencyUs, 0) / ends.length;
    expect(Math.abs(L - lambda * W) / L).toBeLessThan(1e-9);
    expect(n).toBe(0);
  });

  it('a FIFO pool never runs more requests at once than its concurrency', () => {
    const { events } = runQueue(5, 2800, 4, 10);
    const ends = events.filter((e): e is AppEndEvent => e.kind === 'app.end');
    const points: [number, number][] = [];
    for (const e of ends) {
      expect(e.startUs).toBeGreaterThanOrEqual(e.arrivalUs);
      expect(e.timeUs).toBeGreaterThanOrEqual(e.startUs);
      points.push([e.startUs, 1], [e.timeUs, -1]);
    }
    points.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let busy = 0;
    let peak = 0;
    for (const [, d] of points) peak = Math.max(peak, (busy += d));
    expect(peak).toBe(4);
  });
});
