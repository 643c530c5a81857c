/**
 * The semantic checks istiod's validating webhook applies to VirtualService and DestinationRule
 * specs that already have the right shape (istio-schema.ts): what `kubectl apply` would reject
 * or warn about (istio-semantics.md §1.4–1.9, §2, §9.3).
 * SRC: istio/istio pkg/config/validation/validation.go.
 */
import { parseDuration } from '../domain/time.ts';
import type {
  ConnectionPoolSettings,
  Destination,
  DestinationRuleSpec,
  HTTPFaultInjection,
  HTTPMatchRequest,
  HTTPRoute,
  LoadBalancerSettings,
  OutlierDetection,
  Percent,
  RouteDestination,
  StringMatch,
  TrafficPolicy,
  VirtualServiceSpec,
} from './istio-types.ts';
import type { SemanticsProfile } from './types.ts';
import type { Emit, PathSeg } from './yaml-source.ts';
import { didYouMean } from './suggest.ts';

/** retryOn vocabulary istiod accepts (plus bare HTTP status codes). */
export const RETRY_ON_POLICIES = [
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'envoy-ratelimited',
  'http3-post-connect-failure',
  'cancelled',
  'deadline-exceeded',
  'internal',
  'resource-exhausted',
  'unavailable',
];

const REDIRECT_CODES = [301, 302, 303, 307, 308];

function checkDuration(value: string | undefined, path: PathSeg[], emit: Emit, minUs = 0): void {
  if (value === undefined) return;
  const d = parseDuration(value);
  if (!d.ok) emit(path, d.error);
  else if (d.us < minUs) emit(path, `duration "${value}" must be at least ${minUs / 1000}ms`);
}

function checkPercent(p: Percent | undefined, path: PathSeg[], emit: Emit): void {
  if (p?.value === undefined) return;
  if (!Number.isFinite(p.value) || p.value < 0 || p.value > 100) emit([...path, 'value'], `percentage must be in 0–100, got ${p.value}`);
}

function checkIntPercent(v: number | undefined, path: PathSeg[], emit: Emit): void {
  if (v !== undefined && (v < 0 || v > 100)) emit(path, `percentage must be in 0–100, got ${v}`);
}

function checkPort(v: number | undefined, path: PathSeg[], emit: Emit): void {
  if (v !== undefined && (v < 1 || v > 65535)) emit(path, `port number must be in 1–65535, got ${v}`);
}

function checkStringMatch(m: StringMatch, path: PathSeg[], emit: Emit, allowEmpty: boolean): void {
  const set = (['exact', 'prefix', 'regex'] as const).filter((k) => m[k] !== undefined);
  if (set.length > 1) emit(path, `a string match must set exactly one of exact, prefix or regex; found ${set.join(' and ')}`);
  else if (set.length === 0 && !allowEmpty) emit(path, 'a string match must set one of exact, prefix or regex');
}

function checkDestination(d: Destination, path: PathSeg[], emit: Emit): void {
  checkPort(d.port?.number, [...path, 'port', 'number'], emit);
}

function checkWeights(
  routes: (RouteDestination | { weight?: number })[],
  path: PathSeg[],
  emit: Emit,
  profile: SemanticsProfile | undefined,
): void {
  let sum = 0;
  let negative = false;
  routes.forEach((r, i) => {
    const w = r.weight ?? 0;
    if (w < 0) {
      emit([...path, i, 'weight'], `weight ${w} is negative; weights must be >= 0`);
      negative = true;
    }
    sum += Math.max(0, w);
  });
  if (negative || routes.length < 2) return;
  if (sum === 0) {
    emit(path, 'total destination weight = 0: with more than one destination at least one weight must be > 0');
  } else if (profile?.weightsMustSum100 && sum !== 100) {
    emit(path, `total destination weight ${sum} != 100 (Istio ${profile.istioVersion} requires weights to sum to 100; relative weights arrived in 1.15)`);
  }
}

function checkMatch(m: HTTPMatchRequest, path: PathSeg[], emit: Emit): void {
  for (const k of ['uri', 'scheme', 'method', 'authority'] as const) {
    const sm = m[k];
    if (sm) checkStringMatch(sm, [...path, k], emit, false);
  }
  for (const k of ['headers', 'withoutHeaders'] as const) {
    const map = m[k];
    if (!map) continue;
    for (const [name, sm] of Object.entries(map)) {
      if (!name.startsWith('@') && name !== name.toLowerCase()) {
        emit([...path, k, name], `header name '${name}' must be lowercase (write '${name.toLowerCase()}')`);
      }
      checkStringMatch(sm, [...path, k, name], emit, true);
    }
  }
  if (m.queryParams) {
    for (const [name, sm] of Object.entries(m.queryParams)) checkStringMatch(sm, [...path, 'queryParams', name], emit, false);
  }
  checkPort(m.port, [...path, 'port'], emit);
}

