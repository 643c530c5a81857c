/**
 * `spec.workloads` → WorkloadBehaviour[] and `spec.traffic` → TrafficSpec[] (scenarios/README.md):
 * how each Deployment's application behaves and what load arrives. Problems are reported at the
 * offending field through the scenario resolver (SpecHost); nothing throws.
 */
import type { SourceLocation } from '../domain/diagnostics.ts';
import { US_PER_MS, US_PER_S } from '../domain/time.ts';
import { CODES } from './codes.ts';
import type { CallInput, CallStepInput, DistributionInput, SpecInput, TrafficInput, WorkloadInput } from './scenario-schema.ts';
import type { CallSpec, CallStep, DeploymentResource, Distribution, LoadModel, ParsedUrl, TrafficSpec, WorkloadBehaviour } from './types.ts';
import { MAX_RATE_PER_SEC, parsePercent, parseRate, parseUrl } from './units.ts';
import type { PathSeg } from './yaml-source.ts';

export const DEFAULT_SERVICE_TIME: Distribution = { kind: 'lognormal', medianUs: 1 * US_PER_MS, p99Us: 5 * US_PER_MS };

/** What these resolvers need from the scenario resolver. */
export interface SpecHost {
  error(path: PathSeg[] | null, message: string, code?: string, atKey?: boolean): void;
  warn(path: PathSeg[] | null, message: string, code?: string): void;
  at(path: PathSeg[]): SourceLocation | null;
  intact(path: PathSeg[]): boolean;
  readable(path: PathSeg[]): boolean;
  duration(value: unknown, path: PathSeg[], fallback: number): number;
  distribution(input: DistributionInput, path: PathSeg[]): Distribution | null;
  findDeployment(ref: string, deployments: DeploymentResource[], rejected: string[], path: PathSeg[], what: string, atKey?: boolean): DeploymentResource | null | 'rejected';
}

export function resolveWorkloads(h: SpecHost, spec: SpecInput, deployments: DeploymentResource[], rejected: string[]): WorkloadBehaviour[] {
  const byDeployment = new Map<string, WorkloadBehaviour>();
  if (spec.workloads && h.readable(['spec', 'workloads'])) {
    for (const [key, w] of Object.entries(spec.workloads)) {
      const path: PathSeg[] = ['spec', 'workloads', key];
      const d = h.findDeployment(key, deployments, rejected, path, 'workload', true);
      if (!d || d === 'rejected' || !h.intact(path)) continue;
      const id = `${d.meta.namespace}/${d.meta.name}`;
      if (byDeployment.has(id)) {
        h.error(path, `workload ${id} is configured twice (as '${key}' and another key)`, CODES.scenario, true);
        continue;
      }
      const b = behaviourOf(h, w, path, d);
      if (b) byDeployment.set(id, b);
    }
  }
  return deployments.map((d) => byDeployment.get(`${d.meta.namespace}/${d.meta.name}`) ?? defaultBehaviour(d));
}

function behaviourOf(h: SpecHost, w: WorkloadInput, path: PathSeg[], d: DeploymentResource): WorkloadBehaviour | null {
  const serviceTime = w.serviceTime === undefined ? DEFAULT_SERVICE_TIME : h.distribution(w.serviceTime, [...path, 'serviceTime']);
  let errorPpm = 0;
  let errorStatus = 500;
  if (w.errors) {
    const r = parsePercent(w.errors.rate);
    if (!r.ok) h.error([...path, 'errors', 'rate'], r.error);
    else errorPpm = Math.round(r.value * 1_000_000);
    if (w.errors.status !== undefined) errorStatus = w.errors.status;
  }
  const calls: CallStep[] = [];
  (w.calls ?? []).forEach((step: CallStepInput, i) => {
    const p: PathSeg[] = [...path, 'calls', i];
    if ('parallel' in step) {
      const parallel = step.parallel.map((c, j) => callSpec(h, c, [...p, 'parallel', j])).filter((c): c is CallSpec => c !== null);
      if (parallel.length === step.parallel.length) calls.push({ parallel });
    } else {
      const c = callSpec(h, step, p);
      if (c) calls.push({ parallel: [c] });
    }
  });
  const onCallFailure: WorkloadBehaviour['onCallFailure'] =
    w.onCallFailure === undefined || w.onCallFailure === 'continue' ? { kind: 'continue' } : { kind: 'status', status: w.onCallFailure.status };
  if (!serviceTime) return null;
  return {
    namespace: d.meta.namespace,
    deployment: d.meta.name,
    serviceTime,
    concurrency: w.concurrency ?? 0,
    queueLimit: w.queueLimit ?? 0,
    queueFullStatus: w.queueFullStatus ?? 503,
    errorPpm,
    errorStatus,
    status: w.status ?? 200,
    calls,
    propagateHeaders: (w.propagateHeaders ?? []).map((h) => h.toLowerCase()),
    onCallFailure,
    responseBytes: w.responseBytes ?? 0,
    source: h.at(path),
  };
}

function headersOf(input: Record<string, string> | undefined): [string, string][] {
  return Object.entries(input ?? {}).map(([k, v]) => [k.toLowerCase(), v]);
}

