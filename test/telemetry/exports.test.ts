/**
 * The trace exporters (Jaeger: jaeger.test.ts) on a fixture where every attempt kind occurs: a route timeout (UT), a
 * fault abort (FI), connection-pool overflows (UO) and Envoy retries (flaky: retryOn 5xx).
 */
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, type RunResult, type TraceEvent } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { AccessLogSink, isoTimeFromUs, responseCodeDetails } from '../../sim/export/access-log.ts';
import { FortioFold } from '../../sim/export/fortio.ts';
import { kialiGraph } from '../../sim/export/kiali-graph.ts';
import { inventoryOf } from '../../sim/export/inventory.ts';
import { TimeSeriesFold } from '../../sim/export/time-series.ts';
import { repoRoot } from './helpers.ts';

const FIXTURE = 'test/telemetry/fixtures/flags.yaml';

function runWith(path: string, make: (s: ReturnType<typeof loadScenario>) => { write(ev: TraceEvent): void }[]): RunResult {
  const s = loadScenario(path, nodeFiles({ cwd: repoRoot }));
  return runScenario(s, { sinks: make(s) });
}

describe('access log (Istio default TEXT format)', () => {
  const lines: string[] = [];
  const s = loadScenario(FIXTURE, nodeFiles({ cwd: repoRoot }));
  const inv = inventoryOf(s);
    const ctx = { requestOf: (src: string, svc: string) => inv.requests.get(`${src}|${svc}`) ?? null, pods: inv.pods, serviceIps: inv.serviceIps, targetPorts: inv.targetPorts, routeNames: inv.routeNames, bodies: inv.bodies };
  const result = runScenario(s, { sinks: [new AccessLogSink((l) => lines.push(l), ctx)] });
  // START_TIME, "REQUEST", CODE, FLAGS, DETAILS, TERMINATION, "FAILURE", RX, TX, DURATION, UPSTREAM_TIME, "XFF", "UA", "ID", "AUTHORITY", "UPSTREAM_HOST", CLUSTER, ...
  const FORMAT = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\] "(\S+) (\S+) HTTP\/1\.1" (\d+) (\S+) (\S+) (\S+) "([^"]*)" (\d+) (\d+) (\d+) (\S+) "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$/;

  it('one line per upstream attempt (every caller here or its callee has a sidecar), each in the 23-field default format', () => {
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

  it('every field in the order and quoting of istio-semantics.md §0, "-" where Envoy has no value', () => {
    const field = (l: string) => {
      const m = FORMAT.exec(l)!;
      const names = ['start', 'method', 'path', 'code', 'flags', 'details', 'termination', 'failure', 'rx', 'tx', 'duration', 'upstreamTime', 'xff', 'ua', 'id', 'authority', 'upstreamHost', 'cluster', 'upstreamLocal', 'downstreamLocal', 'downstreamRemote', 'sni', 'route'];
      return Object.fromEntries(names.map((n, i) => [n, m[i + 1]]));
    };
    const ok = field(lines.find((l) => l.includes('"GET /flaky HTTP/1.1" 200 '))!);
    const flakyPod = inv.pods.get('default/flaky-v1-0')!;
    const client = inv.pods.get('default/client-v1-0')!;
    expect(ok).toMatchObject({ code: '200', flags: '-', details: 'via_upstream', termination: '-', failure: '-', rx: '0', tx: '612', xff: '-', authority: 'flaky:8000', upstreamHost: `${flakyPod.ip}:80`, cluster: 'outbound|8000||flaky.default.svc.cluster.local', downstreamLocal: `${inv.serviceIps.get('flaky.default.svc.cluster.local')}:8000`, sni: '-', route: '-' });
    expect(ok.upstreamLocal).toMatch(new RegExp(`^${client.ip.replace(/\./g, '\\.')}:\\d{5}$`));
    expect(ok.downstreamRemote).toBe(ok.upstreamLocal);
    expect(ok.upstreamTime).toBe(ok.duration);
    // A fault abort is Envoy's own reply: no upstream host, no upstream time, no body.
    const fi = field(lines.find((l) => l.includes('"GET /faulty HTTP/1.1"'))!);
    expect(fi).toMatchObject({ code: '503', flags: 'FI', upstreamHost: '-', upstreamLocal: '-', upstreamTime: '-', tx: '0' });
    // The traffic client is outside the mesh: no Envoy on its side, so client-v1's sidecar logs the hop inbound.
    const first = field(lines.find((l) => l.includes(' inbound|80|| '))!);
    expect(first).toMatchObject({ cluster: 'inbound|80||', upstreamHost: `${client.ip}:80`, downstreamLocal: `${client.ip}:80`, downstreamRemote: '-', route: 'default', code: '200' });
    expect(first.upstreamLocal).toMatch(/^127\.0\.0\.6:\d+$/);
    // Lines of one client request share its x-request-id.
    expect(new Set(lines.filter((l) => l.includes(`"${ok.id}"`)).map((l) => field(l).id)).size).toBe(1);
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
