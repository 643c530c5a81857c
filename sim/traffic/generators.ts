/**
 * Load generators at the edge of the simulation (the requests a `sleep` or `fortio` pod sends).
 * Open loop: arrivals follow a clock (Poisson or evenly spaced) and never wait for responses.
 * Closed loop like fortio: `connections` workers each send the next request once the previous one
 * answered, paced to `qps` in total when qps > 0.
 * Each generator draws only from its own stream `traffic/<name>`, so adding a client does not move
 * anyone else's arrivals.
 */
import type { TrafficSpec } from '../config/types.ts';
import type { PodInfo } from '../control-plane/registry.ts';
import type { RequestHead } from '../control-plane/types.ts';
import type { OutboundCaller, OutboundClient, OutboundHandle, RootRequest } from '../domain/ports.ts';
import type { Engine, ScheduledEvent } from '../engine/engine.ts';
import type { Rng } from '../engine/rng.ts';
import { US_PER_S } from '../domain/time.ts';
import type { Trace } from '../trace/sink.ts';

export interface TrafficOptions {
  engine: Engine;
  trace: Trace;
  rng: Rng;
  client: OutboundClient;
  specs: readonly TrafficSpec[];
  /** Pods of each client's `from` deployment, keyed "ns/deployment". */
  podsOf: (namespace: string, deployment: string) => PodInfo[];
  /** Whether a client pod exists now (timeline scale/kill); absent = every pod always exists. */
  podExists?: (pod: PodInfo) => boolean;
}

/** Steps of a timeline rate ramp: the rate is updated this often (Poisson arrivals stay exact per step). */
export const RAMP_STEP_US = 100_000;

class ClientRequest implements OutboundCaller, RootRequest {
  readonly gen: Generator;
  readonly id: number;
  readonly client: string;
  readonly startUs: number;
  readonly worker: number;
  handle: OutboundHandle | null = null;
  timer: ScheduledEvent | null = null;
  done = false;
  constructor(gen: Generator, id: number, startUs: number, worker: number) {
    this.gen = gen;
    this.id = id;
    this.client = gen.spec.name;
    this.startUs = startUs;
    this.worker = worker;
  }
  onResponse(status: number, flags: string): void {
    this.gen.owner.answered(this, status, flags);
  }
}

class Generator {
  readonly owner: TrafficGenerators;
  readonly spec: TrafficSpec;
  readonly rng: Rng;
  readonly pods: PodInfo[];
  readonly head: RequestHead;
  issued = 0;
  nextPod = 0;
  /** Current rate: open loop arrivals per second, closed loop qps (timeline `traffic` changes it). */
  rate: number;
  /** Open loop: the next arrival, so a rate change can redraw it. */
  pending: ScheduledEvent | null = null;
  /** A ramp in progress (its next step), so a later change replaces it. */
  ramp: ScheduledEvent | null = null;
  /** Closed loop: when each worker last sent. */
  lastSendUs: number[] = [];
  constructor(owner: TrafficGenerators, spec: TrafficSpec, rng: Rng, pods: PodInfo[]) {
    this.owner = owner;
    this.spec = spec;
    this.rng = rng;
    this.pods = pods;
    this.rate = spec.load.kind === 'open' ? spec.load.ratePerSec : spec.load.qps;
    this.head = {
      method: spec.method,
      scheme: spec.url.scheme,
      host: spec.url.host,
      port: spec.url.port,
      path: spec.url.path,
      query: spec.url.query,
      headers: new Map(spec.headers.map(([k, v]) => [k.toLowerCase(), v])),
    };
  }

  exhausted(nowUs: number): boolean {
    return nowUs >= this.spec.stopUs || (this.spec.requests > 0 && this.issued >= this.spec.requests);
  }
}

export class TrafficGenerators {
  private readonly engine: Engine;
  private readonly trace: Trace;
  private readonly client: OutboundClient;
  private readonly generators: Generator[] = [];
  private nextRequestId = 1;
  private readonly podExists: ((pod: PodInfo) => boolean) | null;

  constructor(opts: TrafficOptions) {
    this.engine = opts.engine;
    this.trace = opts.trace;
    this.client = opts.client;
    this.podExists = opts.podExists ?? null;
    for (const spec of opts.specs) {
      const pods = spec.from ? opts.podsOf(spec.from.namespace, spec.from.deployment) : [];
      this.generators.push(new Generator(this, spec, opts.rng.fork(`traffic/${spec.name}`), pods));
    }
  }

  /** Schedules every generator's first request. */
  start(): void {
    for (const g of this.generators) {
      const load = g.spec.load;
      if (load.kind === 'open') {
        g.pending = this.engine.at(g.spec.startUs + this.interArrivalUs(g), this.onOpenArrival, g);
      } else {
        for (let w = 0; w < load.connections; w++) {
          g.lastSendUs.push(-1);
          this.engine.at(g.spec.startUs, this.onClosedSend, { g, w });
        }
      }
    }
  }

  private interArrivalUs(g: Generator): number {
    const load = g.spec.load;
    if (load.kind !== 'open') return 0;
    const meanUs = US_PER_S / g.rate;
    return load.arrival === 'poisson' ? g.rng.exponentialUs(meanUs) : Math.round(meanUs);
  }

