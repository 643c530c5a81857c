/**
 * Connection pools and circuit breakers (istio-semantics.md §2.4) and the istio.io
 * circuit-breaking task (§8.6), run from scenarios/circuit-breaking.yaml.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/config/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { runScenario } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import type { UpstreamEvent } from '../../sim/trace/events.ts';
import { ConnectionPool, Admit, ConnectOutcome, newPoolStats, poolLimits, type PoolHost, type PoolUser } from '../../sim/data-plane/pool.ts';
import { Engine } from '../../sim/engine/engine.ts';
import { ROOT } from '../helpers/cli.ts';
import type { ConnectionPoolSettings } from '../../sim/config/istio-types.ts';

const base = loadScenario('scenarios/circuit-breaking.yaml', nodeFiles({ cwd: ROOT }));

function shares(seed: number) {
  const sink = new MemorySink();
  const r = runScenario({ ...base, seed }, { sinks: [sink] });
  let c2 = 0;
  let c3 = 0;
  for (const c of r.summary.clients) {
    const n503 = c.codes['503'] ?? 0;
    if (c.name.startsWith('c2')) c2 += n503;
    else c3 += n503;
  }
  return { c2: c2 / 20, c3: c3 / 30, r, events: sink.events };
}

describe('§8.6 circuit breaking (fortio against maxConnections 1, http1MaxPendingRequests 1, maxRequestsPerConnection 1)', () => {
  it('§8.6: at the scenario seed c=2 gives 5–40 % 503 UO and c=3 gives 40–70 %', () => {
    const { c2, c3, r, events } = shares(base.seed);
    expect(c2).toBeGreaterThanOrEqual(0.05);
    expect(c2).toBeLessThanOrEqual(0.4);
    expect(c3).toBeGreaterThanOrEqual(0.4);
    expect(c3).toBeLessThanOrEqual(0.7);
    expect(c3).toBeGreaterThan(c2);
    // Every 503 is a local overflow that never reached a host.
    const ups = events.filter((e): e is UpstreamEvent => e.kind === 'upstream');
    for (const u of ups.filter((u) => u.code === 503)) {
      expect(u.flags).toBe('UO');
      expect(u.destination).toBeNull();
    }
    const st = r.proxyStats.find((p) => p.cluster === 'outbound|8000||httpbin.default.svc.cluster.local')!;
    expect(st.proxy.startsWith('fortio-deploy')).toBe(true);
    expect(st.stats.upstream_rq_pending_overflow).toBe(ups.filter((u) => u.flags === 'UO').length);
    expect(st.stats.upstream_rq_pending_overflow).toBeGreaterThan(0);
    expect(st.stats.upstream_rq_pending_total).toBeGreaterThan(0);
    // maxRequestsPerConnection 1: one upstream connection per request that got through.
    expect(st.stats.upstream_cx_total).toBe(ups.filter((u) => u.code === 200).length);
  });

  it('§8.6: averaged over 20 seeds the 503 shares sit inside the documented ranges (doc: 15 % and 63 %)', () => {
    let m2 = 0;
    let m3 = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const { c2, c3 } = shares(seed);
      expect(c3).toBeGreaterThan(c2);
      m2 += c2 / 20;
      m3 += c3 / 20;
    }
    expect(m2).toBeGreaterThan(0.05);
    expect(m2).toBeLessThan(0.4);
    expect(m3).toBeGreaterThan(0.4);
    expect(m3).toBeLessThan(0.7);
  });

  it('§8.6: the same seed gives the same trace', () => {
    const a = shares(7).r.summary.traceHash;
    const b = shares(7).r.summary.traceHash;
    expect(a).toBe(b);
  });
});

/** A pool driven by hand: every connect succeeds after 100 µs, closes take 10 µs. */
function harness(cp: ConnectionPoolSettings, endpoints = 1, workers = 1) {
  const engine = new Engine();
  const log: string[] = [];
  const host: PoolHost = {
    connectUs: () => 100,
    closeUs: () => 10,
    connectOutcome: () => outcome,
    dispatch: (u) => log.push(`dispatch ${(u as U).name} @${engine.nowUs}`),
    connectFailed: (u, timeout) => log.push(`fail ${(u as U).name} ${timeout ? 'timeout' : 'refused'} @${engine.nowUs}`),
  };
  let outcome: ConnectOutcome = ConnectOutcome.Up;
  const stats = newPoolStats();
  const pool = new ConnectionPool(engine, host, poolLimits({ connectionPool: cp })!, stats, endpoints, workers);
  return { engine, log, pool, stats, setOutcome: (o: ConnectOutcome) => (outcome = o) };
}
interface U extends PoolUser {
  name: string;
}
const user = (name: string, endpointIdx = 0, worker = 0): U => ({ name, endpointIdx, worker, conn: null, queued: false, poolSeq: 0 });

