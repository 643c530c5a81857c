/**
 * The floor under the 4× target: workload B with exactly the events and random draws meshsim's
 * model of it makes, and nothing else. Each hop is four events (send after the client sidecar's
 * outbound pass, arrival at the pod after network + inbound pass, service done, response back
 * after inbound + network + outbound pass), four lognormal sidecar passes (Istio-like median
 * 200 µs, p99 800 µs), one exponential service time, workers held while downstream calls run
 * (thread per request, productpage 16 workers as in bench-bookinfo.ts), the reviews version
 * drawn uniformly. It runs on meshsim's Engine and Rng, so the only thing missing is the sidecar
 * logic itself: no route lookup, load balancer, retry policy, timers, trace, metrics.
 *
 * What it answers: how much of meshsim's time over the bare model is the model's fidelity
 * (3.4× the events, lognormal passes) rather than its implementation. Not a meshsim model.
 */
import { Engine } from '../../sim/engine/engine.ts';
import { Rng } from '../../sim/engine/rng.ts';
import { makeSampler } from '../../sim/engine/sample.ts';

// Stations: 0 productpage, 1 details, 2–4 reviews v1–v3, 5 ratings.
const WORKERS = [16, 2, 2, 2, 2, 2];
const MEAN_US = [5000, 2000, 4000, 4000, 4000, 1000];
const NETWORK_US = 50;

interface Hop {
  req: number;
  station: number;
  /** The hop waiting for this one to answer (the caller's job), or null for the client. */
  parent: Hop | null;
  /** Downstream calls still to make (productpage: details then reviews; reviews v2/v3: ratings). */
  step: number;
}

export interface FloorResult {
  requests: number;
  events: number;
  meanLatencyMs: number;
}

export function runFloorBookinfo(n: number, seed: number): FloorResult {
  const root = Rng.root(seed);
  const arrivals = root.fork('arrivals');
  const routing = root.fork('routing');
  const service = MEAN_US.map((_, i) => root.fork(`service/${i}`));
  const sidecar = MEAN_US.map((_, i) => root.fork(`sidecar/${i}`));
  const client = root.fork('sidecar/client');
  const pass = makeSampler({ kind: 'lognormal', medianUs: 200, p99Us: 800 });
  const engine = new Engine();
  const busy = new Int32Array(6);
  const queues: Hop[][] = [[], [], [], [], [], []];
  const startUs = new Float64Array(n);
  let issued = 0;
  let done = 0;
  let latencySumUs = 0;

  const send = (h: Hop, from: Rng): void => {
    engine.after(pass(from), onSend, h);
  };
  const onSend = (h: Hop): void => {
    engine.after(NETWORK_US + pass(sidecar[h.station]), onArrive, h);
  };
  const onArrive = (h: Hop): void => {
    const st = h.station;
    if (busy[st] < WORKERS[st]) start(h);
    else queues[st].push(h);
  };
  const start = (h: Hop): void => {
    busy[h.station]++;
    engine.after(service[h.station].exponentialUs(MEAN_US[h.station]), onDone, h);
  };
  const call = (h: Hop, station: number): void => {
    send({ req: h.req, station, parent: h, step: 0 }, sidecar[h.station]);
  };
  const onDone = (h: Hop): void => {
    if (h.station === 0 && h.step < 2) {
      call(h, h.step++ === 0 ? 1 : 2 + routing.int(3));
      return;
    }
    if (h.station === 3 || h.station === 4) {
      if (h.step++ === 0) {
        call(h, 5);
        return;
      }
    }
    const st = h.station;
    busy[st]--;
    const q = queues[st];
    if (q.length > 0) start(q.shift()!);
    const from = h.parent === null ? client : sidecar[h.parent.station];
    engine.after(pass(sidecar[st]) + NETWORK_US + pass(from), onResponse, h);
  };
  const onResponse = (h: Hop): void => {
    if (h.parent !== null) onDone(h.parent);
    else {
      done++;
      latencySumUs += engine.nowUs - startUs[h.req];
    }
  };
  const onArrival = (): void => {
    const req = issued++;
    startUs[req] = engine.nowUs;
    send({ req, station: 0, parent: null, step: 0 }, client);
    if (issued < n) engine.after(arrivals.exponentialUs(1e6 / 480), onArrival, null);
  };
  engine.after(arrivals.exponentialUs(1e6 / 480), onArrival, null);
  engine.runUntil();
  return { requests: done, events: engine.processed, meanLatencyMs: latencySumUs / done / 1000 };
}
