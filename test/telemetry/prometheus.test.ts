/**
 * Istio metrics fold and its Prometheus export, checked with a real exposition-format parser
 * (parse-prometheus-text-format, a port of the Prometheus Python client's parser): the text
 * parses, counts equal the summary JSON, and a p99 computed from the exported buckets the way
 * PromQL's histogram_quantile does lies within one bucket of the summary's p99.
 */
import parsePrometheus from 'parse-prometheus-text-format';
import { describe, expect, it } from 'vitest';
import { loadScenario, runScenario, type RunSummary, type TraceEvent } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { ENVOY_DEFAULT_BUCKETS_MS, IstioMetricsFold } from '../../sim/metrics/istio-metrics.ts';
import { histogramQuantile, PROMETHEUS_FAMILIES, PrometheusStream, stepTimestampsMs, writePrometheus } from '../../sim/export/prometheus.ts';
import { inventoryOf } from '../../sim/export/inventory.ts';
import { repoRoot } from './helpers.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  ts: number;
}

/** Runs a scenario through the fold with history (writePrometheus) and through the streaming writer at once. */
function run(path: string, stepUs = 15_000_000, durationUs?: number): { summary: RunSummary; text: string; streamed: string } {
  const s = loadScenario(path, nodeFiles({ cwd: repoRoot }), durationUs ? { durationUs } : {});
  const inv = inventoryOf(s);
  const opts = { stepUs, workloads: inv.workloads, pods: inv.pods, bodies: inv.bodies };
  const fold = new IstioMetricsFold(opts);
  const families: string[][] = PROMETHEUS_FAMILIES.map(() => []);
  const stream = new PrometheusStream(opts, (f, line) => families[f].push(line));
  const { summary } = runScenario(s, { sinks: [fold, stream] });
  stream.finish();
  const lines: string[] = [];
  writePrometheus(fold, (l) => lines.push(l));
  return { summary, text: lines.join('\n') + '\n', streamed: families.flat().join('\n') + '\n' };
}

/**
 * The parser flattens a labelled histogram into one unlabelled entry (it follows an old Python
 * client), so histogram lines are read with the family's TYPE line removed: then every sample
 * line, labels and timestamp included, comes back as its own entry.
 */
