/**
 * meshsim's public API: the one door for viz/, labs/ and scenario-level tests. Everything here
 * runs unchanged in Node and in browsers.
 */
export { loadScenario, parseScenarioText, loadManifests, parseManifestText, scenarioJsonSchema, defaultProfile, memoryFiles } from './config/index.ts';
export type { FileSource, FileRead, ResolvedScenario, Resource, TrafficSpec, WorkloadBehaviour, ExpectationSpec, SemanticsProfile } from './config/index.ts';
export { runScenario, traceHeader, applyTimelineAction } from './run.ts';
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
export type { Verdict } from './expect/expectations.ts';
export { InputError, formatDiagnostic } from './domain/diagnostics.ts';
export type { Diagnostic, SourceLocation } from './domain/diagnostics.ts';
export { parseDuration, formatDuration } from './domain/time.ts';
export { MESHSIM_VERSION } from './version.ts';
