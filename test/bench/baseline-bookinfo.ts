/**
 * The reference workload B of shared/reference/perf-baseline.md, hand-written the way a bare
 * discrete-event model would be: FCFS multi-server stations with exponential service, Poisson
 * arrivals at 0.48 req/ms, productpage → details → reviews-vX → (ratings if v2/v3), non-blocking
 * workers, no sidecars. Theory: mean end-to-end latency 13.636 ms.
 */
import seedrandom from 'seedrandom';
import { PlainHeap } from './plain-heap.ts';

interface Ev {
  t: number;
  seq: number;
  kind: number; // 0 arrival, 1 service done
  req: number;
  station: number;
}

// Stations: 0 productpage, 1 details, 2–4 reviews v1–v3, 5 ratings.
const WORKERS = [4, 2, 2, 2, 2, 2];
const MEAN_MS = [5, 2, 4, 4, 4, 1];

export interface BaselineResult {
  requests: number;
  meanMs: number;
  p99Ms: number;
  events: number;
}

export function runBaselineBookinfo(n: number, seed: number): BaselineResult {
  const rand = (k: number) => {
    const r = seedrandom.alea(`${seed * 1000 + k}`);
    return () => r.double();
  };
  const arrivals = rand(1);
  const service = [rand(2), rand(3), rand(4), rand(5), rand(6), rand(7)];
  const routing = rand(8);
  const exp = (u: () => number, mean: number) => -Math.log(1 - u()) * mean;

  const heap = new PlainHeap<Ev>();
  let seq = 0;
  const startT = new Float64Array(n);
  const version = new Int8Array(n);
  const latency = new Float64Array(n);
  const busy = new Int32Array(6);
  const queues: number[][] = [[], [], [], [], [], []];
  const qHead = new Int32Array(6);
  let events = 0;
  let done = 0;
  let issued = 0;

  const arrive = (req: number, station: number, t: number) => {
    if (busy[station] < WORKERS[station]) {
      busy[station]++;
      heap.push({ t: t + exp(service[station], MEAN_MS[station]), seq: seq++, kind: 1, req, station });
    } else queues[station].push(req);
  };

  heap.push({ t: exp(arrivals, 1 / 0.48), seq: seq++, kind: 0, req: 0, station: 0 });
  while (heap.size > 0) {
    const e = heap.pop();
    events++;
    const t = e.t;
    if (e.kind === 0) {
      const req = issued++;
      startT[req] = t;
      arrive(req, 0, t);
      if (issued < n) heap.push({ t: t + exp(arrivals, 1 / 0.48), seq: seq++, kind: 0, req: 0, station: 0 });
      continue;
    }
    const st = e.station;
    busy[st]--;
    if (qHead[st] < queues[st].length) {
      busy[st]++;
      const next = queues[st][qHead[st]++];
      heap.push({ t: t + exp(service[st], MEAN_MS[st]), seq: seq++, kind: 1, req: next, station: st });
    }
    const req = e.req;
    if (st === 0) arrive(req, 1, t);
    else if (st === 1) {
      const v = Math.floor(3 * routing());
      version[req] = v;
      arrive(req, 2 + v, t);
    } else if (st >= 2 && st <= 4) {
      if (version[req] > 0) arrive(req, 5, t);
      else latency[done++] = t - startT[req];
    } else latency[done++] = t - startT[req];
  }
  let sum = 0;
  for (let i = 0; i < n; i++) sum += latency[i];
  const sorted = Float64Array.from(latency).sort();
  return { requests: n, meanMs: sum / n, p99Ms: sorted[Math.ceil(0.99 * n) - 1], events };
}
