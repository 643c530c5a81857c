/**
 * Applications inside pods: a worker pool with a FIFO queue, a service time, an optional error
 * draw, and a plan of downstream calls (sequential steps, parallel calls inside a step), each with
 * the application's own timeout and attempt loop — the behaviour of istio-semantics.md §7.2
 * (productpage gives reviews 3 s per attempt, 2 attempts).
 *
 * A worker is held from the moment it takes a request until the response is sent (thread or
 * greenlet per request), so `concurrency` bounds requests in progress, downstream waits included.
 */
import type { CallSpec, WorkloadBehaviour } from '../config/types.ts';
import type { PodInfo } from '../control-plane/registry.ts';
import type { RequestHead } from '../control-plane/types.ts';
import type { InboundCall, InboundHandler, OutboundCaller, OutboundClient, OutboundHandle } from '../domain/ports.ts';
import type { Engine, ScheduledEvent } from '../engine/engine.ts';
import type { Rng } from '../engine/rng.ts';
import { makeSampler, type Sampler } from '../engine/sample.ts';
import type { Trace } from '../trace/sink.ts';

export interface WorkloadsOptions {
  engine: Engine;
  trace: Trace;
  rng: Rng;
  pods: readonly PodInfo[];
  behaviours: readonly WorkloadBehaviour[];
  client: OutboundClient;
}

class PodApp {
  readonly pod: PodInfo;
  readonly b: WorkloadBehaviour;
  readonly serviceTime: Sampler;
  readonly serviceRng: Rng;
  readonly errorRng: Rng;
  busy = 0;
  /** Timeline `slow` windows open on this pod: extra service time of each (summed). */
  extraUs = 0;
  /** Timeline `fail` windows open on this pod, latest last; the latest decides. */
  failing: Impairment[] = [];
  /** Draws for `fail` ratios, its own stream so a window does not move the app's other draws. */
  private failRng: Rng | null = null;
  private readonly base: Rng;
  /** FIFO of calls waiting for a worker; `head` indexes the next one (amortised O(1) shift). */
  queue: InboundCall[] = [];
  queueHead = 0;

  constructor(pod: PodInfo, b: WorkloadBehaviour, rng: Rng) {
    this.pod = pod;
    this.b = b;
    this.serviceTime = makeSampler(b.serviceTime);
    const base = rng.fork(`pod/${pod.namespace}/${pod.name}/app`);
    this.base = base;
    this.serviceRng = base.fork('service');
    this.errorRng = base.fork('errors');
  }

  /** Status a `fail` window imposes on the next request, or 0. */
  failStatus(): number {
    const f = this.failing[this.failing.length - 1];
    if (f.ratioPpm >= 1_000_000) return f.status;
    if (this.failRng === null) this.failRng = this.base.fork('timeline-fail');
    return this.failRng.chancePpm(f.ratioPpm) ? f.status : 0;
  }

  get queued(): number {
    return this.queue.length - this.queueHead;
  }
}

/** A timeline `fail` window: answer `status` for `ratioPpm` of the requests started during it. */
export interface Impairment {
  status: number;
  ratioPpm: number;
}

class Job {
  readonly app: PodApp;
  readonly call: InboundCall;
  readonly startUs: number;
  error = false;
  /** Status forced by a timeline `fail` window (0 = none). */
  forced = 0;
  step = 0;
  pending = 0;
  callFailed = false;
  constructor(app: PodApp, call: InboundCall, startUs: number) {
    this.app = app;
    this.call = call;
    this.startUs = startUs;
  }
}

/** One downstream call of a job, with the application's attempt loop. */
class AppCall implements OutboundCaller {
  readonly w: Workloads;
  readonly job: Job;
  readonly spec: CallSpec;
  attempt = 0;
  handle: OutboundHandle | null = null;
  timer: ScheduledEvent | null = null;
  finished = false;
  constructor(w: Workloads, job: Job, spec: CallSpec) {
    this.w = w;
    this.job = job;
    this.spec = spec;
  }
  onResponse(status: number, _flags: string): void {
    this.w.callAnswered(this, status);
  }
}

export class Workloads implements InboundHandler {
  private readonly engine: Engine;
  private readonly trace: Trace;
  private readonly client: OutboundClient;
  private readonly apps: PodApp[] = [];

  constructor(opts: WorkloadsOptions) {
    this.engine = opts.engine;
    this.trace = opts.trace;
    this.client = opts.client;
    const byDeployment = new Map<string, WorkloadBehaviour>();
    for (const b of opts.behaviours) byDeployment.set(`${b.namespace}/${b.deployment}`, b);
    for (const pod of opts.pods) {
      const b = byDeployment.get(`${pod.namespace}/${pod.deployment}`);
      if (!b) throw new Error(`internal: no behaviour resolved for deployment ${pod.namespace}/${pod.deployment}`);
      this.apps[pod.id] = new PodApp(pod, b, opts.rng);
    }
  }

  handle(pod: PodInfo, call: InboundCall): void {
    const app = this.apps[pod.id];
    const { concurrency, queueLimit } = app.b;
    if (concurrency === 0 || app.busy < concurrency) {
      this.startJob(app, call);
    } else if (queueLimit > 0 && app.queued >= queueLimit) {
      this.emitAppEnd(app, call, this.engine.nowUs, app.b.queueFullStatus);
      call.respond(app.b.queueFullStatus);
    } else {
      app.queue.push(call);
    }
  }