function methodAt(h: SpecHost, input: string | undefined, path: PathSeg[]): string {
  const m = (input ?? 'GET').toUpperCase();
  if (!/^[A-Z]+$/.test(m)) h.error(path, `"${input}" is not an HTTP method (e.g. GET, POST)`);
  return m;
}

function urlAt(h: SpecHost, input: string, path: PathSeg[]): ParsedUrl | null {
  const u = parseUrl(input);
  if (!u.ok) {
    h.error(path, u.error);
    return null;
  }
  return u.value;
}

function callSpec(h: SpecHost, c: CallInput, path: PathSeg[]): CallSpec | null {
  const url = urlAt(h, c.url, [...path, 'url']);
  const timeoutUs = h.duration(c.timeout, [...path, 'timeout'], 0);
  const method = methodAt(h, c.method, [...path, 'method']);
  if (!url) return null;
  return {
    url,
    method,
    headers: headersOf(c.headers),
    timeoutUs,
    attempts: c.attempts ?? 1,
    retryWhen: c.retryOn ?? 'error',
    source: h.at(path),
  };
}

export function resolveTraffic(h: SpecHost, spec: SpecInput, durationUs: number, deployments: DeploymentResource[], rejected: string[]): TrafficSpec[] {
  const out: TrafficSpec[] = [];
  if (!spec.traffic || !h.readable(['spec', 'traffic'])) return out;
  const names = new Map<string, number>();
  spec.traffic.forEach((t: TrafficInput, i) => {
    const path: PathSeg[] = ['spec', 'traffic', i];
    if (typeof t?.name === 'string') {
      if (names.has(t.name)) h.error([...path, 'name'], `traffic name '${t.name}' is already used by traffic[${names.get(t.name)}]; names must be unique`);
      else names.set(t.name, i);
    }
    if (!h.intact(path)) return;
    let from: TrafficSpec['from'] = null;
    let fromOk = true;
    if (t.from !== undefined) {
      const d = h.findDeployment(t.from, deployments, rejected, [...path, 'from'], 'from');
      if (d && d !== 'rejected') from = { namespace: d.meta.namespace, deployment: d.meta.name };
      else fromOk = false;
    }
    const url = urlAt(h, t.url, [...path, 'url']);
    const method = methodAt(h, t.method, [...path, 'method']);
    let load: LoadModel | null = null;
    if (t.rate !== undefined && t.connections !== undefined) {
      h.error(path, 'use either rate (open loop) or connections (closed loop, like fortio -c), not both');
    } else if (t.rate !== undefined) {
      const r = parseRate(t.rate);
      if (!r.ok) h.error([...path, 'rate'], r.error);
      else load = { kind: 'open', ratePerSec: r.value, arrival: t.arrival ?? 'poisson' };
      if (t.qps !== undefined) h.error([...path, 'qps'], 'qps is for closed-loop traffic (with connections); an open-loop entry sets its rate with rate');
    } else if (t.connections !== undefined) {
      const qps = t.qps ?? 0;
      if (qps > MAX_RATE_PER_SEC) h.error([...path, 'qps'], `qps ${qps} is above the limit of ${MAX_RATE_PER_SEC}/s`);
      else load = { kind: 'closed', connections: t.connections, qps };
      if (t.arrival !== undefined) h.error([...path, 'arrival'], 'arrival is for open-loop traffic (with rate); closed-loop requests start when the previous one answered');
    } else {
      h.error(path, 'traffic needs rate (open loop, e.g. rate: 20/s) or connections (closed loop, e.g. connections: 2)');
    }
    const startUs = h.duration(t.start, [...path, 'start'], 0);
    let stopUs = h.duration(t.stop, [...path, 'stop'], durationUs);
    if (stopUs > durationUs) {
      h.warn([...path, 'stop'], `stop ${t.stop} is after the scenario duration (${durationUs / US_PER_S}s); traffic stops at the duration`);
      stopUs = durationUs;
    }
    if (startUs >= stopUs) h.error(t.start !== undefined ? [...path, 'start'] : path, `start (${startUs / US_PER_S}s) must be before stop (${stopUs / US_PER_S}s)`);
    const timeoutUs = h.duration(t.timeout, [...path, 'timeout'], 0);
    if (!url || !load || !fromOk) return;
    out.push({
      name: t.name,
      from,
      method,
      url,
      headers: headersOf(t.headers),
      load,
      requests: t.requests ?? 0,
      startUs,
      stopUs,
      timeoutUs,
      source: h.at(path),
    });
  });
  return out;
}

export function defaultBehaviour(d: DeploymentResource): WorkloadBehaviour {
  return {
    namespace: d.meta.namespace,
    deployment: d.meta.name,
    serviceTime: DEFAULT_SERVICE_TIME,
    concurrency: 0,
    queueLimit: 0,
    queueFullStatus: 503,
    errorPpm: 0,
    errorStatus: 500,
    status: 200,
    calls: [],
    propagateHeaders: [],
    onCallFailure: { kind: 'continue' },
    responseBytes: 0,
    source: null,
  };
}
