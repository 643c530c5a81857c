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
import { histogramQuantile, stepTimestampsMs, writePrometheus } from '../../sim/export/prometheus.ts';
import { inventoryOf } from '../../sim/export/inventory.ts';
import { repoRoot } from './helpers.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  ts: number;
}

function run(path: string, stepUs = 15_000_000): { summary: RunSummary; text: string } {
  const s = loadScenario(path, nodeFiles({ cwd: repoRoot }));
  const fold = new IstioMetricsFold({ stepUs, workloads: inventoryOf(s).workloads });
  const { summary } = runScenario(s, { sinks: [fold] });
  const lines: string[] = [];
  writePrometheus(fold, (l) => lines.push(l));
  return { summary, text: lines.join('\n') + '\n' };
}

/**
 * The parser flattens a labelled histogram into one unlabelled entry (it follows an old Python
 * client), so histogram lines are read with the family's TYPE line removed: then every sample
 * line, labels and timestamp included, comes back as its own entry.
 */
function samples(text: string): Sample[] {
  const untyped = text.replace(/^# TYPE istio_request_duration_milliseconds histogram$/m, '');
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

  it('parses with a real exposition-format parser: two families, Istio metric names and types', () => {
    const families = parsePrometheus(text) as { name: string; type: string; metrics: unknown[] }[];
    expect(families.map((f) => [f.name, f.type])).toEqual([
      ['istio_requests_total', 'COUNTER'],
      ['istio_request_duration_milliseconds', 'HISTOGRAM'],
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
    destination: 'b-v1', destNamespace: 'ns', destPod: 'b-v1-0', version: 'v1', code: 200, flags: '-', route: null,
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
