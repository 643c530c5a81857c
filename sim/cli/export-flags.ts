/**
 * `run --prometheus/--jaeger/--access-log/--fortio/--graph/--report`: turns the flags into trace
 * sinks that stream during the run, and writes every file atomically when the run ends. Line
 * outputs (access log, Jaeger, Prometheus samples step by step) stream into temporary files with
 * bounded buffers; small folded outputs (fortio, graph, report) are written from their folds
 * after the run. A failed or cut-short run leaves no file behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedScenario } from '../config/types.ts';
import type { RunResult } from '../run.ts';
import type { TraceSink } from '../trace/sink.ts';
import { TRACE_FORMAT } from '../trace/events.ts';
import { PROMETHEUS_FAMILIES, PrometheusStream } from '../export/prometheus.ts';
import { AccessLogSink } from '../export/access-log.ts';
import { JaegerSink } from '../export/jaeger.ts';
import { FortioFold } from '../export/fortio.ts';
import { kialiGraph } from '../export/kiali-graph.ts';
import { TimeSeriesFold } from '../export/time-series.ts';
import { inventoryOf, type Inventory } from '../export/inventory.ts';
import { REPORT_DATA_FORMAT, reportStepUs, type ReportData } from '../export/report-data.ts';
import { parseDuration } from '../domain/time.ts';
import { MESHSIM_VERSION } from '../version.ts';
import { AtomicLineWriter, writeFileAtomic } from './output.ts';
import { UsageError } from './errors.ts';
import { writeReport } from './report.ts';

export interface ExportArgs {
  prometheus?: string;
  /** Simulated time between two Prometheus samples (default 15s, Prometheus' default scrape interval). */
  prometheusStep?: string;
  jaeger?: string;
  accessLog?: string;
  fortio?: string;
  graph?: string;
  report?: string;
}

export const EXPORT_FLAGS: readonly [keyof ExportArgs, string][] = [
  ['prometheus', '--prometheus'],
  ['jaeger', '--jaeger'],
  ['accessLog', '--access-log'],
  ['fortio', '--fortio'],
  ['graph', '--graph'],
  ['report', '--report'],
];

const DEFAULT_PROMETHEUS_STEP_US = 15_000_000;

/** The export flags' paths, for output-path checks (never overwrite an input, never write twice). */
export function exportPaths(args: ExportArgs): [string, string][] {
  return EXPORT_FLAGS.flatMap(([k, flag]) => (args[k] ? [[flag, args[k]!] as [string, string]] : []));
}

export class Exports {
  private readonly sinks: TraceSink[] = [];
  private readonly writers: AtomicLineWriter[] = [];
  private readonly inventory: Inventory;
  private metrics: PrometheusStream | null = null;
  private metricsFiles: FamilyFiles | null = null;
  private jaeger: JaegerSink | null = null;
  private fortio: FortioFold | null = null;
  private series: TimeSeriesFold | null = null;

