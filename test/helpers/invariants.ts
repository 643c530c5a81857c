/**
 * Invariant checker over a whole trace, in the manner of TigerBeetle's checkers: properties every
 * run must satisfy whatever the scenario, each family in its own small function. Returns the list of
 * violations (empty = fine, at most 50) so a failing test shows many of them at once.
 *
 * Families: numbers (integers, never negative, no NaN), time (never goes backwards), requests
 * (each starts and ends exactly once, inside its traffic window, within its timeout), attempts
 * (end after start, numbered 1..n in order, flags consistent with codes, the client sees its last
 * attempt's code), applications (arrival <= start <= end, worker pools and queues within limits,
 * every handled request was sent by some attempt), metrics (summary counts, codes, flags, maxima
 * and rule hits equal the trace), configuration (versions increase, timeline actions at their time),
 * in-flight requests within the budget, and outlier ejections respected.
 *
 * Outlier detection: an ejected host receives no new requests from the proxy that ejected it.
 *
 * Not checkable yet, because the trace has no events for them: connection-pool limits of a
 * DestinationRule (connections, pending and active requests per proxy and cluster).
 */
import type { ResolvedScenario, TrafficSpec } from '../../sim/config/types.ts';
import type { RunSummary } from '../../sim/run.ts';
import type { ClientEndEvent, ClientStartEvent, TraceEvent, UpstreamEvent } from '../../sim/trace/events.ts';

export interface InvariantOptions {
  /**
   * The run drained (stopped idle, not by a budget): every request must then have ended and every
   * timeline action must have happened. Default true.
   */
  complete?: boolean;
}

type Add = (msg: string) => void;

/** Codes each response flag allows (istio-semantics.md §1.10, §1.11); flags not listed allow any code. */
const FLAG_CODES: Record<string, (code: number) => boolean> = {
  UH: (c) => c === 503,
  UF: (c) => c === 503 || c === 0,
  UO: (c) => c === 503,
  NC: (c) => c === 503,
  NR: (c) => c === 404 || c === 503,
  UT: (c) => c === 504,
  DC: (c) => c === 0,
  // A connection reset seen by a client without sidecar (STRICT mTLS, §5.1) has no status: curl's 000.
  UC: (c) => c === 503 || c === 0,
  UR: (c) => c === 503,
  LR: (c) => c === 503,
};
const KNOWN_FLAGS = new Set(['LH', 'UH', 'UT', 'LR', 'UR', 'UF', 'UC', 'UO', 'NR', 'DI', 'FI', 'RL', 'UAEX', 'RLSE', 'DC', 'URX', 'SI', 'IH', 'DPE', 'UMSDR', 'RFCF', 'NFCF', 'DT', 'UPE', 'NC', 'OM']);
/** Numeric fields that may hold -1 ("none"): rule and match indexes of route.match. */
const MAY_BE_NEGATIVE = new Set(['rule', 'match']);

export function checkInvariants(events: readonly TraceEvent[], summary: RunSummary, scenario?: ResolvedScenario, options: InvariantOptions = {}): string[] {
  const complete = options.complete ?? true;
  const v: string[] = [];
  const add: Add = (msg) => {
    if (v.length < 50) v.push(msg);
  };
  checkNumbersAndTime(events, add);
  checkRequests(events, complete, scenario, add);
  checkAttempts(events, add);
  checkApps(events, scenario, add);
  checkMetrics(events, summary, add);
  checkConfig(events, complete, scenario, add);
  if (scenario) checkInFlight(events, scenario.budgets.maxInFlight, add);
  if (scenario && !panicModePossible(scenario)) checkEjections(events, add);
  return v;
}

function checkNumbersAndTime(events: readonly TraceEvent[], add: Add): void {
  let lastUs = 0;
  for (const e of events) {
    for (const [k, val] of Object.entries(e)) {
      if (typeof val !== 'number') continue;
      if (!Number.isFinite(val) || !Number.isInteger(val)) add(`${e.kind}.${k} is not an integer: ${val}`);
      else if (val < 0 && !(MAY_BE_NEGATIVE.has(k) && val === -1)) add(`${e.kind}.${k} is negative: ${val}`);
    }
    if (e.timeUs < lastUs) add(`time went backwards: ${e.kind} at ${e.timeUs}us after ${lastUs}us`);
    lastUs = e.timeUs;
  }
}