function checkFault(f: HTTPFaultInjection, path: PathSeg[], emit: Emit): void {
  if (!f.delay && !f.abort) emit(path, 'fault must set delay or abort');
  if (f.delay) {
    const p = [...path, 'delay'];
    if (f.delay.fixedDelay === undefined && f.delay.exponentialDelay === undefined) emit(p, 'delay must set fixedDelay');
    checkDuration(f.delay.fixedDelay, [...p, 'fixedDelay'], emit, 1000);
    checkDuration(f.delay.exponentialDelay, [...p, 'exponentialDelay'], emit, 1000);
    checkPercent(f.delay.percentage, [...p, 'percentage'], emit);
    checkIntPercent(f.delay.percent, [...p, 'percent'], emit);
  }
  if (f.abort) {
    const p = [...path, 'abort'];
    const kinds = (['httpStatus', 'grpcStatus', 'http2Error'] as const).filter((k) => f.abort?.[k] !== undefined);
    if (kinds.length === 0) emit(p, 'abort must set httpStatus (or grpcStatus)');
    if (kinds.length > 1) emit(p, `abort must set only one of httpStatus, grpcStatus, http2Error; found ${kinds.join(' and ')}`);
    const s = f.abort.httpStatus;
    if (s !== undefined && (s < 200 || s > 599)) emit([...p, 'httpStatus'], `httpStatus must be in 200–599, got ${s}`);
    checkPercent(f.abort.percentage, [...p, 'percentage'], emit);
  }
}

function checkRoute(h: HTTPRoute, path: PathSeg[], emit: Emit, profile: SemanticsProfile | undefined, isDelegate: boolean): void {
  const has = (k: keyof HTTPRoute): boolean => h[k] !== undefined;
  const hasRoute = h.route !== undefined && h.route.length > 0;
  const pairs: [boolean, string][] = [
    [hasRoute && has('redirect'), 'an HTTP route cannot have both route and redirect'],
    [hasRoute && has('directResponse'), 'an HTTP route cannot have both route and directResponse'],
    [has('redirect') && has('directResponse'), 'an HTTP route cannot have both redirect and directResponse'],
    [has('fault') && has('redirect'), 'an HTTP route cannot have both fault and redirect'],
    [has('rewrite') && has('redirect'), 'an HTTP route cannot have both rewrite and redirect'],
    [has('mirror') && has('mirrors'), 'an HTTP route cannot set both mirror and mirrors'],
    [has('delegate') && (hasRoute || has('redirect') || has('directResponse')), 'an HTTP route with delegate cannot also have route, redirect or directResponse'],
  ];
  for (const [bad, msg] of pairs) if (bad) emit(path, msg);
  if (!hasRoute && !has('redirect') && !has('directResponse') && !has('delegate')) {
    emit(path, 'an HTTP route needs route, redirect, directResponse or delegate');
  }
  if (isDelegate && h.delegate) emit([...path, 'delegate'], 'a delegate VirtualService (no hosts) cannot delegate again: only one level of delegation');

  h.match?.forEach((m, i) => checkMatch(m, [...path, 'match', i], emit));
  if (h.route) {
    h.route.forEach((r, i) => checkDestination(r.destination, [...path, 'route', i, 'destination'], emit));
    checkWeights(h.route, [...path, 'route'], emit, profile);
  }
  if (h.redirect) {
    const p = [...path, 'redirect'];
    const code = h.redirect.redirectCode;
    if (code !== undefined && !REDIRECT_CODES.includes(code)) emit([...p, 'redirectCode'], `redirectCode must be one of ${REDIRECT_CODES.join(', ')}, got ${code}`);
    if (h.redirect.port !== undefined && h.redirect.derivePort !== undefined) emit(p, 'redirect cannot set both port and derivePort');
    checkPort(h.redirect.port, [...p, 'port'], emit);
  }
  if (h.directResponse) {
    const s = h.directResponse.status;
    if (s < 200 || s > 599) emit([...path, 'directResponse', 'status'], `status must be in 200–599, got ${s}`);
    const body = h.directResponse.body;
    if (body && body.string !== undefined && body.bytes !== undefined) emit([...path, 'directResponse', 'body'], 'body must set only one of string or bytes');
  }
  if (h.delegate && !h.delegate.name) emit([...path, 'delegate', 'name'], 'delegate must name a VirtualService');
  if (h.rewrite?.uri !== undefined && h.rewrite.uriRegexRewrite !== undefined) emit([...path, 'rewrite'], 'rewrite cannot set both uri and uriRegexRewrite');
  checkDuration(h.timeout, [...path, 'timeout'], emit);
  if (h.retries) {
    const p = [...path, 'retries'];
    const a = h.retries.attempts;
    if (a !== undefined && a < 0) emit([...p, 'attempts'], `attempts must be >= 0, got ${a}`);
    checkDuration(h.retries.perTryTimeout, [...p, 'perTryTimeout'], emit, 1000);
    checkDuration(h.retries.backoff, [...p, 'backoff'], emit, 1000);
    if (h.retries.retryOn !== undefined) {
      for (const part of h.retries.retryOn.split(',').map((s) => s.trim())) {
        if (part === '') continue;
        if (/^\d+$/.test(part)) {
          const code = Number(part);
          if (code < 100 || code > 599) emit([...p, 'retryOn'], `retryOn status code ${part} must be in 100–599`);
        } else if (!RETRY_ON_POLICIES.includes(part)) {
          emit([...p, 'retryOn'], `retryOn policy '${part}' is not valid${didYouMean(part, RETRY_ON_POLICIES)}`);
        }
      }
    }
  }
  if (h.fault) checkFault(h.fault, [...path, 'fault'], emit);
  if (h.mirror) checkDestination(h.mirror, [...path, 'mirror'], emit);
  h.mirrors?.forEach((m, i) => {
    checkDestination(m.destination, [...path, 'mirrors', i, 'destination'], emit);
    checkPercent(m.percentage, [...path, 'mirrors', i, 'percentage'], emit);
  });
  checkPercent(h.mirrorPercentage, [...path, 'mirrorPercentage'], emit);
  checkIntPercent(h.mirrorPercent, [...path, 'mirrorPercent'], emit);
  if (h.corsPolicy) {
    h.corsPolicy.allowOrigins?.forEach((m, i) => checkStringMatch(m, [...path, 'corsPolicy', 'allowOrigins', i], emit, false));
    checkDuration(h.corsPolicy.maxAge, [...path, 'corsPolicy', 'maxAge'], emit);
  }
}

