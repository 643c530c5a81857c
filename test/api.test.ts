/**
 * The public surface of sim/index.ts, listed so that changes to it are deliberate (d3-force's
 * simulation-test habit), and the version constant kept equal to package.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../sim/index.ts';
import { MESHSIM_VERSION } from '../sim/version.ts';

describe('public API', () => {
  it('exports exactly these runtime names', () => {
    expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
      [
        "AccessLogSink",
        "DIFF_FORMAT",
        "ENVOY_DEFAULT_BUCKETS_MS",
        "ExpectationsFold",
        "FlowLatencyFold",
        "FortioFold",
        "ISTIO_LABELS",
        "InputError",
        "IstioMetricsFold",
        "JaegerSink",
        "JsonlSink",
        "LatencyHistogram",
        "MESHSIM_VERSION",
        "MemorySink",
        "PROMETHEUS_FAMILIES",
        "PrometheusStream",
        "REPORT_DATA_FORMAT",
        "SUMMARY_FORMAT",
        "SummaryFold",
        "TRACE_FORMAT",
        "TimeSeriesFold",
        "Trace",
        "TraceHasher",
        "accessLogLine",
        "advance",
        "applyTimelineAction",
        "checkStep",
        "compactDiff",
        "defaultProfile",
        "diagnosticHints",
        "diffTraffic",
        "eventToJsonl",
        "formatDiagnostic",
        "formatDuration",
        "histogramQuantile",
        "initialProgress",
        "inventoryOf",
        "kialiGraph",
        "lineDiff",
        "loadManifests",
        "loadScenario",
        "memoryFiles",
        "parseDuration",
        "parseLab",
        "parseManifestText",
        "parseProgress",
        "parseScenarioText",
        "progressMachine",
        "progressText",
        "proxyTables",
        "runScenario",
        "scenarioJsonSchema",
        "traceHeader",
        "writePrometheus",
      ]
    `);
  });

  it('MESHSIM_VERSION equals package.json version', () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'package.json'), 'utf8'));
    expect(MESHSIM_VERSION).toBe(pkg.version);
  });
});