function checkRequests(events: readonly TraceEvent[], complete: boolean, scenario: ResolvedScenario | undefined, add: Add): void {
  const specs = new Map<string, TrafficSpec>((scenario?.traffic ?? []).map((t) => [t.name, t]));
  const started = new Map<number, ClientStartEvent>();
  const ended = new Set<number>();
  const issued = new Map<string, number>();
  for (const e of events) {
    if (e.kind === 'client.start') {
      if (started.has(e.req)) add(`request ${e.req} started twice`);
      started.set(e.req, e);
      issued.set(e.client, (issued.get(e.client) ?? 0) + 1);
      const spec = specs.get(e.client);
      if (scenario && !spec) add(`request ${e.req} from unknown client ${e.client}`);
      if (spec && (e.timeUs < spec.startUs || e.timeUs >= spec.stopUs)) add(`request ${e.req} of ${e.client} at ${e.timeUs}us is outside [${spec.startUs}, ${spec.stopUs})`);
      if (spec && (e.pod === null) !== (spec.from === null)) add(`request ${e.req} of ${e.client}: pod ${e.pod} but from ${JSON.stringify(spec.from)}`);
      if (spec?.from && e.pod !== null && !isPodOf(e.pod, spec.from.deployment)) add(`request ${e.req} left from ${e.pod}, not a pod of ${spec.from.deployment}`);
    } else if (e.kind === 'client.end') {
      const s = started.get(e.req);
      if (s === undefined) add(`request ${e.req} ended without starting`);
      else if (e.timeUs - s.timeUs !== e.latencyUs) add(`request ${e.req} latency ${e.latencyUs} != end - start ${e.timeUs - s.timeUs}`);
      if (ended.has(e.req)) add(`request ${e.req} ended twice`);
      ended.add(e.req);
      const spec = specs.get(e.client);
      if (spec && spec.timeoutUs > 0 && e.latencyUs > spec.timeoutUs) add(`request ${e.req} took ${e.latencyUs}us, over its client timeout ${spec.timeoutUs}us`);
    }
  }
  if (complete) for (const req of started.keys()) if (!ended.has(req)) add(`request ${req} never ended`);
  for (const [client, n] of issued) {
    const limit = specs.get(client)?.requests ?? 0;
    if (limit > 0 && n > limit) add(`client ${client} issued ${n} requests, limit ${limit}`);
  }
}