function samples(text: string): Sample[] {
  const untyped = text.replace(/^# TYPE \S+ histogram$/gm, '');
  const out: Sample[] = [];
  for (const family of parsePrometheus(untyped) as { name: string; metrics: { labels?: Record<string, string>; value: string; timestamp_ms?: string }[] }[]) {
    for (const m of family.metrics) out.push({ name: family.name, labels: m.labels ?? {}, value: Number(m.value), ts: Number(m.timestamp_ms) });
  }
  return out;
}

/** The latest sample of every series of one metric name (what an instant query at the end sees). */
function latest(all: Sample[], name: string): Sample[] {
  const byKey = new Map<string, Sample>();
  for (const s of all.filter((x) => x.name === name)) {
    const key = JSON.stringify(s.labels);
    const prev = byKey.get(key);
    if (!prev || prev.ts < s.ts) byKey.set(key, s);
  }
  return [...byKey.values()];
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

describe('Prometheus export of Istio metrics', () => {
  const { summary, text } = run('scenarios/traffic-shifting.yaml');
  const all = samples(text);

  it('parses with a real exposition-format parser: four families, Istio metric names and types', () => {
    const families = parsePrometheus(text) as { name: string; type: string; metrics: unknown[] }[];
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ['istio_requests_total', 'COUNTER'],
      ['istio_request_duration_milliseconds', 'HISTOGRAM'],
      ['istio_request_bytes', 'HISTOGRAM'],
      ['istio_response_bytes', 'HISTOGRAM'],
    ]);
    expect(families[0].metrics.length).toBeGreaterThan(0);
  });

  it('every series carries all of Istio\'s standard labels; timestamps are simulated ms and increase per series', () => {
    const req = all.filter((s) => s.name === 'istio_requests_total');
    for (const s of req) {
      for (const l of ['reporter', 'source_workload', 'source_workload_namespace', 'source_app', 'source_version', 'destination_service', 'destination_service_name', 'destination_workload', 'destination_workload_namespace', 'destination_version', 'response_code', 'response_flags', 'connection_security_policy']) {
        expect(s.labels[l], l).toBeDefined();
      }
    }
    const sample = req.find((s) => s.labels.reporter === 'source' && s.labels.destination_workload === 'reviews-v3')!;
    expect(sample.labels).toMatchObject({ source_workload: 'productpage-v1', source_app: 'productpage', source_version: 'v1', destination_service: 'reviews.default.svc.cluster.local', destination_service_name: 'reviews', destination_version: 'v3', response_code: '200', response_flags: '-', connection_security_policy: 'unknown' });
    const ts = [...new Set(req.map((s) => s.ts))].sort((a, b) => a - b);
    // Step ends, the last step closing with the last upstream attempt (client ends may come later).
    expect(ts.slice(0, 3)).toEqual([15000, 30000, 45000]);
    expect(ts.length).toBe(4);
    expect(ts[3]).toBeGreaterThan(45000);
    expect(ts[3]).toBeLessThanOrEqual(Math.ceil(summary.simulatedMs));
    const bySeries = new Map<string, number[]>();
    for (const s of req) bySeries.set(JSON.stringify(s.labels), [...(bySeries.get(JSON.stringify(s.labels)) ?? []), s.ts]);
    for (const list of bySeries.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
  });

  it('istio_requests_total{reporter="source"} per edge equals the summary edge requests (the counter is cumulative)', () => {
    const src = latest(all, 'istio_requests_total').filter((s) => s.labels.reporter === 'source');
    for (const e of summary.edges.filter((x) => x.sourceNamespace !== null)) {
      const mine = src.filter((s) => s.labels.source_workload === e.source && s.labels.destination_service_name === e.service && s.labels.destination_version === (e.version ?? 'unknown'));
      expect(sum(mine.map((s) => s.value)), `${e.source} → ${e.service} ${e.version}`).toBe(e.requests);
      for (const [code, n] of Object.entries(e.codes)) expect(sum(mine.filter((s) => s.labels.response_code === code).map((s) => s.value))).toBe(n);
    }
    expect(sum(src.map((s) => s.value))).toBe(sum(summary.edges.filter((x) => x.sourceNamespace !== null).map((e) => e.requests)));
    // Every attempt that reached a workload is also reported by the destination.
    const dst = latest(all, 'istio_requests_total').filter((s) => s.labels.reporter === 'destination');
    expect(sum(dst.map((s) => s.value))).toBe(sum(summary.edges.filter((x) => x.destination !== null).map((e) => e.requests)));
  });

  it('histogram_quantile(0.99) over the exported buckets is within one bucket of the summary p99, per edge', () => {
    const buckets = latest(all, 'istio_request_duration_milliseconds_bucket').filter((s) => s.labels.reporter === 'source');
    const bounds = ENVOY_DEFAULT_BUCKETS_MS;
    for (const e of summary.edges.filter((x) => x.sourceNamespace !== null && x.requests > 0)) {
      const mine = buckets.filter((s) => s.labels.source_workload === e.source && s.labels.destination_service_name === e.service && s.labels.destination_version === (e.version ?? 'unknown'));
      // sum by (le): what `histogram_quantile(0.99, sum by (le) (...))` aggregates.
      const cumulative = [...bounds.map(String), '+Inf'].map((le) => sum(mine.filter((s) => s.labels.le === le).map((s) => s.value)));
      expect(cumulative[cumulative.length - 1]).toBe(e.requests);
      const q = histogramQuantile(0.99, bounds, cumulative);
      const bucketOf = (ms: number) => bounds.findIndex((b) => ms <= b);
      expect(Math.abs(bucketOf(q) - bucketOf(e.latencyMs.p99)), `${e.source} → ${e.service}: PromQL ${q} ms vs summary ${e.latencyMs.p99} ms`).toBeLessThanOrEqual(1);
    }
  });

  it('_count equals the +Inf bucket and _sum is positive for every series sample', () => {
    const counts = all.filter((s) => s.name === 'istio_request_duration_milliseconds_count');
    const inf = all.filter((s) => s.name === 'istio_request_duration_milliseconds_bucket' && s.labels.le === '+Inf');
    expect(counts.length).toBe(inf.length);
    const key = (s: Sample) => JSON.stringify({ ...s.labels, le: undefined }) + s.ts;
    const infBy = new Map(inf.map((s) => [key(s), s.value]));
    for (const c of counts) expect(infBy.get(key(c))).toBe(c.value);
  });
});

describe('Prometheus streaming writer', () => {
  it('writes, step by step as the run goes, exactly the text of the fold with history', () => {
    for (const path of ['scenarios/traffic-shifting.yaml', 'test/telemetry/fixtures/flags.yaml']) {
      const { text, streamed } = run(path, path.includes('flags') ? 1_000_000 : 15_000_000);
      expect(streamed.length).toBeGreaterThan(1000);
      expect(streamed).toBe(text);
    }
  });

  it('holds no history: steps close into the output while the run goes', () => {
    let lines = 0;
    let seenMidRun = 0;
    const stream = new PrometheusStream({ stepUs: 1_000_000, workloads: [] }, () => void lines++);
    const s = loadScenario('scenarios/traffic-shifting.yaml', nodeFiles({ cwd: repoRoot }));
    runScenario(s, { sinks: [stream, { write: (ev: TraceEvent) => void (ev.kind === 'timeline' && (seenMidRun = lines)) }] });
    stream.finish();
    expect(seenMidRun).toBeGreaterThan(PROMETHEUS_FAMILIES.length * 2);
    expect(lines).toBeGreaterThan(seenMidRun);
    expect(() => stream.fold.series()).toThrow(/keepHistory/);
  });
});

describe('Istio byte metrics and reporters', () => {
  const { summary, text } = run('test/telemetry/fixtures/flags.yaml', 1_000_000);
  const all = samples(text);
  const last = (name: string) => latest(all, name);

  it('istio_request_bytes observes 0 per request (no bodies): _sum 0, every bucket = _count', () => {
    const counts = last('istio_request_bytes_count');
    expect(sum(counts.map((c) => c.value))).toBe(sum(last('istio_requests_total').map((c) => c.value)));
    expect(last('istio_request_bytes_sum').every((s) => s.value === 0)).toBe(true);
    const lowest = last('istio_request_bytes_bucket').filter((s) => s.labels.le === '0.5');
    expect(sum(lowest.map((s) => s.value))).toBe(sum(counts.map((c) => c.value)));
  });

  it('istio_response_bytes: the workload\'s responseBytes for its app\'s answers (200 and its own 503), 0 for Envoy\'s replies (UO, UT, FI)', () => {
    const byLabels = (name: string, match: Record<string, string>) => last(name).filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v));
    const flakyOk = byLabels('istio_response_bytes_sum', { reporter: 'source', destination_workload: 'flaky-v1', response_code: '200' });
    const flakyCount = byLabels('istio_response_bytes_count', { reporter: 'source', destination_workload: 'flaky-v1', response_code: '200' });
    expect(flakyOk).toHaveLength(1);
    expect(flakyOk[0].value).toBe(612 * flakyCount[0].value);
    const flaky503 = byLabels('istio_response_bytes_sum', { reporter: 'destination', destination_workload: 'flaky-v1', response_code: '503' });
    expect(flaky503[0].value).toBeGreaterThan(0);
    // 612 bytes lie in le="1000", not in le="500".
    const b = (le: string) => sum(byLabels('istio_response_bytes_bucket', { reporter: 'source', destination_workload: 'flaky-v1', response_code: '200', le }).map((s) => s.value));
    expect([b('500'), b('1000')]).toEqual([0, flakyCount[0].value]);
    const poolOverflow = byLabels('istio_response_bytes_sum', { reporter: 'source', destination_service_name: 'pool', response_flags: 'UO' });
    expect(poolOverflow.length).toBeGreaterThan(0);
    expect(poolOverflow.every((s) => s.value === 0)).toBe(true);
    for (const flag of ['UT', 'FI']) expect(byLabels('istio_response_bytes_sum', { response_flags: flag }).every((s) => s.value === 0), flag).toBe(true);
    const poolOk = byLabels('istio_response_bytes_sum', { reporter: 'source', destination_workload: 'pool-v1', response_code: '200' });
    expect(poolOk[0].value).toBe(1500 * sum(byLabels('istio_requests_total', { reporter: 'source', destination_workload: 'pool-v1', response_code: '200' }).map((s) => s.value)));
    expect(summary.edges.length).toBeGreaterThan(0);
  });

  it('the destination reports an attempt its caller gave up on (UT) as 0 DC, and never reports caller-side URX', () => {
    const dst = last('istio_requests_total').filter((s) => s.labels.reporter === 'destination');
    const slow = dst.filter((s) => s.labels.destination_workload === 'slow-v1');
    expect(slow.length).toBeGreaterThan(0);
    expect(slow.every((s) => s.labels.response_code === '0' && s.labels.response_flags === 'DC')).toBe(true);
    expect(dst.some((s) => s.labels.response_flags.includes('URX'))).toBe(false);
    // The caller outside the mesh (traffic client "mixed") has no sidecar: no source report, plaintext to client-v1.
    expect(last('istio_requests_total').some((s) => s.labels.reporter === 'source' && s.labels.destination_workload === 'client-v1')).toBe(false);
    const toClient = dst.filter((s) => s.labels.destination_workload === 'client-v1');
    expect(toClient.length).toBeGreaterThan(0);
    expect(toClient.every((s) => s.labels.connection_security_policy === 'none')).toBe(true);
  });
});