describe('§2.4 connection pool algorithm', () => {
  it('§2.4: a pending request opens a connection, pending overflow gives Overflow, keep-alive reuses the idle connection', () => {
    const h = harness({ tcp: { maxConnections: 1 }, http: { http1MaxPendingRequests: 1 } });
    const a = user('a');
    const b = user('b');
    expect(h.pool.request(a)).toBe(Admit.Pending);
    expect(h.pool.request(b)).toBe(Admit.Overflow);
    expect(h.stats.upstream_rq_pending_overflow).toBe(1);
    h.engine.runUntil();
    expect(h.log).toEqual(['dispatch a @100']);
    h.pool.release(a, true, 10);
    expect(h.pool.request(b)).toBe(Admit.Dispatched);
    expect(h.stats.upstream_cx_total).toBe(1);
  });

  it('§2.4: http2MaxRequests caps pending plus active requests', () => {
    const h = harness({ http: { http2MaxRequests: 2 } });
    expect(h.pool.request(user('a'))).toBe(Admit.Pending);
    expect(h.pool.request(user('b'))).toBe(Admit.Pending);
    expect(h.pool.request(user('c'))).toBe(Admit.Overflow);
    h.engine.runUntil();
    expect(h.stats.upstream_cx_total).toBe(2);
  });

  it('§2.4: maxRequestsPerConnection 1 closes after each request; the freed slot connects for the oldest pending', () => {
    const h = harness({ tcp: { maxConnections: 1 }, http: { maxRequestsPerConnection: 1 } });
    const a = user('a');
    h.pool.request(a);
    h.pool.request(user('b'));
    h.engine.runUntil();
    expect(h.log).toEqual(['dispatch a @100']);
    h.pool.release(a, true, 10);
    h.engine.runUntil();
    expect(h.log).toEqual(['dispatch a @100', 'dispatch b @210']);
    expect(h.stats.upstream_cx_max_requests).toBe(1);
    expect(h.stats.upstream_cx_overflow).toBe(1);
  });

  it('§2.4: a refused connect fails the host\'s pending requests (UF, retriable as connect-failure)', () => {
    const h = harness({ tcp: { maxConnections: 5 } });
    h.setOutcome(ConnectOutcome.Refused);
    h.pool.request(user('a'));
    h.engine.runUntil();
    expect(h.log).toEqual(['fail a refused @100']);
    expect(h.stats.upstream_cx_connect_fail).toBe(1);
    expect(h.pool.pending).toBe(0);
    expect(h.pool.activeRequests).toBe(0);
  });

  it('§2.4: a blackholed connect fails at tcp.connectTimeout', () => {
    const h = harness({ tcp: { connectTimeout: '250ms' } });
    h.setOutcome(ConnectOutcome.Blackhole);
    h.pool.request(user('a'));
    h.engine.runUntil();
    expect(h.log).toEqual(['fail a timeout @250000']);
    expect(h.stats.upstream_cx_connect_timeout).toBe(1);
  });

  it('§2.4: a worker pool with no connection opens one even at maxConnections (Envoy conn_pool_base)', () => {
    const h = harness({ tcp: { maxConnections: 1 } }, 1, 2);
    h.pool.request(user('a', 0, 0));
    h.pool.request(user('b', 0, 1));
    h.engine.runUntil();
    expect(h.log).toEqual(['dispatch a @100', 'dispatch b @100']);
    expect(h.stats.upstream_cx_total).toBe(2);
    expect(h.stats.upstream_cx_overflow).toBe(1);
  });

  it('§2.4: http.maxRetries limits outstanding retries', () => {
    const h = harness({ http: { maxRetries: 1 } });
    expect(h.pool.tryRetry()).toBe(true);
    expect(h.pool.tryRetry()).toBe(false);
    expect(h.stats.upstream_rq_retry_overflow).toBe(1);
    h.pool.retryDone();
    expect(h.pool.tryRetry()).toBe(true);
  });

  it('§2.4: a cancelled pending request leaves the queue', () => {
    const h = harness({ http: { http1MaxPendingRequests: 1 } });
    const a = user('a');
    h.pool.request(a);
    h.pool.cancel(a);
    expect(h.pool.pending).toBe(0);
    expect(h.pool.request(user('b'))).toBe(Admit.Pending);
    h.engine.runUntil();
    expect(h.log).toEqual(['dispatch b @100']);
  });
});