function checkAttempts(events: readonly TraceEvent[], add: Add): void {
  const startOf = new Map<number, number>();
  const byStream = new Map<number, UpstreamEvent[]>();
  const ends: ClientEndEvent[] = [];
  for (const e of events) {
    if (e.kind === 'client.start') startOf.set(e.req, e.timeUs);
    else if (e.kind === 'client.end') ends.push(e);
    if (e.kind !== 'upstream') continue;
    if (e.timeUs < e.startUs) add(`attempt ${e.attempt} of stream ${e.stream} ends before it starts`);
    if (e.attempt < 1) add(`attempt number ${e.attempt} < 1 (stream ${e.stream})`);
    if ((e.destination === null) !== (e.destPod === null)) add(`stream ${e.stream}: destination and destPod disagree`);
    if (e.destination !== null && e.destPod !== null && !isPodOf(e.destPod, e.destination)) add(`stream ${e.stream}: pod ${e.destPod} is not a pod of ${e.destination}`);
    const reqStart = startOf.get(e.req);
    if (reqStart === undefined) add(`stream ${e.stream} belongs to request ${e.req}, which never started`);
    else if (e.startUs < reqStart) add(`stream ${e.stream} attempt starts at ${e.startUs}us, before its request (${reqStart}us)`);
    if (e.flags !== '-') {
      for (const flag of e.flags.split(',')) {
        if (!KNOWN_FLAGS.has(flag)) add(`unknown response flag '${flag}' (stream ${e.stream})`);
        const ok = FLAG_CODES[flag];
        if (ok && !ok(e.code)) add(`flag ${flag} with code ${e.code} (stream ${e.stream})`);
      }
    }
    let list = byStream.get(e.stream);
    if (!list) byStream.set(e.stream, (list = []));
    list.push(e);
  }
  for (const [stream, list] of byStream) {
    list.forEach((a, i) => {
      if (a.attempt !== i + 1) add(`stream ${stream}: attempt ${a.attempt} where ${i + 1} was due`);
      if (i > 0 && a.startUs < list[i - 1].timeUs) add(`stream ${stream}: attempt ${a.attempt} starts before attempt ${list[i - 1].attempt} ended`);
    });
  }
  // A client sees the code of its own stream's last attempt, unless it gave up first (0, DC) or
  // the route timeout fired between attempts (504 UT with no attempt of its own, §1.7).
  // Its stream is the first one of the request: streams are numbered in creation order.
  const rootOf = new Map<number, UpstreamEvent[]>();
  for (const [stream, list] of byStream) {
    const req = list[0].req;
    const cur = rootOf.get(req);
    if (!cur || stream < cur[0].stream) rootOf.set(req, list);
  }
  for (const e of ends) {
    const root = rootOf.get(e.req);
    if (!root) {
      add(`request ${e.req} ended with ${e.code} but no attempt was made`);
      continue;
    }
    const last = root[root.length - 1];
    const gaveUp = (e.code === 0 && e.flags.includes('DC')) || (e.code === 504 && e.flags.includes('UT'));
    if (!gaveUp && e.code !== last.code) add(`request ${e.req} ended with ${e.code}, its last attempt with ${last.code}`);
  }
}

function checkApps(events: readonly TraceEvent[], scenario: ResolvedScenario | undefined, add: Add): void {
  const busy = new Map<string, [number, number][]>();
  const waiting = new Map<string, [number, number][]>();
  const sentTo = new Set<string>();
  const handled: { pod: string; stream: number }[] = [];
  for (const e of events) {
    if (e.kind === 'upstream' && e.destPod !== null) sentTo.add(`${e.stream}>${e.destPod}`);
    if (e.kind !== 'app.end') continue;
    handled.push({ pod: e.pod, stream: e.stream });
    if (!(e.arrivalUs <= e.startUs && e.startUs <= e.timeUs)) add(`app.end on ${e.pod}: arrival ${e.arrivalUs} <= start ${e.startUs} <= end ${e.timeUs} violated`);
    // An answer given at once with queueFullStatus never held a worker nor a queue slot.
    if (e.arrivalUs === e.startUs && e.startUs === e.timeUs) continue;
    push(busy, e.pod, [e.startUs, e.timeUs]);
    push(waiting, e.pod, [e.arrivalUs, e.startUs]);
  }
  for (const h of handled) if (!sentTo.has(`${h.stream}>${h.pod}`)) add(`pod ${h.pod} handled stream ${h.stream}, which no attempt sent there`);
  if (!scenario) return;
  for (const b of scenario.workloads) {
    for (const [pod, intervals] of busy) {
      if (!isPodOf(pod, b.deployment)) continue;
      if (b.concurrency > 0) overlapAbove(intervals, b.concurrency, (n) => add(`pod ${pod} ran ${n} requests at once, concurrency ${b.concurrency}`));
      if (b.queueLimit > 0) overlapAbove(waiting.get(pod) ?? [], b.queueLimit, (n) => add(`pod ${pod} queued ${n} requests, queueLimit ${b.queueLimit}`));
    }
  }
}

