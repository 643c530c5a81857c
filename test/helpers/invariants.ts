/**
 * Invariant checker over a whole trace (TigerBeetle-style checkers): properties every run must
 * satisfy whatever the scenario. Returns the list of violations (empty = fine) so a failing test
 * shows all of them at once.
 */
import type { ResolvedScenario } from '../../sim/config/types.ts';
import type { RunSummary } from '../../sim/run.ts';
import type { TraceEvent } from '../../sim/trace/events.ts';

/** Codes a response flag allows (istio-semantics.md §1.10, §1.11). */
const FLAG_CODES: Record<string, (code: number) => boolean> = {
  UH: (c) => c === 503,
  UF: (c) => c === 503 || c === 0,
  UO: (c) => c === 503,
  NC: (c) => c === 503,
  NR: (c) => c === 404 || c === 503,
  UT: (c) => c === 504,
  DC: (c) => c === 0,
  UC: (c) => c === 503,
  UR: (c) => c === 503,
  LR: (c) => c === 503,
};

export function checkInvariants(events: readonly TraceEvent[], summary: RunSummary, scenario?: ResolvedScenario): string[] {
  const v: string[] = [];
  const add = (msg: string): void => {
    if (v.length < 50) v.push(msg);
  };

  let lastUs = 0;
  const started = new Map<number, number>();
  const ended = new Set<number>();
  const edgeCounts = new Map<string, number>();
  const busy = new Map<string, [number, number][]>();

  for (const e of events) {
    for (const [k, val] of Object.entries(e)) {
      if (typeof val === 'number' && (!Number.isFinite(val) || !Number.isInteger(val))) add(`${e.kind}.${k} is not an integer: ${val}`);
    }
    if (e.timeUs < lastUs) add(`time went backwards: ${e.kind} at ${e.timeUs}us after ${lastUs}us`);
    lastUs = e.timeUs;
    switch (e.kind) {
      case 'client.start':
        if (started.has(e.req)) add(`request ${e.req} started twice`);
        started.set(e.req, e.timeUs);
        break;
      case 'client.end': {
        const s = started.get(e.req);
        if (s === undefined) add(`request ${e.req} ended without starting`);
        else if (e.timeUs - s !== e.latencyUs) add(`request ${e.req} latency ${e.latencyUs} != end - start ${e.timeUs - s}`);
        if (ended.has(e.req)) add(`request ${e.req} ended twice`);
        ended.add(e.req);
        if (e.latencyUs < 0) add(`request ${e.req} has negative latency`);
        break;
      }
      case 'upstream': {
        if (e.timeUs < e.startUs) add(`upstream attempt of stream ${e.stream} ends before it starts`);
        if (e.attempt < 1) add(`upstream attempt number ${e.attempt} < 1`);
        if ((e.destination === null) !== (e.destPod === null)) add(`upstream destination/destPod disagree for stream ${e.stream}`);
        for (const flag of e.flags.split(',')) {
          const ok = FLAG_CODES[flag];
          if (ok && !ok(e.code)) add(`flag ${flag} with code ${e.code} (stream ${e.stream})`);
        }
        const key = `${e.source}>${e.destination}>${e.service}>${e.version}`;
        edgeCounts.set(key, (edgeCounts.get(key) ?? 0) + 1);
        break;
      }
      case 'app.end': {
        if (!(e.arrivalUs <= e.startUs && e.startUs <= e.timeUs)) add(`app.end on ${e.pod}: arrival ${e.arrivalUs} <= start ${e.startUs} <= end ${e.timeUs} violated`);
        let list = busy.get(e.pod);
        if (!list) busy.set(e.pod, (list = []));
        if (e.startUs !== e.timeUs || e.arrivalUs !== e.startUs) list.push([e.startUs, e.timeUs]);
        break;
      }
      default:
        break;
    }
  }
  for (const req of started.keys()) if (!ended.has(req)) add(`request ${req} never ended`);

  const fromSummary = new Map(summary.edges.map((e) => [`${e.source}>${e.destination}>${e.service}>${e.version}`, e.requests]));
  for (const [k, n] of edgeCounts) if (fromSummary.get(k) !== n) add(`edge ${k}: trace has ${n}, summary ${fromSummary.get(k)}`);
  for (const [k, n] of fromSummary) if (!edgeCounts.has(k)) add(`edge ${k} in summary (${n}) but not in trace`);
  const clientEnds = new Map<string, number>();
  for (const e of events) if (e.kind === 'client.end') clientEnds.set(e.client, (clientEnds.get(e.client) ?? 0) + 1);
  for (const c of summary.clients) if ((clientEnds.get(c.name) ?? 0) !== c.requests) add(`client ${c.name}: summary ${c.requests}, trace ${clientEnds.get(c.name) ?? 0}`);

  if (scenario) {
    // Worker pools never exceed their concurrency (requests that were answered at once with
    // queueFullStatus never held a worker and are skipped above).
    const limit = new Map<string, number>();
    for (const b of scenario.workloads) limit.set(`${b.namespace}/${b.deployment}`, b.concurrency);
    for (const [pod, intervals] of busy) {
      const deployment = pod.replace(/-\d+$/, '');
      const max = [...limit.entries()].find(([k]) => k.endsWith(`/${deployment}`))?.[1] ?? 0;
      if (max === 0) continue;
      const points: [number, number][] = [];
      for (const [s, t] of intervals) points.push([s, 1], [t, -1]);
      points.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      let n = 0;
      for (const [, d] of points) if ((n += d) > max) add(`pod ${pod} ran ${n} requests at once, concurrency ${max}`);
    }
  }
  return v;
}
