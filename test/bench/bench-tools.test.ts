/**
 * The bench's own tools (not timings): the mesh generator is deterministic from its seed and
 * yields a valid scenario of the asked size; --compare flags a regression only beyond the
 * threshold and in the direction that is worse for that unit.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/config/index.ts';
import { runScenario } from '../../sim/run.ts';
import { compareResults, directionOf, REGRESSION_THRESHOLD } from './compare.ts';
import { generateMesh } from './generate-mesh.ts';

const shape = { services: 12, pods: 40, namespaces: 3, ratePerSec: 100, durationSec: 1, seed: 7 };

describe('generateMesh', () => {
  it('is a valid scenario of the asked size, the same for the same seed and different for another', () => {
    const a = generateMesh(shape);
    const s = loadScenario(a.scenarioPath, a.files);
    const pods = s.resources.filter((r) => r.kind === 'Deployment').reduce((n, d) => n + (d.kind === 'Deployment' ? d.replicas : 0), 0);
    expect(pods).toBe(shape.pods + 1); // + the load generator
    expect(s.resources.filter((r) => r.kind === 'Service').length).toBe(shape.services);
    const read = (g: ReturnType<typeof generateMesh>) => JSON.stringify([g.files.read(g.scenarioPath), g.services]);
    expect(read(generateMesh(shape))).toBe(read(a));
    expect(read(generateMesh({ ...shape, seed: 8 }))).not.toBe(read(a));
    const r = runScenario(s);
    expect(r.budgetMessage).toBeNull();
    expect(r.summary.clients.reduce((n, c) => n + c.requests, 0)).toBeGreaterThan(0);
  });
});

describe('bench --compare', () => {
  it('knows which way is worse from the unit', () => {
    expect(directionOf('medianWallMs')).toBe('lower');
    expect(directionOf('peakRssMiB')).toBe('lower');
    expect(directionOf('ratio')).toBe('lower');
    expect(directionOf('eventsPerSec')).toBe('higher');
    expect(directionOf('steadyRequestsPerCpuSec')).toBe('higher');
    expect(directionOf('cpuRatio')).toBe('lower');
    expect(directionOf('meanLatencyMs')).toBeNull();
    expect(directionOf('requests')).toBeNull();
    expect(directionOf('ratePerSec')).toBeNull(); // an input
    expect(compareResults({ a: { wallMs: 1, ratio: 2 } }, { a: { wallMs: 9, ratio: 2.1 } }, REGRESSION_THRESHOLD, true).map((r) => r.path)).toEqual(['a.ratio']);
  });

  it('flags only changes beyond the threshold, in the worse direction', () => {
    const t = REGRESSION_THRESHOLD;
    const before = { a: { wallMs: 100, eventsPerSec: 1000, requests: 5 } };
    const rows = (after: object) => Object.fromEntries(compareResults(before, after as Record<string, unknown>).map((r) => [r.path, r.regression]));
    expect(rows({ a: { wallMs: 100 * (1 + t) - 1, eventsPerSec: 1000 / (1 + t) + 1, requests: 500 } })).toEqual({ 'a.wallMs': false, 'a.eventsPerSec': false });
    expect(rows({ a: { wallMs: 100 * (1 + t) + 1, eventsPerSec: 1000 / (1 + t) - 1 } })).toEqual({ 'a.wallMs': true, 'a.eventsPerSec': true });
    // Better is never a regression, however large.
    expect(rows({ a: { wallMs: 1, eventsPerSec: 1e9 } })).toEqual({ 'a.wallMs': false, 'a.eventsPerSec': false });
  });
});