  constructor(
    private readonly args: ExportArgs,
    private readonly scenario: ResolvedScenario,
    private readonly replay: string,
  ) {
    this.inventory = inventoryOf(scenario);
    const seen = new Map<string, string>();
    for (const [flag, path] of exportPaths(args)) {
      if (seen.has(path)) throw new UsageError(`${flag} ${path}: the same file is already the output of ${seen.get(path)}`);
      seen.set(path, flag);
    }
    if (args.report !== undefined && !/\.html?$/i.test(args.report)) throw new UsageError(`--report ${args.report}: the report is one HTML file; name it *.html`);
    let stepUs = DEFAULT_PROMETHEUS_STEP_US;
    if (args.prometheusStep !== undefined) {
      const d = parseDuration(args.prometheusStep);
      if (!d.ok || d.us <= 0) throw new UsageError(`--prometheus-step: ${d.ok ? 'must be greater than 0' : d.error}`);
      stepUs = d.us;
    }
    if (args.prometheus) {
      const files = (this.metricsFiles = new FamilyFiles(args.prometheus, PROMETHEUS_FAMILIES.length));
      const inv = this.inventory;
      this.metrics = new PrometheusStream({ stepUs, workloads: inv.workloads, pods: inv.pods, bodies: inv.bodies }, (family, line) => files.line(family, line));
      this.sinks.push(this.metrics);
    }
    const requests = this.inventory.requests;
    const requestOf = (source: string, service: string) => requests.get(`${source}|${service}`) ?? null;
    if (args.accessLog) {
      const w = this.open(args.accessLog);
      const inv = this.inventory;
      this.sinks.push(new AccessLogSink((line) => w.line(line), { requestOf, pods: inv.pods, serviceIps: inv.serviceIps, targetPorts: inv.targetPorts, routeNames: inv.routeNames, bodies: inv.bodies }));
    }
    if (args.jaeger) {
      const w = this.open(args.jaeger);
      this.jaeger = new JaegerSink((line) => w.line(line), { pods: this.inventory.pods, requestOf, targetPorts: this.inventory.targetPorts });
      this.sinks.push(this.jaeger);
    }
    if (args.fortio) {
      const specs = scenario.traffic.map((t) => ({
        name: t.name,
        url: `${t.url.scheme}://${t.url.host}${t.url.port ? `:${t.url.port}` : ''}${t.url.path}${t.url.query ? `?${t.url.query}` : ''}`,
        connections: t.load.kind === 'closed' ? t.load.connections : 0,
        qps: t.load.kind === 'closed' ? t.load.qps : t.load.ratePerSec,
        durationUs: Math.min(t.stopUs, scenario.durationUs) - t.startUs,
      }));
      // fortio describes closed-loop load; open-loop clients are reported only when there is no closed one.
      const closed = specs.filter((s) => s.connections > 0);
      this.fortio = new FortioFold(closed.length > 0 ? closed : specs, `meshsim-${MESHSIM_VERSION}`);
      this.sinks.push(this.fortio);
    }
    if (args.report) {
      this.series = new TimeSeriesFold(reportStepUs(scenario.durationUs), scenario.traffic.map((t) => t.name));
      this.sinks.push(this.series);
    }
  }

  private open(path: string): AtomicLineWriter {
    const w = new AtomicLineWriter(path);
    this.writers.push(w);
    return w;
  }

  get traceSinks(): TraceSink[] {
    return this.sinks;
  }

  /** Removes every temporary file (the run failed or was cut short). */
  abort(): void {
    for (const w of this.writers) w.abort();
    this.metricsFiles?.abort();
  }

  /** Writes every requested file; each appears whole or not at all. */
  commit(result: RunResult): void {
    const a = this.args;
    this.jaeger?.finish();
    for (const w of this.writers) w.commit();
    if (this.metrics && this.metricsFiles) {
      this.metrics.finish();
      this.metricsFiles.commit();
    }
    if (a.fortio && this.fortio) {
      const results = this.fortio.results();
      // One client gives fortio's own one-result file; several give an array of them.
      writeFileAtomic(a.fortio, JSON.stringify(results.length === 1 ? results[0] : results, null, 2) + '\n');
    }
    if (a.graph) {
      writeFileAtomic(a.graph, JSON.stringify(kialiGraph(result.summary.edges, this.inventory.workloads, result.summary.simulatedMs), null, 2) + '\n');
    }
    if (a.report && this.series) {
      const data: ReportData = {
        format: REPORT_DATA_FORMAT,
        header: { ...result.header, format: TRACE_FORMAT },
        replay: this.replay,
        summary: result.summary,
        workloads: this.inventory.workloads,
        services: this.inventory.services,
        clients: this.inventory.clients,
        series: this.series.result(),
        budgetMessage: result.budgetMessage,
      };
      writeReport(a.report, data);
    }
  }
}

/**
 * One output file written as several groups of lines that are produced interleaved (Prometheus
 * families, sample by sample): group 0 streams into the target's temporary file, the others into
 * temporary files of their own, appended in order at commit. Memory stays at the writers' buffers.
 */
class FamilyFiles {
  private readonly main: AtomicLineWriter;
  private readonly dir: string;
  private readonly parts: { path: string; writer: AtomicLineWriter }[] = [];

  constructor(path: string, groups: number) {
    this.main = new AtomicLineWriter(path);
    this.dir = mkdtempSync(join(tmpdir(), 'meshsim-groups-'));
    for (let g = 1; g < groups; g++) {
      const part = join(this.dir, `group-${g}.txt`);
      this.parts.push({ path: part, writer: new AtomicLineWriter(part) });
    }
  }

  line(group: number, text: string): void {
    if (group === 0) this.main.line(text);
    else this.parts[group - 1].writer.line(text);
  }

  commit(): void {
    try {
      for (const p of this.parts) {
        p.writer.commit();
        this.main.appendFile(p.path);
      }
      this.main.commit();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  abort(): void {
    this.main.abort();
    for (const p of this.parts) p.writer.abort();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
