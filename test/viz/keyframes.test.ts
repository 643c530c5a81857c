/**
 * The replay's columnar trace and keyframes (viz/src/replay/): pure code, checked in Node against
 * the same run's summary and against a brute-force fold of the events.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenario, MemorySink, runScenario, type EdgeSummary, type RunSummary, type TraceEvent } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { ColumnarSink, TraceView } from '../../viz/src/replay/columnar.ts';
import { ReplayIndex } from '../../viz/src/replay/keyframes.ts';
import { LATENCY_BUCKETS, bucketMiddleUs, latencyBucket, BUCKET_UPPER_US } from '../../viz/src/replay/latency-buckets.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

function run(path: string): { summary: RunSummary; events: TraceEvent[]; view: TraceView } {
  const s = loadScenario(path, nodeFiles({ cwd: repoRoot }));
  const columnar = new ColumnarSink();
  const memory = new MemorySink();
  const summary = runScenario(s, { sinks: [columnar, memory], detail: true }).summary;
  return { summary, events: memory.events, view: new TraceView(columnar.finish()) };
}

const edgeKey = (e: Pick<EdgeSummary, 'sourceNamespace' | 'source' | 'destinationNamespace' | 'destination' | 'service' | 'version'>): string =>
  `${e.sourceNamespace}/${e.source}>${e.destinationNamespace}/${e.destination}>${e.service}>${e.version}`;

describe('columnar trace', () => {
  const { events, view } = run('scenarios/bookinfo.yaml');

  it('decodes every event back to the object the simulation emitted, in order', () => {
    expect(view.count).toBe(events.length);
    for (let i = 0; i < events.length; i += 97) expect(view.event(i)).toEqual(events[i]);
    expect(view.event(events.length - 1)).toEqual(events[events.length - 1]);
  });

  it('holds the provenance (detail) events and times in non-decreasing order', () => {
    expect(view.kindId('route.match')).toBeGreaterThanOrEqual(0);
    expect(view.kindId('lb.pick')).toBeGreaterThanOrEqual(0);
    const t = view.trace.timeUs;
    for (let i = 1; i < t.length; i++) if (t[i] < t[i - 1]) throw new Error(`event ${i} goes back in time`);
  });

  it('a sink at its event limit keeps the first events only and says so', () => {
    const small = new ColumnarSink(100);
    for (const e of events.slice(0, 150)) small.write(e);
    const t = small.finish();
    expect(t.count).toBe(100);
    expect(t.truncated).toBe(true);
    expect(new TraceView(t).event(99)).toEqual(events[99]);
    expect(view.trace.truncated).toBe(false);
  });

  it('upperBound(t) is the first event after t', () => {
    const t = view.trace.timeUs;
    for (const probe of [-1, 0, t[100], t[100] + 0.5, t[t.length - 1], t[t.length - 1] + 1]) {
      const n = view.upperBound(probe);
      if (n > 0) expect(t[n - 1]).toBeLessThanOrEqual(probe);
      if (n < t.length) expect(t[n]).toBeGreaterThan(probe);
    }
  });
});

describe('keyframes', () => {
  const { summary, events, view } = run('scenarios/bookinfo.yaml');
  const index = new ReplayIndex(view, { keyframeEvents: 500, keyframeUs: 1_000_000 });

  it('stateAt(end): edge requests and codes equal the run summary', () => {
    const got = new Map(index.edgeSummaries(index.stateAt(index.endUs)).map((e) => [edgeKey(e), e]));
    expect(got.size).toBe(summary.edges.filter((e) => e.requests > 0).length);
    for (const e of summary.edges) {
      expect(got.get(edgeKey(e))?.requests).toBe(e.requests);
      expect(got.get(edgeKey(e))?.codes).toEqual(e.codes);
    }
  });

  it('stateAt(before the first event): nothing counted', () => {
    const s = index.stateAt(-1);
    expect(index.edgeSummaries(s)).toEqual([]);
    expect(s.clientStarted).toBe(0);
  });

  it('stateAt(t) equals a brute-force fold of the events with time ≤ t, whichever keyframe it starts from', () => {
    expect(index.keyframeCount).toBeGreaterThan(10);
    const endUs = index.endUs;
    for (const t of [0, endUs * 0.013, endUs * 0.25, endUs * 0.5 + 0.5, endUs * 0.999]) {
      const upto = events.filter((e) => e.timeUs <= t);
      const s = index.stateAt(t);
      expect(s.next).toBe(upto.length);
      expect(s.clientStarted).toBe(upto.filter((e) => e.kind === 'client.start').length);
      expect(s.clientEnded).toBe(upto.filter((e) => e.kind === 'client.end').length);
      const perEdge = new Map<string, number>();
      for (const e of upto) {
        if (e.kind !== 'upstream') continue;
        const k = edgeKey({ ...e, destinationNamespace: e.destNamespace });
        perEdge.set(k, (perEdge.get(k) ?? 0) + 1);
      }
      const got = new Map(index.edgeSummaries(s).map((e) => [edgeKey(e), e.requests]));
      expect(got).toEqual(perEdge);
    }
  });

  it('a window between two states counts only the events inside it', () => {
    const a = index.stateAt(10_000_000);
    const b = index.stateAt(20_000_000);
    const win = index.edgeSummaries(b, a).reduce((n, e) => n + e.requests, 0);
    const brute = events.filter((e) => e.kind === 'upstream' && e.timeUs > 10_000_000 && e.timeUs <= 20_000_000).length;
    expect(win).toBe(brute);
  });
});

describe('latency buckets', () => {
  it('each value falls in the bucket whose bounds hold it; the middle is within 5% of the value', () => {
    for (const us of [60, 99, 1000, 12_345, 2_500_000]) {
      const b = latencyBucket(us);
      expect(us).toBeLessThanOrEqual(BUCKET_UPPER_US[b]);
      expect(us).toBeGreaterThan(BUCKET_UPPER_US[b - 1] ?? 0);
      expect(Math.abs(bucketMiddleUs(b) - us) / us).toBeLessThan(0.05);
    }
    expect(latencyBucket(1e15)).toBe(LATENCY_BUCKETS - 1);
  });
});

describe('every scenario in scenarios/: the replay at the end agrees with the summary', () => {
  const paths = readdirSync(join(repoRoot, 'scenarios'))
    .filter((f) => /\.ya?ml$/.test(f) && /^kind:\s*Scenario\s*$/m.test(readFileSync(join(repoRoot, 'scenarios', f), 'utf8')))
    .map((f) => `scenarios/${f}`)
    .sort();

  it.each(paths)('%s', (path) => {
    const { summary, events, view } = run(path);
    const index = new ReplayIndex(view);
    const end = index.stateAt(index.endUs);
    const got = new Map(index.edgeSummaries(end).map((e) => [edgeKey(e), e]));
    for (const e of summary.edges) {
      expect(got.get(edgeKey(e))?.requests).toBe(e.requests);
      expect(got.get(edgeKey(e))?.codes).toEqual(e.codes);
    }
    expect(end.clientEnded).toBe(summary.clients.reduce((n, c) => n + c.requests, 0));
    expect(end.next).toBe(events.length);
  });
});