/** Webhook-style checks of one VirtualService spec; paths are relative to the resource (start with 'spec'). */
export function validateVirtualServiceSpec(spec: VirtualServiceSpec, emit: Emit, profile?: SemanticsProfile): void {
  const base: PathSeg[] = ['spec'];
  const isDelegate = !spec.hosts || spec.hosts.length === 0;
  if (!spec.http?.length && !spec.tcp?.length && !spec.tls?.length) {
    emit(base, 'a VirtualService must have at least one of http, tcp or tls');
  }
  if (isDelegate && spec.gateways && spec.gateways.length > 0) {
    emit([...base, 'gateways'], 'a VirtualService without hosts is a delegate and must not list gateways; add hosts or remove gateways');
  }
  if (isDelegate && (spec.tcp?.length || spec.tls?.length)) {
    emit(base, 'a VirtualService without hosts is a delegate and may only have http routes; add hosts for tcp/tls routes');
  }
  spec.hosts?.forEach((h, i) => {
    if (h === '') emit([...base, 'hosts', i], 'host must not be empty');
  });
  spec.http?.forEach((h, i) => checkRoute(h, [...base, 'http', i], emit, profile, isDelegate));
  spec.tcp?.forEach((t, i) => {
    t.route?.forEach((r, j) => checkDestination(r.destination, [...base, 'tcp', i, 'route', j, 'destination'], emit));
    if (t.route) checkWeights(t.route, [...base, 'tcp', i, 'route'], emit, profile);
    t.match?.forEach((m, j) => checkPort(m.port, [...base, 'tcp', i, 'match', j, 'port'], emit));
  });
  spec.tls?.forEach((t, i) => {
    t.match.forEach((m, j) => {
      if (m.sniHosts.length === 0) emit([...base, 'tls', i, 'match', j, 'sniHosts'], 'sniHosts must list at least one host');
    });
    t.route?.forEach((r, j) => checkDestination(r.destination, [...base, 'tls', i, 'route', j, 'destination'], emit));
    if (t.route) checkWeights(t.route, [...base, 'tls', i, 'route'], emit, profile);
  });
}

