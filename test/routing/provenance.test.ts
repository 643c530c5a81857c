/**
 * Provenance events (issue 3 item 9): with `detail` on, each decision of a request is a trace
 * event; with it off none is emitted; either way the simulation is the same run.
 */
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../sim/trace/events.ts';
import { explainRequest } from '../../sim/data-plane/provenance.ts';
import * as b from '../helpers/build.ts';
import { bookinfo, bookinfoSubsets, virtualService } from '../helpers/istio.ts';
import { runWithDetail } from './harness.ts';

function scenario() {
  const reviews = virtualService('reviews', {
    hosts: ['reviews'],
    http: [
      { match: [{ headers: { 'end-user': { exact: 'jason' } } }], route: [{ destination: { host: 'reviews', subset: 'v2' } }] },
      { route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 50 }, { destination: { host: 'reviews', subset: 'v3' }, weight: 50 }], retries: { attempts: 2, retryOn: '5xx' } },
    ],
  });
  const ratings = virtualService('ratings', { hosts: ['ratings'], http: [{ fault: { delay: { fixedDelay: '10ms', percentage: { value: 100 } } }, route: [{ destination: { host: 'ratings', subset: 'v1' } }], timeout: '5ms' }] });
  return b.scenario({
    resources: [...bookinfo(), ...bookinfoSubsets(), reviews, ratings],
    workloads: [
      b.behaviour('reviews-v3', { errorPpm: 300_000, errorStatus: 503 }),
      b.behaviour('reviews-v2', { calls: [{ parallel: [b.call('http://ratings:9080/ratings/0')] }] }),
      b.behaviour('ratings-v1', { serviceTime: b.constant(20_000) }),
    ],
    traffic: [
      b.openTraffic('anon', 'sleep', 'http://reviews:9080/reviews/0', 50, { stopUs: 1_000_000 }),
      b.openTraffic('jason', 'sleep', 'http://reviews:9080/reviews/0', 10, { stopUs: 1_000_000, headers: [['end-user', 'jason']] }),
    ],
  });
}

const DETAIL = new Set(['route.match', 'route.pick', 'fault', 'lb.pick', 'retry', 'timeout', 'mirror']);

describe('provenance (detail) events', () => {
  const off = runWithDetail(scenario(), false);
  const on = runWithDetail(scenario(), true);

  it('are not emitted without the detail flag', () => {
    expect(off.events.some((e) => DETAIL.has(e.kind))).toBe(false);
  });

  it('do not change the run: the same non-detail events in the same order', () => {
    const strip = (es: TraceEvent[]) => JSON.stringify(es.filter((e) => !DETAIL.has(e.kind)));
    expect(strip(on.events)).toBe(strip(off.events));
  });

  it('record route match (rule and match block), weighted draw, endpoint, fault, retry with reason and timeout', () => {
    const kinds = new Set(on.events.map((e) => e.kind));
    for (const k of DETAIL) if (k !== 'mirror') expect(kinds.has(k as TraceEvent['kind']), k).toBe(true);
    const jasonMatch = on.events.find((e) => e.kind === 'route.match' && e.rule === 0 && e.match === 0);
    expect(jasonMatch && jasonMatch.kind === 'route.match' && jasonMatch.detail).toBe('header end-user exact "jason"');
    const retry = on.events.find((e) => e.kind === 'retry');
    expect(retry && retry.kind === 'retry' && retry.reason).toBe('5xx (503)');
    const pick = on.events.find((e) => e.kind === 'route.pick');
    expect(pick && pick.kind === 'route.pick' && pick.totalWeight).toBe(100);
  });

  it('explainRequest prints one request’s chain in order', () => {
    const jasonStart = on.events.find((e) => e.kind === 'client.start' && e.client === 'jason')!;
    const lines = explainRequest(on.events, (jasonStart as { req: number }).req);
    const text = lines.join('\n');
    expect(text).toContain('VirtualService default/reviews rule 0 match 0');
    expect(text).toContain('fault: delay 10ms');
    expect(text).toContain('route timeout 5ms');
    expect(lines[lines.length - 1]).toMatch(/answered 200/);
  });
});
