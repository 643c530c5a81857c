/**
 * Everything the HTML report draws, as one plain JSON object: the run header, the summary, what
 * the scenario declared (workloads, services, clients) and the per-step series. The report page
 * reads it from an inert `<script type="application/json">` block; this module only shapes it.
 */
import type { RunSummary } from '../run.ts';
import type { TraceHeader } from '../trace/events.ts';
import type { WorkloadLabels } from '../metrics/istio-metrics.ts';
import type { TimeSeries } from './time-series.ts';

export const REPORT_DATA_FORMAT = 1;

export interface ReportData {
  format: number;
  header: TraceHeader;
  /** The one command that replays this run. */
  replay: string;
  summary: RunSummary;
  workloads: WorkloadLabels[];
  services: { namespace: string; name: string }[];
  clients: { name: string; from: { namespace: string; deployment: string } | null }[];
  series: TimeSeries;
  /** Set when a budget cut the run short. */
  budgetMessage: string | null;
}

/**
 * JSON for embedding inside a `<script type="application/json">` element: `<` is escaped so no
 * name in the data can close the element or open a comment; JSON.parse reads it back unchanged.
 */
export function embeddableJson(data: unknown): string {
  return JSON.stringify(data).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A step that gives the report about 60 points over the run, in whole 100 ms. */
export function reportStepUs(durationUs: number): number {
  const raw = Math.max(100_000, Math.ceil(durationUs / 60 / 100_000) * 100_000);
  return raw;
}