  private startJob(app: PodApp, call: InboundCall): void {
    app.busy++;
    const job = new Job(app, call, this.engine.nowUs);
    job.error = app.b.errorPpm > 0 && app.errorRng.chancePpm(app.b.errorPpm);
    if (app.failing.length > 0) job.forced = app.failStatus();
    this.engine.after(app.serviceTime(app.serviceRng) + app.extraUs, this.onServiceDone, job);
  }

  /** Opens (`on`) or closes a timeline `slow` window on a pod: extra service time per request. */
  setSlow(pod: PodInfo, extraUs: number, on: boolean): void {
    this.apps[pod.id].extraUs += on ? extraUs : -extraUs;
  }

  /** Opens or closes a timeline `fail` window on a pod (the same object closes what it opened). */
  setFail(pod: PodInfo, f: Impairment, on: boolean): void {
    const app = this.apps[pod.id];
    if (on) app.failing.push(f);
    else app.failing = app.failing.filter((x) => x !== f);
  }

  private onServiceDone = (job: Job): void => {
    if (job.error || job.forced !== 0 || job.app.b.calls.length === 0) {
      this.complete(job);
      return;
    }
    this.runStep(job);
  };

  private runStep(job: Job): void {
    const steps = job.app.b.calls;
    if (job.step >= steps.length) {
      this.complete(job);
      return;
    }
    const calls = steps[job.step].parallel;
    job.pending = calls.length;
    for (let i = 0; i < calls.length; i++) this.sendAttempt(new AppCall(this, job, calls[i]));
  }

  private sendAttempt(c: AppCall): void {
    c.attempt++;
    const head = this.buildHead(c.job, c.spec);
    c.handle = this.client.send(c.job.app.pod, c.job.app.pod.deployment, head, c.job.call.root, c, c.job.call.streamId);
    if (c.spec.timeoutUs > 0) c.timer = this.engine.after(c.spec.timeoutUs, this.onCallTimeout, c);
  }

  private buildHead(job: Job, spec: CallSpec): RequestHead {
    const headers = new Map<string, string>();
    const incoming = job.call.head.headers;
    const propagate = job.app.b.propagateHeaders;
    for (let i = 0; i < propagate.length; i++) {
      const v = incoming.get(propagate[i]);
      if (v !== undefined) headers.set(propagate[i], v);
    }
    for (let i = 0; i < spec.headers.length; i++) headers.set(spec.headers[i][0], spec.headers[i][1]);
    const u = spec.url;
    return { method: spec.method, scheme: u.scheme, host: u.host, port: u.port, path: u.path, query: u.query, headers };
  }

  private onCallTimeout = (c: AppCall): void => {
    c.timer = null;
    if (c.finished) return;
    const handle = c.handle;
    c.handle = null;
    if (handle) this.client.abandon(handle);
    this.callOutcome(c, false);
  };

  /** @internal called by AppCall */
  callAnswered(c: AppCall, status: number): void {
    if (c.finished || c.handle === null) return; // late answer to an abandoned attempt
    c.handle = null;
    if (c.timer) {
      this.engine.cancel(c.timer);
      c.timer = null;
    }
    const ok = c.spec.retryWhen === 'non-2xx' ? status >= 200 && status < 300 : status !== 0 && status < 500;
    this.callOutcome(c, ok);
  }

  private callOutcome(c: AppCall, ok: boolean): void {
    if (!ok && c.attempt < c.spec.attempts) {
      this.sendAttempt(c);
      return;
    }
    c.finished = true;
    const job = c.job;
    if (!ok) job.callFailed = true;
    if (--job.pending === 0) {
      job.step++;
      this.runStep(job);
    }
  }

  private complete(job: Job): void {
    const app = job.app;
    const b = app.b;
    let status = b.status;
    if (job.forced !== 0) status = job.forced;
    else if (job.error) status = b.errorStatus;
    else if (job.callFailed && b.onCallFailure.kind === 'status') status = b.onCallFailure.status;
    this.emitAppEnd(app, job.call, job.startUs, status);
    app.busy--;
    job.call.respond(status);
    if (app.queued > 0) {
      const next = app.queue[app.queueHead];
      // Forget a call once it leaves the queue: served calls left in the array kept whole request
      // graphs reachable until the next compaction, and the GC copied them again and again.
      (app.queue as (InboundCall | undefined)[])[app.queueHead++] = undefined;
      if (app.queueHead === app.queue.length) {
        app.queue.length = 0;
        app.queueHead = 0;
      } else if (app.queueHead > 1024 && app.queueHead * 2 > app.queue.length) {
        app.queue = app.queue.slice(app.queueHead);
        app.queueHead = 0;
      }
      this.startJob(app, next);
    }
  }

  private emitAppEnd(app: PodApp, call: InboundCall, startUs: number, status: number): void {
    this.trace.emit({
      kind: 'app.end',
      timeUs: this.engine.nowUs,
      pod: app.pod.name,
      namespace: app.pod.namespace,
      stream: call.streamId,
      arrivalUs: call.arrivalUs,
      startUs,
      status,
    });
  }
}