function checkNonNegative(obj: object | undefined, path: PathSeg[], emit: Emit): void {
  if (!obj) return;
  for (const [k, v] of Object.entries(obj)) {
    if (typeof v === 'number' && v < 0) emit([...path, k], `${k} must be >= 0, got ${v}`);
  }
}

function checkConnectionPool(cp: ConnectionPoolSettings, path: PathSeg[], emit: Emit): void {
  if (!cp.tcp && !cp.http) emit(path, 'connectionPool must set tcp or http');
  if (cp.tcp) {
    const p = [...path, 'tcp'];
    checkNonNegative(cp.tcp, p, emit);
    checkNonNegative(cp.tcp.tcpKeepalive, [...p, 'tcpKeepalive'], emit);
    checkDuration(cp.tcp.connectTimeout, [...p, 'connectTimeout'], emit, 1000);
    checkDuration(cp.tcp.maxConnectionDuration, [...p, 'maxConnectionDuration'], emit, 1000);
    checkDuration(cp.tcp.idleTimeout, [...p, 'idleTimeout'], emit);
    checkDuration(cp.tcp.tcpKeepalive?.time, [...p, 'tcpKeepalive', 'time'], emit);
    checkDuration(cp.tcp.tcpKeepalive?.interval, [...p, 'tcpKeepalive', 'interval'], emit);
  }
  if (cp.http) {
    const p = [...path, 'http'];
    checkNonNegative(cp.http, p, emit);
    checkDuration(cp.http.idleTimeout, [...p, 'idleTimeout'], emit);
  }
}

function checkOutlier(od: OutlierDetection, path: PathSeg[], emit: Emit): void {
  checkNonNegative(od, path, emit);
  if (od.consecutiveErrors !== undefined) {
    emit(
      [...path, 'consecutiveErrors'],
      'consecutiveErrors is deprecated and ignored since Istio 1.7 (the default of 5 consecutive 5xx applies); use consecutive5xxErrors or consecutiveGatewayErrors',
      'warning',
    );
  }
  checkIntPercent(od.maxEjectionPercent, [...path, 'maxEjectionPercent'], emit);
  checkIntPercent(od.minHealthPercent, [...path, 'minHealthPercent'], emit);
  checkDuration(od.interval, [...path, 'interval'], emit, 1000);
  checkDuration(od.baseEjectionTime, [...path, 'baseEjectionTime'], emit, 1000);
}

function checkLoadBalancer(lb: LoadBalancerSettings, path: PathSeg[], emit: Emit): void {
  if (lb.simple !== undefined && lb.consistentHash !== undefined) emit(path, 'loadBalancer must set only one of simple or consistentHash');
  const ch = lb.consistentHash;
  if (ch) {
    const keys = (['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'] as const).filter((k) => ch[k] !== undefined);
    if (keys.length > 1) emit([...path, 'consistentHash'], `consistentHash must use only one hash key; found ${keys.join(', ')}`);
    if (ch.ringHash && ch.maglev) emit([...path, 'consistentHash'], 'consistentHash must set only one of ringHash or maglev');
    checkDuration(ch.httpCookie?.ttl, [...path, 'consistentHash', 'httpCookie', 'ttl'], emit);
  }
  if (lb.localityLbSetting) checkLocalityLb(lb.localityLbSetting, [...path, 'localityLbSetting'], emit);
  checkDuration(lb.warmup?.duration, [...path, 'warmup', 'duration'], emit);
}

const TOPOLOGY_LABELS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

/**
 * istio validation ValidateLocalityLbSetting (istio-semantics.md §2.6): distribute excludes
 * failover and failoverPriority (istiod ignores the others when distribute is set); failover may
 * go with failoverPriority only when no topology label is in the list; weights 1–100 summing to
 * 100; failover names regions only ("from" ≠ "to", no '/' or '*'); a locality has at most one
 * '*', at the end.
 */