describe('connection_security_policy and reporters: the authentication policy matrix before any policy (istio-semantics.md §8.12, §8.11)', () => {
  // The first 10 s: auto mTLS between sidecars, plaintext from and to legacy (no sidecar).
  const { text } = run('scenarios/mtls-authn-policy.yaml', 5_000_000, 10_000_000);
  const req = latest(samples(text), 'istio_requests_total');

  it('sidecar → sidecar is mutual_tls at the destination; legacy (no sidecar) → foo/bar is none; source reports say unknown', () => {
    const dst = req.filter((s) => s.labels.reporter === 'destination');
    const from = (ns: string) => dst.filter((s) => s.labels.source_workload_namespace === ns);
    expect(from('foo').length).toBeGreaterThan(0);
    expect(from('foo').every((s) => s.labels.connection_security_policy === 'mutual_tls')).toBe(true);
    expect(from('legacy').length).toBeGreaterThan(0);
    expect(from('legacy').every((s) => s.labels.connection_security_policy === 'none')).toBe(true);
    expect(req.filter((s) => s.labels.reporter === 'source').every((s) => s.labels.connection_security_policy === 'unknown')).toBe(true);
  });

  it('a pod without a sidecar reports nothing: no source report from legacy, no destination report at httpbin.legacy', () => {
    expect(req.some((s) => s.labels.reporter === 'source' && s.labels.source_workload_namespace === 'legacy')).toBe(false);
    expect(req.some((s) => s.labels.reporter === 'destination' && s.labels.destination_workload_namespace === 'legacy')).toBe(false);
    expect(req.some((s) => s.labels.reporter === 'source' && s.labels.destination_workload_namespace === 'legacy')).toBe(true);
  });

});

