/**
 * meshsim's public API: the one door for viz/, labs/ and scenario-level tests. Everything here
 * runs unchanged in Node and in browsers.
 */
export { loadScenario, parseScenarioText, loadManifests, parseManifestText, scenarioJsonSchema, defaultProfile, memoryFiles } from './config/index.ts';
export type { FileSource, FileRead, ResolvedScenario, Resource, TrafficSpec, WorkloadBehaviour, ExpectationSpec, SemanticsProfile } from './config/index.ts';
export { runScenario, traceHeader, applyTimelineAction } from './run.ts';
export { proxyTables } from './control-plane/proxy-tables.ts';
export type { ProxyTables, RouteTableRow, ClusterTableRow } from './control-plane/proxy-tables.ts';
export type { ProxyConfig } from './control-plane/types.ts';
export type { RunOptions, RunResult, RunSummary, SummaryDiagnostic } from './run.ts';
export { Trace, MemorySink, JsonlSink, eventToJsonl } from './trace/sink.ts';
export type { TraceSink } from './trace/sink.ts';
export { TRACE_FORMAT } from './trace/events.ts';
export type { TraceEvent, TraceEventKind, TraceHeader, UpstreamEvent, ClientStartEvent, ClientEndEvent, AppEndEvent, TimelineEvent, ConfigPushEvent } from './trace/events.ts';
export { TraceHasher } from './trace/hash.ts';
export { SummaryFold, SUMMARY_FORMAT } from './metrics/summary.ts';
export type { ClientSummary, EdgeSummary, RuleSummary, LatencySummaryMs } from './metrics/summary.ts';
export { LatencyHistogram } from './metrics/histogram.ts';
export { ExpectationsFold } from './expect/expectations.ts';
export { diffTraffic, FlowLatencyFold, DIFF_FORMAT } from './expect/diff.ts';
export type { TrafficDiff, TrafficView, FlowDiff, ClientDiff, DestinationChange, CodeChange, ShareChange } from './expect/diff.ts';
export type { Verdict } from './expect/expectations.ts';
export { InputError, formatDiagnostic } from './domain/diagnostics.ts';
export type { Diagnostic, SourceLocation } from './domain/diagnostics.ts';
export { parseDuration, formatDuration } from './domain/time.ts';
export { MESHSIM_VERSION } from './version.ts';

// Telemetry: Istio metric fold and the exporters (all streaming trace sinks or pure functions).
export { IstioMetricsFold, ENVOY_DEFAULT_BUCKETS_MS, ISTIO_LABELS } from './metrics/istio-metrics.ts';
export type { IstioMetricsOptions, IstioSeries, LiveSeries, WorkloadLabels, ResponseBody } from './metrics/istio-metrics.ts';
export { writePrometheus, histogramQuantile, PrometheusStream, PROMETHEUS_FAMILIES } from './export/prometheus.ts';
export { inventoryOf } from './export/inventory.ts';
export type { Inventory, PodFacts } from './export/inventory.ts';
export { JaegerSink } from './export/jaeger.ts';
export type { JaegerTrace, JaegerSpan, JaegerOptions } from './export/jaeger.ts';
export { AccessLogSink, accessLogLine } from './export/access-log.ts';
export type { AccessLogContext, RequestLine } from './export/access-log.ts';
export { FortioFold } from './export/fortio.ts';
export type { FortioResult } from './export/fortio.ts';
export { kialiGraph } from './export/kiali-graph.ts';
export type { KialiGraph } from './export/kiali-graph.ts';
export { TimeSeriesFold } from './export/time-series.ts';
export { REPORT_DATA_FORMAT } from './export/report-data.ts';
export type { ReportData } from './export/report-data.ts';

// Labs: format, step checks with hints, the progress machine.
export { parseLab, checkStep, diagnosticHints, progressMachine, initialProgress, advance, parseProgress, progressText, lineDiff, compactDiff } from './labs/index.ts';
export type { LabDef, LabStep, LabHint, HintWhen, StepCheck, LabPaths, CheckOptions, ProgressRecord } from './labs/index.ts';