function checkMetrics(events: readonly TraceEvent[], summary: RunSummary, add: Add): void {
  type Acc = { n: number; codes: Map<string, number>; flags: Map<string, number>; maxUs: number };
  const acc = (): Acc => ({ n: 0, codes: new Map(), flags: new Map(), maxUs: 0 });
  const edges = new Map<string, Acc>();
  const clients = new Map<string, Acc>();
  const rules = new Map<string, number>();
  for (const e of events) {
    if (e.kind === 'upstream') {
      const k = edgeKey(nsName(e.sourceNamespace, e.source) ?? e.source, nsName(e.destNamespace, e.destination), e.service, e.version);
      const a = edges.get(k) ?? acc();
      edges.set(k, a);
      a.n++;
      bump(a.codes, String(e.code));
      bump(a.flags, e.flags);
      a.maxUs = Math.max(a.maxUs, e.timeUs - e.startUs);
      if (e.route !== null && e.attempt === 1) rules.set(e.route, (rules.get(e.route) ?? 0) + 1);
    } else if (e.kind === 'client.end') {
      const a = clients.get(e.client) ?? acc();
      clients.set(e.client, a);
      a.n++;
      bump(a.codes, String(e.code));
      a.maxUs = Math.max(a.maxUs, e.latencyUs);
    }
  }
  const compare = (what: string, a: Acc | undefined, n: number, codes: Record<string, number>, flags: Record<string, number> | null, maxMs: number): void => {
    if ((a?.n ?? 0) !== n) add(`${what}: summary ${n} requests, trace ${a?.n ?? 0}`);
    if (!a) return;
    if (!sameCounts(a.codes, codes)) add(`${what}: summary codes ${JSON.stringify(codes)}, trace ${JSON.stringify(Object.fromEntries(a.codes))}`);
    if (flags && !sameCounts(a.flags, flags)) add(`${what}: summary flags ${JSON.stringify(flags)}, trace ${JSON.stringify(Object.fromEntries(a.flags))}`);
    if (a.n > 0 && maxMs !== a.maxUs / 1000) add(`${what}: summary max ${maxMs}ms, trace ${a.maxUs / 1000}ms`);
  };
  const seen = new Set<string>();
  for (const s of summary.edges) {
    const k = edgeKey(nsName(s.sourceNamespace, s.source) ?? s.source, nsName(s.destinationNamespace, s.destination), s.service, s.version);
    seen.add(k);
    compare(`edge ${k}`, edges.get(k), s.requests, s.codes, s.flags, s.latencyMs.max);
    latencyOrdered(`edge ${k}`, s.latencyMs, add);
  }
  for (const [k, a] of edges) if (!seen.has(k)) add(`edge ${k} in trace (${a.n}) but not in the summary`);
  for (const c of summary.clients) {
    compare(`client ${c.name}`, clients.get(c.name), c.requests, c.codes, null, c.latencyMs.max);
    latencyOrdered(`client ${c.name}`, c.latencyMs, add);
  }
  for (const r of summary.rules) {
    const k = `${r.virtualService}#${r.rule}`;
    if (rules.get(k) !== r.hits) add(`rule ${k}: summary ${r.hits} hits, trace ${rules.get(k) ?? 0}`);
    rules.delete(k);
  }
  for (const [k, n] of rules) add(`rule ${k}: ${n} hits in the trace, none in the summary`);
}

function latencyOrdered(what: string, l: { mean: number; p50: number; p90: number; p99: number; max: number }, add: Add): void {
  const vals = [l.mean, l.p50, l.p90, l.p99, l.max];
  if (vals.some((x) => !Number.isFinite(x) || x < 0)) add(`${what}: latency has a non-finite or negative value ${JSON.stringify(l)}`);
  else if (!(l.p50 <= l.p90 && l.p90 <= l.p99 && l.p99 <= l.max && l.mean <= l.max)) add(`${what}: latency not ordered ${JSON.stringify(l)}`);
}

function checkConfig(events: readonly TraceEvent[], complete: boolean, scenario: ResolvedScenario | undefined, add: Add): void {
  const versions = new Map<string, number>();
  const timeline: number[] = [];
  for (const e of events) {
    if (e.kind === 'config.push') {
      const last = versions.get(e.proxy) ?? 0;
      if (e.version < last) add(`proxy ${e.proxy} got version ${e.version} after ${last}`);
      versions.set(e.proxy, e.version);
    } else if (e.kind === 'timeline' && e.action !== 'end') timeline.push(e.timeUs); // 'end' closes a `for` window
  }
  if (!scenario) return;
  const due = scenario.timeline.map((a) => a.atUs).sort((a, b) => a - b);
  if (complete && timeline.length !== due.length) add(`timeline: ${due.length} actions in the scenario, ${timeline.length} in the trace`);
  timeline.forEach((t, i) => {
    if (i < due.length && t !== due[i]) add(`timeline action ${i} happened at ${t}us, due at ${due[i]}us`);
  });
}

