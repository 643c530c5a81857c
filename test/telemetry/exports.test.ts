/**
 * The trace exporters on a fixture where every attempt kind occurs: a route timeout (UT), a
 * fault abort (FI), connection-pool overflows (UO) and Envoy retries (flaky: retryOn 5xx).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, type RunResult, type TraceEvent } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { AccessLogSink, isoTimeFromUs, responseCodeDetails } from '../../sim/export/access-log.ts';
import { JaegerSink, type JaegerTrace } from '../../sim/export/jaeger.ts';
import { FortioFold } from '../../sim/export/fortio.ts';
import { kialiGraph } from '../../sim/export/kiali-graph.ts';
import { inventoryOf } from '../../sim/export/inventory.ts';
import { TimeSeriesFold } from '../../sim/export/time-series.ts';
import { repoRoot } from './helpers.ts';
import { JAEGER_SAMPLE } from './jaeger-sample.ts';

const FIXTURE = 'test/telemetry/fixtures/flags.yaml';

function runWith(path: string, make: (s: ReturnType<typeof loadScenario>) => { write(ev: TraceEvent): void }[]): RunResult {
  const s = loadScenario(path, nodeFiles({ cwd: repoRoot }));
  return runScenario(s, { sinks: make(s) });
}

describe('access log (Istio default TEXT format)', () => {
  const lines: string[] = [];
  const s = loadScenario(FIXTURE, nodeFiles({ cwd: repoRoot }));
  const inv = inventoryOf(s);
  const result = runScenario(s, { sinks: [new AccessLogSink((l) => lines.push(l), (src, svc) => inv.requests.get(`${src}|${svc}`) ?? null)] });
  // START_TIME, "REQUEST", CODE, FLAGS, DETAILS, TERMINATION, "FAILURE", RX, TX, DURATION, UPSTREAM_TIME, "XFF", "UA", "ID", "AUTHORITY", "UPSTREAM_HOST", CLUSTER, ...
  const FORMAT = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\] "(\S+) (\S+) HTTP\/1\.1" (\d+) (\S+) (\S+) (\S+) "([^"]*)" (\d+) (\d+) (\d+) (\S+) "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$/;

  it('one line per upstream attempt, each in the 23-field default format', () => {
    expect(lines.length).toBe(result.summary.edges.reduce((n, e) => n + e.requests, 0));
    for (const l of lines) expect(l, l).toMatch(FORMAT);
  });

  it('a route timeout shows UT (504 response_timeout), a fault abort FI, a pool overflow UO', () => {
    const ut = lines.find((l) => l.includes('"GET /slow HTTP/1.1"'))!;
    expect(ut).toMatch(/" 504 UT response_timeout /);
    expect(ut).toContain('outbound|8000||slow.default.svc.cluster.local');
    const fi = lines.find((l) => l.includes('"GET /faulty HTTP/1.1"'))!;
    expect(fi).toMatch(/" 503 FI fault_filter_abort /);
    expect(fi).toContain(' "-" outbound|8000||faulty.default.svc.cluster.local');
    const uo = lines.filter((l) => / 503 UO /.test(l));
    expect(uo.length).toBeGreaterThan(0);
    expect(uo[0]).toContain('upstream_reset_before_response_started{overflow}');
  });

  it('START_TIME is simulated time since the epoch; the flags column parses back to the summary flags', () => {
    expect(isoTimeFromUs(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoTimeFromUs(86_400_000_000 * 365 + 1_234_567)).toBe('1971-01-01T00:00:01.234Z');
    expect(isoTimeFromUs(951_782_400_000_000)).toBe('2000-02-29T00:00:00.000Z');
    const flags = new Map<string, number>();
    for (const l of lines) {
      const f = FORMAT.exec(l)![5];
      flags.set(f, (flags.get(f) ?? 0) + 1);
    }
    const expected = new Map<string, number>();
    for (const e of result.summary.edges) for (const [f, n] of Object.entries(e.flags)) expected.set(f, (expected.get(f) ?? 0) + n);
    expect(Object.fromEntries([...flags].sort())).toEqual(Object.fromEntries([...expected].sort()));
    expect(responseCodeDetails(200, '-')).toBe('via_upstream');
    expect(responseCodeDetails(404, 'NR')).toBe('route_not_found');
  });
});

/** Key → JS type of every field, recursively (arrays by their first element). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])];
  // A tag's value type follows its `type` field, so it is left out of the comparison.
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, k === 'value' ? 'any' : shape((v as Record<string, unknown>)[k])]));
  return v === null ? 'null' : typeof v;
}

describe('Jaeger UI JSON', () => {
  const chunks: string[] = [];
  let sink!: JaegerSink;
  let writtenDuringRun = 0;
  const result = runWith(FIXTURE, () => {
    sink = new JaegerSink((l) => chunks.push(l));
    return [sink, { write: (ev: TraceEvent) => void (ev.kind === 'client.end' && ev.req === 20 && (writtenDuringRun = sink.traces)) }];
  });
  sink.finish();
  const doc = JSON.parse(chunks.join('\n')) as { data: JaegerTrace[]; total: number };

  it('has the shape of a real Jaeger query-service answer (data[].spans[], processes, references)', () => {
    const sampleTrace = JAEGER_SAMPLE.data[0];
    expect(Object.keys(doc).sort()).toEqual(Object.keys(JAEGER_SAMPLE).sort());
    expect(Object.keys(doc.data[0]).sort()).toEqual(Object.keys(sampleTrace).sort());
    // Span and process fields have the sample's names and JSON types; the child span's reference too.
    const child = doc.data[0].spans.find((s) => s.references.length > 0)!;
    expect(shape(child)).toEqual(shape(sampleTrace.spans.find((s) => s.references.length > 0)));
    expect(shape(Object.values(doc.data[0].processes)[0])).toEqual(shape(Object.values(sampleTrace.processes)[0]));
    for (const t of doc.data) {
      expect(t.traceID).toMatch(/^[0-9a-f]{32}$/);
      const ids = new Set(t.spans.map((s) => s.spanID));
      expect(ids.size).toBe(t.spans.length);
      for (const s of t.spans) {
        expect(s.spanID).toMatch(/^[0-9a-f]{16}$/);
        expect(t.processes[s.processID]).toBeDefined();
        for (const r of s.references) expect(ids.has(r.spanID), `dangling parent ${r.spanID}`).toBe(true);
      }
    }
  });

  it('one trace per client request, written as each request ends (streaming)', () => {
    expect(doc.data.length).toBe(result.summary.clients[0].requests);
    expect(doc.total).toBe(doc.data.length);
    expect(writtenDuringRun).toBeGreaterThanOrEqual(19);
  });

  it('Envoy retries of one call are sibling spans under the span of the hop that called', () => {
    let found = 0;
    for (const t of doc.data) {
      const flaky = t.spans.filter((s) => s.operationName.startsWith('flaky.default.svc.cluster.local'));
      if (flaky.length < 2) continue;
      found++;
      const parents = new Set(flaky.map((s) => s.references[0].spanID));
      expect(parents.size).toBe(1);
      const parent = t.spans.find((s) => s.spanID === [...parents][0])!;
      expect(parent.tags.find((x) => x.key === 'istio.destination.workload')!.value).toBe('client-v1');
      const attempts = flaky.map((s) => s.tags.find((x) => x.key === 'retry.attempt')!.value);
      expect(attempts).toEqual(attempts.map((_, i) => i + 1));
      expect(flaky.slice(0, -1).every((s) => s.tags.some((x) => x.key === 'http.status_code' && x.value === 503))).toBe(true);
    }
    expect(found).toBeGreaterThan(0);
  });

  it('attempt spans carry route, cluster, flags and status tags; errors are tagged error=true', () => {
    const spans = doc.data.flatMap((t) => t.spans);
    const ut = spans.find((s) => s.tags.some((x) => x.key === 'response_flags' && x.value === 'UT'))!;
    const tags = Object.fromEntries(ut.tags.map((x) => [x.key, x.value]));
    expect(tags).toMatchObject({ 'http.status_code': 504, upstream_cluster: 'outbound|8000||slow.default.svc.cluster.local', 'istio.route': 'default/slow#0', 'retry.attempt': 1, error: true });
  });
});

describe('fortio result JSON', () => {
  let fold!: FortioFold;
  const result = runWith(FIXTURE, (s) => {
    fold = new FortioFold(s.traffic.map((t) => ({ name: t.name, url: 'http://client:8000/', connections: t.load.kind === 'closed' ? t.load.connections : 0, qps: 0, durationUs: s.durationUs })), 'test');
    return [fold];
  });

  it('has fortio\'s fields; counts, return codes and histogram agree with the summary', () => {
    const [r] = fold.results();
    const c = result.summary.clients[0];
    expect(Object.keys(r)).toEqual(['RunType', 'Labels', 'StartTime', 'RequestedQPS', 'RequestedDuration', 'ActualQPS', 'ActualDuration', 'NumThreads', 'Version', 'DurationHistogram', 'Exactly', 'RetCodes', 'URL', 'SocketCount', 'AbortOn']);
    expect(r.NumThreads).toBe(2);
    expect(r.RequestedQPS).toBe('max');
    expect(r.DurationHistogram.Count).toBe(c.requests);
    expect(r.RetCodes).toEqual(c.codes);
    expect(r.DurationHistogram.Data.reduce((n, d) => n + d.Count, 0)).toBe(c.requests);
    expect(r.DurationHistogram.Data.at(-1)!.Percent).toBe(100);
    expect(r.DurationHistogram.Max).toBeCloseTo(c.latencyMs.max / 1000, 6);
    expect(r.DurationHistogram.Avg).toBeCloseTo(c.latencyMs.mean / 1000, 5);
    const p99 = r.DurationHistogram.Percentiles.find((p) => p.Percentile === 99)!.Value;
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeLessThanOrEqual(r.DurationHistogram.Max);
    expect(r.ActualQPS).toBeGreaterThan(0);
  });
});

describe('Kiali-shaped graph JSON', () => {
  it('workload nodes, edges with rates, % of the source\'s requests, response codes with flags', () => {
    const s = loadScenario('scenarios/traffic-shifting.yaml', nodeFiles({ cwd: repoRoot }));
    const { summary } = runScenario(s);
    const g = kialiGraph(summary.edges, inventoryOf(s).workloads, summary.simulatedMs);
    expect(g.graphType).toBe('workload');
    const ids = g.elements.nodes.map((n) => n.data.id);
    expect(ids).toEqual(['wl:default/details-v1', 'wl:default/productpage-v1', 'wl:default/ratings-v1', 'wl:default/reviews-v1', 'wl:default/reviews-v3', 'wl:default/sleep']);
    const pp = g.elements.nodes.find((n) => n.data.id === 'wl:default/productpage-v1')!.data;
    expect(pp).toMatchObject({ nodeType: 'workload', namespace: 'default', workload: 'productpage-v1', app: 'productpage', version: 'v1' });
    const out = g.elements.edges.filter((e) => e.data.source === 'wl:default/productpage-v1');
    expect(out.reduce((n, e) => n + Number(e.data.traffic.rates.httpPercentReq), 0)).toBeCloseTo(100, 0);
    const v3 = out.find((e) => e.data.target === 'wl:default/reviews-v3')!.data;
    expect(Number(v3.traffic.rates.http)).toBeCloseTo(summary.edges.find((e) => e.version === 'v3' && e.service === 'reviews')!.requests / (summary.simulatedMs / 1000), 2);
    expect(v3.traffic.responses['200']).toEqual({ flags: { '-': '100.0' }, hosts: { reviews: '100.0' } });
    expect(Number(v3.responseTime)).toBeGreaterThan(0);
    expect(g.elements.nodes.find((n) => n.data.id === 'wl:default/sleep')!.data.isRoot).toBe(true);
  });
});

describe('report time series', () => {
  it('steps cover the run; codes add up to the client requests; the split moves v1 → v3 at the timeline marks', () => {
    let fold!: TimeSeriesFold;
    const result = runWith('scenarios/traffic-shifting.yaml', (s) => [(fold = new TimeSeriesFold(1_000_000, s.traffic.map((t) => t.name)))]);
    const ts = fold.result();
    expect(ts.steps).toBeGreaterThanOrEqual(Math.floor(result.summary.simulatedMs / 1000));
    expect(ts.steps).toBeLessThanOrEqual(Math.ceil(result.summary.simulatedMs / 1000));
    expect(ts.codes.reduce((n, c) => n + c.values.reduce((a, b) => a + b, 0), 0)).toBe(result.summary.clients[0].requests);
    expect(ts.timeline.map((t) => t.timeMs)).toEqual([20000, 40000]);
    const split = ts.split.find((x) => x.edge === 'productpage-v1 → reviews')!;
    const v1 = split.versions.find((v) => v.name === 'v1')!.values;
    const v3 = split.versions.find((v) => v.name === 'v3')!.values;
    expect(v3.slice(0, 19).every((n) => n === 0)).toBe(true);
    expect(v1.slice(41).every((n) => n === 0)).toBe(true);
    expect(ts.latency[0].p99.filter((x) => x !== null).length).toBeGreaterThan(55);
  });
});