  private onOpenArrival = (g: Generator): void => {
    g.pending = null;
    if (g.exhausted(this.engine.nowUs)) return;
    this.issue(g, 0);
    g.pending = this.engine.after(Math.max(1, this.interArrivalUs(g)), this.onOpenArrival, g);
  };

  /**
   * Timeline `traffic` (scenarios/README.md): the client's rate becomes `ratePerSec` now, or moves
   * there linearly over `overUs` in RAMP_STEP_US steps. Open loop: the pending arrival is drawn
   * again at the new rate (Poisson arrivals are memoryless, so each step is exact). Closed loop:
   * the new qps paces the next sends.
   */
  changeRate(client: string, ratePerSec: number, overUs: number): void {
    const g = this.generators.find((x) => x.spec.name === client);
    if (!g) throw new Error(`internal: no traffic client '${client}'`);
    if (g.ramp) this.engine.cancel(g.ramp);
    g.ramp = null;
    if (overUs <= 0) {
      this.setRate(g, ratePerSec);
      return;
    }
    const steps = Math.max(1, Math.ceil(overUs / RAMP_STEP_US));
    this.rampStep({ g, from: g.rate, to: ratePerSec, step: 1, steps, startUs: this.engine.nowUs, overUs });
  }

  private rampStep = (r: { g: Generator; from: number; to: number; step: number; steps: number; startUs: number; overUs: number }): void => {
    r.g.ramp = null;
    // The rate over step k is the ramp's value at the step's middle, so the expected count matches the line.
    const mid = (r.step - 0.5) / r.steps;
    this.setRate(r.g, r.step === r.steps + 1 ? r.to : r.from + (r.to - r.from) * mid);
    if (r.step > r.steps) return;
    const nextUs = r.startUs + Math.round((r.overUs * r.step) / r.steps);
    r.g.ramp = this.engine.at(nextUs, this.rampStep, { ...r, step: r.step + 1 });
  };

  private setRate(g: Generator, rate: number): void {
    g.rate = rate;
    if (g.spec.load.kind !== 'open' || g.pending === null) return;
    this.engine.cancel(g.pending);
    const from = Math.max(this.engine.nowUs, g.spec.startUs);
    g.pending = this.engine.at(from + Math.max(1, this.interArrivalUs(g)), this.onOpenArrival, g);
  }

  private onClosedSend = (x: { g: Generator; w: number }): void => {
    if (x.g.exhausted(this.engine.nowUs)) return;
    x.g.lastSendUs[x.w] = this.engine.nowUs;
    this.issue(x.g, x.w);
  };

  private issue(g: Generator, worker: number): void {
    const req = new ClientRequest(g, this.nextRequestId++, this.engine.nowUs, worker);
    g.issued++;
    const pod = g.pods.length > 0 ? this.nextClientPod(g) : null;
    this.trace.emit({ kind: 'client.start', timeUs: this.engine.nowUs, req: req.id, client: g.spec.name, pod: pod ? pod.name : null });
    const head: RequestHead = { ...g.head, headers: new Map(g.head.headers) };
    req.handle = this.client.send(pod, pod ? pod.deployment : g.spec.name, head, req, req, 0);
    if (g.spec.timeoutUs > 0) req.timer = this.engine.after(g.spec.timeoutUs, this.onClientTimeout, req);
  }

  /** Round robin over the client's pods; with a timeline, only pods that exist now (first pod if none). */
  private nextClientPod(g: Generator): PodInfo {
    const n = g.pods.length;
    if (this.podExists === null) return g.pods[g.nextPod++ % n];
    for (let i = 0; i < n; i++) {
      const pod = g.pods[g.nextPod++ % n];
      if (this.podExists(pod)) return pod;
    }
    return g.pods[0];
  }

  private onClientTimeout = (req: ClientRequest): void => {
    req.timer = null;
    if (req.done) return;
    const handle = req.handle;
    req.handle = null;
    if (handle) this.client.abandon(handle);
    this.end(req, 0, 'DC');
  };

  /** @internal called by ClientRequest */
  answered(req: ClientRequest, status: number, flags: string): void {
    if (req.done || req.handle === null) return;
    req.handle = null;
    if (req.timer) {
      this.engine.cancel(req.timer);
      req.timer = null;
    }
    this.end(req, status, flags);
  }

  private end(req: ClientRequest, status: number, flags: string): void {
    req.done = true;
    const now = this.engine.nowUs;
    this.trace.emit({ kind: 'client.end', timeUs: now, req: req.id, client: req.gen.spec.name, code: status, flags, latencyUs: now - req.startUs });
    const g = req.gen;
    const load = g.spec.load;
    if (load.kind === 'closed') {
      // Next request on this connection: at once, or paced so the connections together make `qps`.
      let at = now;
      if (g.rate > 0) {
        const periodUs = Math.round((US_PER_S * load.connections) / g.rate);
        at = Math.max(now, g.lastSendUs[req.worker] + periodUs);
      }
      this.engine.at(at, this.onClosedSend, { g, w: req.worker });
    }
  }
}