describe('connection_security_policy follows the connection, not the caller: mTLS turned off between two sidecars (istio-semantics.md §2.7, §5.1, §8.12)', () => {
  // 40 s: DestinationRule tls DISABLE for httpbin.bar port 8000; 50 s: PeerAuthentication DISABLE
  // for httpbin in foo plus a DestinationRule DISABLE. Both callers still have sidecars.
  const { text } = run('scenarios/mtls-authn-policy.yaml', 10_000_000);
  const all = samples(text).filter((s) => s.name === 'istio_requests_total' && s.labels.reporter === 'destination');
  /** Requests a destination series gained during the step that ends at `endMs`. */
  const gained = (from: string, to: string, policy: string, endMs: number): number => {
    const series = all.filter((s) => s.labels.source_workload_namespace === from && s.labels.destination_workload_namespace === to && s.labels.connection_security_policy === policy);
    let n = 0;
    for (const key of new Set(series.map((s) => JSON.stringify(s.labels)))) {
      const points = series.filter((s) => JSON.stringify(s.labels) === key);
      const at = (ms: number) => Math.max(0, ...points.filter((p) => p.ts <= ms).map((p) => p.value));
      n += at(endMs) - at(endMs - 10_000);
    }
    return n;
  };

  it('sidecar → sidecar reads mutual_tls under auto mTLS, and none once a DestinationRule sends plaintext (foo → bar from 40 s)', () => {
    expect(gained('foo', 'bar', 'mutual_tls', 10_000)).toBeGreaterThan(10); // ~40 expected (4/s for 10 s)
    expect(gained('foo', 'bar', 'none', 10_000)).toBe(0);
    // The step 40–50 s: the DestinationRule lands at 40 s (instant propagation), so all plaintext.
    expect(gained('foo', 'bar', 'none', 50_000)).toBeGreaterThan(10); // ~40 expected (4/s for 10 s)
    expect(gained('foo', 'bar', 'mutual_tls', 50_000)).toBe(0);
  });

  it("under auto mTLS a server PeerAuthentication DISABLE makes sidecar clients send plaintext too (bar → foo from 50 s)", () => {
    expect(gained('bar', 'foo', 'mutual_tls', 50_000)).toBeGreaterThan(10); // ~40 expected (4/s for 10 s)
    expect(gained('bar', 'foo', 'none', 60_000)).toBeGreaterThan(10); // ~40 expected (4/s for 10 s)
    expect(gained('bar', 'foo', 'mutual_tls', 60_000)).toBe(0);
  });
});

