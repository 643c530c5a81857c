/**
 * Messages between the page and the simulation worker. Plain data only (structured clone);
 * no DOM or Node types, so tests in Node can import these types too.
 */
import type { ProxyTables, RunSummary } from '../../sim/index.ts';
import type { WorkloadBadges } from './replay/badges.ts';
import type { ColumnarTrace } from './replay/columnar.ts';

export interface RunRequest {
  id: number;
  /** Normalised path of the scenario file inside `files`, e.g. "scenarios/bookinfo.yaml". */
  entry: string;
  /** Every file the scenario may read, by normalised path. */
  files: Record<string, string>;
  /** Overrides the scenario's seed when set. */
  seed?: number;
  /** Manifest files (paths in `files`) layered at t=0 over the scenario, like `meshsim run --apply`. */
  apply?: string[];
  /**
   * When true and the scenario reads a file that is not in `files`, the worker answers
   * `missing` instead of reporting the diagnostics, so the page can fetch it and ask again.
   */
  discover: boolean;
  /** Also return the run's trace (with provenance events) for the replay. */
  trace?: boolean;
}

export interface WorkloadInfo {
  namespace: string;
  name: string;
  app: string | null;
  version: string | null;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
}

export interface ClientInfo {
  name: string;
  /** In-mesh workload the client runs in; null for traffic from outside the mesh. */
  from: { namespace: string; deployment: string } | null;
}

export interface RunOutcome {
  summary: RunSummary;
  /** Every Deployment the run knew about (initial manifests and timeline applies), sorted. */
  workloads: WorkloadInfo[];
  /** Every Service the run knew about, sorted. */
  services: ServiceInfo[];
  clients: ClientInfo[];
  budgetMessage: string | null;
  /** The trace in columns (transferred, not copied) when the request asked for it. */
  trace?: ColumnarTrace | null;
  /** Kiali-style badges per workload (VirtualService, fault, circuit breaker, mTLS, no sidecar). */
  badges?: WorkloadBadges[];
  /**
   * Each sidecar's compiled config as `istioctl proxy-config routes/clusters` tables, by
   * "pod@version" → index into `tables` (sidecars with the same view share one table). Sent with
   * the trace; the proxy inspector shows the version installed at the cursor.
   */
  proxyTables?: { tables: ProxyTables[]; byPodVersion: Record<string, number> };
  /** Wall-clock milliseconds spent parsing and running inside the worker. */
  parseMs: number;
  runMs: number;
}

export type RunReply =
  | { id: number; kind: 'done'; outcome: RunOutcome }
  | { id: number; kind: 'missing'; paths: string[] }
  /** Invalid input: one compiler-style line per diagnostic. */
  | { id: number; kind: 'invalid'; diagnostics: string[] }
  | { id: number; kind: 'crash'; message: string };
