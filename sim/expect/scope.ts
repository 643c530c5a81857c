/**
 * Which trace events an expectation looks at. Checks about calls between workloads (splits,
 * edges, rules, workloads, retries, "never reaches") read `upstream` events — one per attempt as
 * the calling proxy saw it, like istio_requests_total{reporter="source"}. Checks about a client's
 * own experience without such a scope read `client.end` events (end to end, app retries included).
 */
import type { ExpectationSpec } from '../config/types.ts';
import type { ClientEndEvent, UpstreamEvent } from '../trace/events.ts';

/** One request or attempt in scope, reduced to what checks use. */
export interface Observation {
  startUs: number;
  code: number;
  flags: string;
  latencyUs: number;
  attempt: number;
  /** Split key source: destination version and workload (null when none was reached). */
  version: string | null;
  destination: string | null;
}

export type ScopeSource = 'upstream' | 'client';

export class ScopeFilter {
  readonly source: ScopeSource;
  private readonly client: string | undefined;
  private readonly from: string | undefined;
  private readonly service: string | undefined;
  private readonly to: string | undefined;
  private readonly route: string | undefined;
  /** A client-scoped split without an edge looks at the client's first hop only. */
  private readonly firstHopSource: string | undefined;
  private readonly fromUs: number;
  private readonly toUs: number;

  constructor(spec: ExpectationSpec, clientSource: ReadonlyMap<string, string>) {
    const { scope, check } = spec;
    const callLevel = scope.edge !== undefined || scope.rule !== undefined || scope.workload !== undefined;
    const attemptCheck = check.kind === 'split' || check.kind === 'splitCounts' || check.kind === 'retries' || check.kind === 'neverReaches';
    this.source = callLevel || attemptCheck ? 'upstream' : 'client';
    this.client = scope.client;
    this.from = scope.edge?.from;
    this.service = scope.edge?.service;
    this.to = scope.edge?.to ?? scope.workload;
    this.route = scope.rule ? `${scope.rule.virtualService}#${scope.rule.index}` : undefined;
    const isSplit = check.kind === 'split' || check.kind === 'splitCounts';
    this.firstHopSource = isSplit && !callLevel && scope.client !== undefined ? clientSource.get(scope.client) : undefined;
    this.fromUs = scope.window?.fromUs ?? 0;
    this.toUs = scope.window?.toUs ?? Number.MAX_SAFE_INTEGER;
  }

  /** The observation for an upstream event in scope, or null. */
  upstream(ev: UpstreamEvent): Observation | null {
    if (this.client !== undefined && ev.client !== this.client) return null;
    if (this.from !== undefined && ev.source !== this.from) return null;
    if (this.service !== undefined && ev.service !== this.service) return null;
    if (this.to !== undefined && ev.destination !== this.to) return null;
    if (this.route !== undefined && ev.route !== this.route) return null;
    if (this.firstHopSource !== undefined && ev.source !== this.firstHopSource) return null;
    if (ev.startUs < this.fromUs || ev.startUs >= this.toUs) return null;
    return { startUs: ev.startUs, code: ev.code, flags: ev.flags, latencyUs: ev.timeUs - ev.startUs, attempt: ev.attempt, version: ev.version, destination: ev.destination };
  }

  /** The observation for a finished client request in scope, or null. */
  clientEnd(ev: ClientEndEvent): Observation | null {
    if (this.client !== undefined && ev.client !== this.client) return null;
    const startUs = ev.timeUs - ev.latencyUs;
    if (startUs < this.fromUs || startUs >= this.toUs) return null;
    return { startUs, code: ev.code, flags: ev.flags, latencyUs: ev.latencyUs, attempt: 1, version: null, destination: null };
  }

  /** Whether an event time falls in the window (for events that are not requests). */
  inWindow(timeUs: number): boolean {
    return timeUs >= this.fromUs && timeUs < this.toUs;
  }
}