describe('reporters when STRICT resets plaintext (istio-semantics.md §8.11)', () => {
  it('legacy → foo under STRICT is code 0 UC with no report at all: no sidecar at the caller, no HTTP request at the server', () => {
    const { text } = run('scenarios/mtls-migration.yaml');
    const req = latest(samples(text), 'istio_requests_total');
    expect(req.some((s) => s.labels.response_flags.includes('UC'))).toBe(false);
    expect(req.some((s) => s.labels.source_workload_namespace === 'legacy' && s.labels.reporter === 'source')).toBe(false);
    // Before STRICT (0–10 s) the server did see legacy's plaintext requests.
    expect(req.some((s) => s.labels.source_workload_namespace === 'legacy' && s.labels.reporter === 'destination' && s.labels.connection_security_policy === 'none')).toBe(true);
  });
});

describe('PromQL helpers', () => {
  it('histogramQuantile: linear interpolation inside the bucket, lowest bucket from 0, +Inf capped at the last bound', () => {
    expect(histogramQuantile(0.5, [10, 20], [0, 10, 10])).toBe(15);
    expect(histogramQuantile(0.5, [10, 20], [10, 10, 10])).toBe(5);
    expect(histogramQuantile(0.99, [10, 20], [0, 0, 10])).toBe(20);
    expect(histogramQuantile(0.5, [10], [0, 0])).toBeNaN();
  });

  it('stepTimestampsMs: step ends, the last one at the end of the run, strictly increasing', () => {
    expect(stepTimestampsMs(3, 15_000_000, 31_000_000)).toEqual([15000, 30000, 31000]);
    expect(stepTimestampsMs(2, 15_000_000, 15_000_000)).toEqual([15000, 15001]);
  });
});

describe('IstioMetricsFold', () => {
  const up = (i: number, source = 'a'): TraceEvent => ({
    kind: 'upstream', timeUs: i * 1000 + 500, startUs: i * 1000, req: i, client: 'c', stream: i, parent: 0, attempt: 1,
    source, sourceNamespace: 'ns', sourcePod: `${source}-0`, service: 'b', cluster: 'outbound|80||b.ns.svc.cluster.local',
    destination: 'b-v1', destNamespace: 'ns', destPod: 'b-v1-0', version: 'v1', code: 200, flags: '-', route: null, security: 'mutual_tls',
  });

  it('memory follows label sets × steps, not requests: 100k attempts of one edge make 2 series of 10 snapshots', () => {
    const fold = new IstioMetricsFold({ stepUs: 10_000_000, workloads: [] });
    for (let i = 0; i < 100_000; i++) fold.write(up(i));
    const series = fold.series();
    expect(series).toHaveLength(2);
    for (const s of series) {
      expect(s.steps).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      expect(s.counts.at(-1)).toBe(100_000);
      expect(s.buckets.at(-1)![0]).toBe(100_000); // 0.5 ms lies in le="0.5": bounds are inclusive, as in Prometheus
    }
  });

  it('label values with quotes, backslashes and newlines are escaped and parse back unchanged', () => {
    const fold = new IstioMetricsFold({ stepUs: 10_000_000, workloads: [] });
    const odd = 'we"ird\\name\nx';
    fold.write(up(1, odd));
    const lines: string[] = [];
    writePrometheus(fold, (l) => lines.push(l));
    const parsed = samples(lines.join('\n') + '\n').filter((s) => s.name === 'istio_requests_total');
    expect(parsed.map((s) => s.labels.source_workload).sort()).toEqual([odd, odd]);
  });
});
