/**
 * The invariant checker checks: a clean trace passes, and each family of invariants catches a
 * trace broken in its way (a checker that never fails proves nothing).
 */
import { describe, expect, it } from 'vitest';
import type { ResolvedScenario } from '../../sim/config/types.ts';
import { runScenario, type RunSummary } from '../../sim/run.ts';
import type { TraceEvent, UpstreamEvent } from '../../sim/trace/events.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import { behaviour, call, constant, deployment, namespace, openTraffic, scenario, service } from '../helpers/build.ts';
import { checkInvariants } from '../helpers/invariants.ts';

/** sleep → web → api, web with 2 workers and a queue of 1 so pools are exercised. */
function small(): ResolvedScenario {
  return scenario({
    resources: [namespace('default'), deployment('sleep'), deployment('web', { replicas: 2 }), deployment('api'), service('web'), service('api')],
    workloads: [behaviour('web', { serviceTime: constant(3000), concurrency: 2, queueLimit: 1, calls: [{ parallel: [call('http://api:8080/')] }] })],
    traffic: [openTraffic('c', 'sleep', 'http://web:8080/', 200, { stopUs: 300_000 })],
    durationUs: 300_000,
  });
}

function clean(): { s: ResolvedScenario; events: TraceEvent[]; summary: RunSummary } {
  const s = small();
  const sink = new MemorySink();
  const { summary } = runScenario(s, { sinks: [sink] });
  return { s, events: sink.events, summary };
}

const firstIndex = (events: TraceEvent[], kind: TraceEvent['kind']): number => events.findIndex((e) => e.kind === kind);
const lastIndex = (events: TraceEvent[], kind: TraceEvent['kind']): number => events.length - 1 - [...events].reverse().findIndex((e) => e.kind === kind);

describe('invariant checker', () => {
  it('a clean run passes (and actually queued and used both workers)', () => {
    const { s, events, summary } = clean();
    expect(checkInvariants(events, summary, s)).toEqual([]);
    expect(events.some((e) => e.kind === 'app.end' && e.startUs > e.arrivalUs)).toBe(true);
  });

  const breakages: [string, (ev: TraceEvent[]) => void, RegExp][] = [
    ['time goes backwards', (ev) => void ev.splice(5, 0, { ...ev[4], timeUs: 0 } as TraceEvent), /time went backwards/],
    ['a request never ends', (ev) => void ev.splice(lastIndex(ev, 'client.end'), 1), /never ended/],
    ['a request ends twice', (ev) => void ev.push({ ...ev[firstIndex(ev, 'client.end')] }), /ended twice/],
    ['a NaN latency', (ev) => void ((ev[firstIndex(ev, 'client.end')] as { latencyUs: number }).latencyUs = NaN), /not an integer: NaN/],
    ['a flag that contradicts its code', (ev) => void ((ev[firstIndex(ev, 'upstream')] as UpstreamEvent).flags = 'UT'), /flag UT with code 200/],
    ['attempts out of order', (ev) => void ((ev[firstIndex(ev, 'upstream')] as UpstreamEvent).attempt = 2), /attempt 2 where 1 was due/],
    ['an attempt that ends before it starts', (ev) => void ((ev[firstIndex(ev, 'upstream')] as UpstreamEvent).startUs = 10 ** 12), /ends before it starts/],
  ];

  it.each(breakages)('catches %s', (_what, breakIt, message) => {
    const { s, events, summary } = clean();
    breakIt(events);
    expect(checkInvariants(events, summary, s).join('\n')).toMatch(message);
  });

  it('catches a summary that disagrees with the trace', () => {
    const { s, events, summary } = clean();
    summary.edges[0].requests += 1;
    summary.clients[0].codes = { '200': 1 };
    const v = checkInvariants(events, summary, s).join('\n');
    expect(v).toMatch(/summary \d+ requests, trace \d+/);
    expect(v).toMatch(/client c: summary codes/);
  });

  it('catches a worker pool over its concurrency and a queue over its limit', () => {
    const { s, events, summary } = clean();
    const web = s.workloads.find((w) => w.deployment === 'web')!;
    web.concurrency = 1;
    web.queueLimit = 0;
    expect(checkInvariants(events, summary, s).join('\n')).toMatch(/ran 2 requests at once, concurrency 1/);
    web.concurrency = 2;
    web.queueLimit = 1;
    const ends = events.filter((e) => e.kind === 'app.end' && e.pod.startsWith('web-'));
    for (const e of ends) if (e.kind === 'app.end') e.arrivalUs = 0;
    expect(checkInvariants(events, summary, s).join('\n')).toMatch(/queued \d+ requests, queueLimit 1/);
  });

  it('catches an attempt sent to a host while the proxy had it ejected', () => {
    const { s, events, summary } = clean();
    const a = events.find((e): e is UpstreamEvent => e.kind === 'upstream' && e.destPod !== null && e.sourcePod !== null)!;
    events.unshift({ kind: 'outlier.eject', timeUs: 0, proxy: a.sourcePod!, cluster: a.cluster, host: a.destPod!, reason: '5xx', consecutive: 5, ejectionUs: 30_000_000, multiplier: 1 });
    expect(checkInvariants(events, summary, s).join('\n')).toMatch(/while it was ejected/);
  });
});