/** Client requests open at once never exceed maxInFlight (which also counts downstream calls). */
function checkInFlight(events: readonly TraceEvent[], maxInFlight: number, add: Add): void {
  let open = 0;
  for (const e of events) {
    if (e.kind === 'client.start' && ++open > maxInFlight) {
      add(`${open} client requests in flight at ${e.timeUs}us, budget maxInFlight ${maxInFlight}`);
      return;
    }
    if (e.kind === 'client.end') open--;
  }
}

/**
 * An ejected host receives no new requests from the proxy that ejected it until it returns (§2.5):
 * no attempt from that proxy to that host in that cluster starts while the ejection lasts.
 */
function checkEjections(events: readonly TraceEvent[], add: Add): void {
  const open = new Map<string, number>();
  const spans = new Map<string, [number, number][]>();
  const attempts: UpstreamEvent[] = [];
  for (const e of events) {
    if (e.kind === 'outlier.eject') open.set(`${e.proxy}|${e.cluster}|${e.host}`, e.timeUs);
    else if (e.kind === 'outlier.uneject') {
      const key = `${e.proxy}|${e.cluster}|${e.host}`;
      const from = open.get(key);
      if (from === undefined) add(`host ${e.host} returned to ${e.proxy}'s ${e.cluster} without being ejected`);
      else push(spans, key, [from, e.timeUs]);
      open.delete(key);
    } else if (e.kind === 'upstream' && e.sourcePod !== null && e.destPod !== null) attempts.push(e);
  }
  for (const [key, from] of open) push(spans, key, [from, Number.MAX_SAFE_INTEGER]);
  for (const a of attempts) {
    for (const [from, to] of spans.get(`${a.sourcePod}|${a.cluster}|${a.destPod}`) ?? []) {
      // Strictly inside: an attempt picked in the same microsecond as the ejection may precede it.
      if (a.startUs > from && a.startUs < to) add(`${a.sourcePod} sent attempt ${a.attempt} of stream ${a.stream} to ${a.destPod} at ${a.startUs}us while it was ejected (${from}us–${to}us)`);
    }
  }
}

/** With minHealthPercent > 0, Envoy's panic mode sends to ejected hosts on purpose. */
function panicModePossible(scenario: ResolvedScenario): boolean {
  const all = [...scenario.resources, ...scenario.timeline.flatMap((a) => (a.kind === 'apply' || a.kind === 'patch' ? a.resources : []))];
  return all.some((r) => r.kind === 'DestinationRule' && JSON.stringify(r.spec).includes('"minHealthPercent"'));
}

/** Calls `report(n)` when more than `max` intervals [start, end) overlap. */
function overlapAbove(intervals: readonly [number, number][], max: number, report: (n: number) => void): void {
  const points: [number, number][] = [];
  for (const [s, t] of intervals) if (t > s) points.push([s, 1], [t, -1]);
  // At equal times an end comes before a start: a worker freed at t can be taken at t.
  points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let n = 0;
  for (const [, d] of points) {
    if ((n += d) > max) {
      report(n);
      return;
    }
  }
}

function isPodOf(pod: string, deployment: string): boolean {
  return pod.startsWith(`${deployment}-`) && /^\d+$/.test(pod.slice(deployment.length + 1));
}

/** Workloads of the same name in different namespaces are different graph nodes. */
function nsName(ns: string | null, name: string | null): string | null {
  return ns === null || name === null ? name : `${ns}/${name}`;
}

function edgeKey(source: string, destination: string | null, service: string, version: string | null): string {
  return `${source}>${destination}>${service}>${version}`;
}

function push<T>(m: Map<string, T[]>, k: string, v: T): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

function sameCounts(a: ReadonlyMap<string, number>, b: Record<string, number>): boolean {
  const keys = Object.keys(b);
  return keys.length === a.size && keys.every((k) => a.get(k) === b[k]);
}
