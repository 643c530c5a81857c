/**
 * The data plane's decision events (route match, weighted pick, fault, endpoint pick, timeout):
 * written only when a run asks for `detail` (--explain, the browser replay), never on the default
 * hot path. Each is one trace event, so a run with detail on makes the same draws as one without.
 */
import type { WeightedCluster } from '../control-plane/types.ts';
import type { Trace } from '../trace/sink.ts';
import type { ClusterState } from './lb.ts';
import type { Proxy } from './proxy.ts';
import type { RouteLookup } from './router.ts';
import type { Stream } from './streams.ts';

export function emitRouteMatch(trace: Trace, nowUs: number, s: Stream, proxy: Proxy, look: RouteLookup): void {
  const base = { kind: 'route.match' as const, timeUs: nowUs, req: s.root.id, stream: s.id, proxy: proxy.pod.name, host: s.head.host, port: s.head.port };
  switch (look.kind) {
    case 'unknown-host':
      trace.emit({ ...base, vhost: null, virtualService: null, rule: -1, match: -1, outcome: look.kind, detail: `"${s.head.host}" is not a service in the registry` });
      return;
    case 'no-listener': {
      // The Service may have the port while this sidecar's config predates it (push not landed yet).
      const hasPort = look.service.ports.some((p) => p.port === s.head.port);
      const detail = hasPort ? `this sidecar has no listener for ${look.service.fqdn}:${s.head.port} yet (its config is older than the Service)` : `service ${look.service.fqdn} has no port ${s.head.port}`;
      trace.emit({ ...base, vhost: null, virtualService: null, rule: -1, match: -1, outcome: look.kind, detail });
      return;
    }
    case 'no-route':
      trace.emit({ ...base, vhost: look.vhost.name, virtualService: look.vhost.vs, rule: -1, match: -1, outcome: look.kind, detail: 'no rule matched: 404 NR' });
      return;
    case 'route': {
      const r = look.route;
      const detail = r.vs === null ? 'default route (no VirtualService)' : look.matched ? look.matched.describe() : 'rule without match conditions';
      trace.emit({ ...base, vhost: look.vhost.name, virtualService: r.vs, rule: r.ruleIndex, match: look.match, outcome: r.action.kind, detail });
      return;
    }
  }
}

export function emitRoutePick(trace: Trace, nowUs: number, s: Stream, draw: number, total: number, index: number, d: WeightedCluster): void {
  trace.emit({ kind: 'route.pick', timeUs: nowUs, req: s.root.id, stream: s.id, draw, totalWeight: total, index, weight: d.weight, cluster: d.cluster, subset: d.subset });
}

export function emitFault(trace: Trace, nowUs: number, s: Stream, fault: 'delay' | 'abort', ppm: number, delayUs: number, status: number): void {
  trace.emit({ kind: 'fault', timeUs: nowUs, req: s.root.id, stream: s.id, fault, ppm, delayUs, status });
}

export function emitEndpointPick(trace: Trace, nowUs: number, s: Stream, cluster: ClusterState, healthy: number, idx: number, hashKey: string | null): void {
  const hash = cluster.config.hash;
  trace.emit({
    kind: 'lb.pick',
    timeUs: nowUs,
    req: s.root.id,
    stream: s.id,
    attempt: s.attempts + 1,
    cluster: cluster.config.name,
    lb: hash ? (hash.table === 'maglev' ? 'MAGLEV' : 'RING_HASH') : cluster.config.lb.kind,
    healthy,
    endpoint: idx >= 0 ? cluster.endpoint(idx).pod.name : null,
    hashKey: hashKey ?? '',
  });
}

export function emitTimeout(trace: Trace, nowUs: number, s: Stream, timeout: 'route' | 'per-try', timeoutUs: number, attempt: number): void {
  trace.emit({ kind: 'timeout', timeUs: nowUs, req: s.root.id, stream: s.id, timeout, timeoutUs, attempt });
}
