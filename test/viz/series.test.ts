/**
 * Chart series (viz/src/replay/series.ts): binned counts add up to the events they fold, and the
 * latency percentiles stay ordered.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario, MemorySink, runScenario } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { ColumnarSink, TraceView } from '../../viz/src/replay/columnar.ts';
import { ReplayIndex } from '../../viz/src/replay/keyframes.ts';
import { buildSeries, codeClass, CODE_CLASSES } from '../../viz/src/replay/series.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

describe('buildSeries (outlier-ejection scenario: a few 503s reach the client)', () => {
  const columnar = new ColumnarSink();
  const memory = new MemorySink();
  runScenario(loadScenario('scenarios/outlier-ejection.yaml', nodeFiles({ cwd: repoRoot })), { sinks: [columnar, memory], detail: true });
  const view = new TraceView(columnar.finish());
  const index = new ReplayIndex(view);
  const edgeIds = index.edges.map((e) => `${e.source}>${e.destination ?? e.service}`);
  const s = buildSeries(view, index.endUs, 40, index.edgeOfRow, edgeIds);
  const ends = memory.events.filter((e) => e.kind === 'client.end');

  it('codes per class over all bins = client.end events of that class', () => {
    CODE_CLASSES.forEach((c, i) => {
      const total = s.codes[i].reduce((n, v) => n + v, 0);
      expect(total).toBe(ends.filter((e) => e.kind === 'client.end' && codeClass(e.code) === c).length);
    });
    expect(s.codes[CODE_CLASSES.indexOf('5xx')].some((v) => v > 0)).toBe(true);
  });

  it('attempts per second × bin length, summed over bins and edges = upstream events', () => {
    let total = 0;
    for (const v of s.rpsByEdge.values()) total += v.reduce((n, r) => n + r, 0) * (s.binUs / 1_000_000);
    expect(total).toBeCloseTo(memory.events.filter((e) => e.kind === 'upstream').length, 6);
  });

  it('p50 ≤ p90 ≤ p99 in every bin with requests; NaN in bins without', () => {
    for (let b = 0; b < s.bins; b++) {
      const n = s.codes.reduce((m, c) => m + c[b], 0);
      if (n === 0) expect(Number.isNaN(s.p99Ms[b])).toBe(true);
      else {
        expect(s.p50Ms[b]).toBeLessThanOrEqual(s.p90Ms[b]);
        expect(s.p90Ms[b]).toBeLessThanOrEqual(s.p99Ms[b]);
      }
    }
  });
});