function checkLocalityLb(loc: NonNullable<LoadBalancerSettings['localityLbSetting']>, path: PathSeg[], emit: Emit): void {
  const set = (['distribute', 'failover', 'failoverPriority'] as const).filter((k) => (loc[k]?.length ?? 0) > 0);
  if (set.includes('distribute') && set.length > 1) {
    emit(path, `localityLbSetting must set only one of distribute, failover or failoverPriority; found ${set.join(' and ')}`);
  } else if (set.includes('failover') && set.includes('failoverPriority')) {
    loc.failoverPriority!.forEach((label, i) => {
      if (TOPOLOGY_LABELS.includes(label.split('=')[0])) {
        emit([...path, 'failoverPriority', i], `can not set both failover and the topology label '${label}' in failoverPriority (use only one of the two)`);
      }
    });
  }
  const checkLocality = (l: string | undefined, where: PathSeg[]): void => {
    if (l === undefined) return;
    const stars = l.split('*').length - 1;
    if (stars > 1 || (stars === 1 && !l.endsWith('*'))) emit(where, `locality '${l}': at most one '*', and only at the end`);
    else if (l.split('/').some((part) => part === '')) emit(where, `locality '${l}' must not have an empty region/zone/subzone`);
  };
  loc.distribute?.forEach((d, i) => {
    const p = [...path, 'distribute', i];
    checkLocality(d.from, [...p, 'from']);
    let total = 0;
    for (const [to, w] of Object.entries(d.to ?? {})) {
      checkLocality(to, [...p, 'to', to]);
      if (!(w >= 1 && w <= 100)) emit([...p, 'to', to], `locality weight must be in 1..100, got ${w}`);
      total += w;
    }
    if (d.to && total !== 100) emit([...p, 'to'], `weights must sum to 100, got ${total}`);
  });
  loc.failover?.forEach((f, i) => {
    const p = [...path, 'failover', i];
    if (f.from !== undefined && f.from === f.to) emit(p, `failover from and to must name different regions, both are '${f.from}'`);
    for (const k of ['from', 'to'] as const) {
      const v = f[k];
      if (v !== undefined && (v.includes('/') || v.includes('*'))) emit([...p, k], `failover ${k} names a region only (no '/' or '*'), got '${v}'`);
    }
  });
}

function checkTrafficPolicy(tp: TrafficPolicy, path: PathSeg[], emit: Emit, allowPortLevel: boolean): void {
  if (tp.connectionPool) checkConnectionPool(tp.connectionPool, [...path, 'connectionPool'], emit);
  if (tp.outlierDetection) checkOutlier(tp.outlierDetection, [...path, 'outlierDetection'], emit);
  if (tp.loadBalancer) checkLoadBalancer(tp.loadBalancer, [...path, 'loadBalancer'], emit);
  const loc = tp.loadBalancer?.localityLbSetting;
  if (loc && ((loc.failover?.length ?? 0) > 0 || (loc.failoverPriority?.length ?? 0) > 0) && !tp.outlierDetection) {
    // Without outlier detection istiod assigns no priorities, so failover never happens (§2.6).
    emit([...path, 'loadBalancer', 'localityLbSetting'], 'outlierDetection must be set for locality failover to take effect (istiod assigns failover priorities only with it)', 'warning');
  }
  if (tp.tls?.mode === 'ISTIO_MUTUAL') {
    const extra = Object.keys(tp.tls).filter((k) => k !== 'mode' && k !== 'sni' && k !== 'subjectAltNames');
    if (extra.length) emit([...path, 'tls'], `tls mode ISTIO_MUTUAL must not set ${extra.join(', ')}`);
  }
  if (tp.retryBudget) checkPercent(tp.retryBudget.percent, [...path, 'retryBudget', 'percent'], emit);
  if (tp.portLevelSettings) {
    if (!allowPortLevel) emit([...path, 'portLevelSettings'], 'portLevelSettings cannot be nested');
    const seen = new Set<number>();
    tp.portLevelSettings.forEach((pl, i) => {
      const p = [...path, 'portLevelSettings', i];
      if (pl.port?.number === undefined) emit(p, 'portLevelSettings entries must set port.number');
      else {
        checkPort(pl.port.number, [...p, 'port', 'number'], emit);
        if (seen.has(pl.port.number)) emit([...p, 'port', 'number'], `port ${pl.port.number} appears twice in portLevelSettings`);
        seen.add(pl.port.number);
      }
      checkTrafficPolicy(pl, p, emit, false);
    });
  }
}

/** Webhook-style checks of one DestinationRule spec; paths are relative to the resource. */
export function validateDestinationRuleSpec(spec: DestinationRuleSpec, emit: Emit): void {
  const base: PathSeg[] = ['spec'];
  if (spec.trafficPolicy) checkTrafficPolicy(spec.trafficPolicy, [...base, 'trafficPolicy'], emit, true);
  const seen = new Map<string, number>();
  spec.subsets?.forEach((s, i) => {
    const p = [...base, 'subsets', i];
    const first = seen.get(s.name);
    if (first !== undefined) emit([...p, 'name'], `duplicate subset name '${s.name}' (also subsets[${first}])`);
    else seen.set(s.name, i);
    if (s.trafficPolicy) checkTrafficPolicy(s.trafficPolicy, [...p, 'trafficPolicy'], emit, true);
  });
}
