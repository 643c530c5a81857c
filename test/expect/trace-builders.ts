/**
 * Synthetic trace events and expectation specs for fold tests: each test writes exactly the
 * requests it reasons about, so expected counts are known without running the engine.
 */
import type { ExpectationCheck, ExpectationScope, ExpectationSpec, ExpectationTemporal } from '../../sim/config/types.ts';
import type { ClientEndEvent, ConfigPushEvent, TraceEvent, UpstreamEvent } from '../../sim/trace/events.ts';

export function up(p: Partial<UpstreamEvent> & { latencyUs?: number } = {}): UpstreamEvent {
  const startUs = p.startUs ?? 0;
  const latencyUs = p.latencyUs ?? 1000;
  const destination = p.destination === undefined ? 'reviews-v1' : p.destination;
  return {
    kind: 'upstream',
    timeUs: startUs + latencyUs,
    startUs,
    req: 1,
    client: p.client ?? 'c',
    stream: 1,
    parent: 0,
    attempt: p.attempt ?? 1,
    source: p.source ?? 'productpage-v1',
    sourceNamespace: 'default',
    sourcePod: 'productpage-v1-0',
    service: p.service ?? 'reviews',
    cluster: 'outbound|9080||reviews.default.svc.cluster.local',
    destination,
    destNamespace: destination ? 'default' : null,
    destPod: destination ? `${destination}-0` : null,
    version: p.version === undefined ? (destination ? (destination.split('-').pop() ?? null) : null) : p.version,
    code: p.code ?? 200,
    flags: p.flags ?? '-',
    route: p.route ?? null,
    security: p.security ?? (destination ? 'mutual_tls' : 'none'),
  };
}

export function end(p: Partial<ClientEndEvent> & { startUs?: number } = {}): ClientEndEvent {
  const latencyUs = p.latencyUs ?? 1000;
  return { kind: 'client.end', timeUs: (p.startUs ?? 0) + latencyUs, req: 1, client: p.client ?? 'c', code: p.code ?? 200, flags: p.flags ?? '-', latencyUs };
}

export const push = (proxy: string, version: number, timeUs: number): ConfigPushEvent => ({ kind: 'config.push', timeUs, proxy, version });

/** A future event kind (outlier detection), cast in as the trace will carry it. */
/** An ejection of `host` (a pod) by `proxy`'s cluster; the fold learns whose pods they are from `up` events. */
export const eject = (timeUs: number, host: string, proxy = 'productpage-v1-0', cluster = 'outbound|9080||reviews.default.svc.cluster.local'): TraceEvent => ({
  kind: 'outlier.eject',
  timeUs,
  proxy,
  cluster,
  host,
  reason: '5xx',
  consecutive: 5,
  ejectionUs: 30_000_000,
  multiplier: 1,
});

export function spec(check: ExpectationCheck, scope: ExpectationScope = {}, temporal?: ExpectationTemporal, name = 'e'): ExpectationSpec {
  const s: ExpectationSpec = { name, scope, check, source: { file: 'sc.yaml', line: 3, col: 5 } };
  if (temporal) s.temporal = temporal;
  return s;
}

/** n copies of an event made by `f(i)`. */
export function times<T>(n: number, f: (i: number) => T): T[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

export const clients = new Map([['c', 'productpage-v1']]);
