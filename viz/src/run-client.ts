/**
 * Page side of the simulation worker: one worker, requests answered in order, promises.
 */
import RunWorker from './worker.ts?worker&inline';
import { fetchablePath } from './scenarios.ts';
import type { RunOutcome, RunReply, RunRequest } from './protocol.ts';

export type RunResponse =
  | { kind: 'done'; outcome: RunOutcome }
  | { kind: 'invalid'; diagnostics: string[] }
  | { kind: 'crash'; message: string };

export interface RunInput {
  entry: string;
  files: Record<string, string>;
  seed?: number;
  /** Ask for the columnar trace (the replay). */
  trace?: boolean;
  /** Manifests layered at t=0 (wizard files, the learner's extra tabs). */
  apply?: string[];
}

/** Fetches a file the scenario needs from the page's own origin; null when unavailable. */
export type FileFetcher = (path: string) => Promise<string | null>;

export class SimulationClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, (reply: RunReply) => void>();

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new RunWorker({ name: 'meshsim-sim' });
    w.onmessage = (ev: MessageEvent<RunReply>) => {
      const done = this.pending.get(ev.data.id);
      if (done) {
        this.pending.delete(ev.data.id);
        done(ev.data);
      }
    };
    w.onerror = (ev) => {
      ev.preventDefault();
      const message = ev.message || 'the simulation worker failed';
      for (const [id, done] of [...this.pending]) done({ id, kind: 'crash', message });
      this.pending.clear();
      this.worker?.terminate();
      this.worker = null;
    };
    this.worker = w;
    return w;
  }

  private post(req: Omit<RunRequest, 'id'>): Promise<RunReply> {
    const id = this.nextId++;
    const w = this.ensureWorker();
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      w.postMessage({ ...req, id } satisfies RunRequest);
    });
  }

  /** Another message kind the worker understands (lab checks, viz/src/labs/); answered by id like runs. */
  ask<Reply>(message: { kind: string }): Promise<Reply | { id: number; kind: 'crash'; message: string }> {
    const id = this.nextId++;
    const w = this.ensureWorker();
    return new Promise((resolve) => {
      this.pending.set(id, resolve as unknown as (reply: RunReply) => void);
      w.postMessage({ ...message, id });
    });
  }

  /**
   * Runs a scenario. With a fetcher, files the scenario names but `files` lacks are fetched
   * (only paths `fetchablePath` accepts) and the run is retried, a bounded number of times.
   */
  async run(input: RunInput, fetcher?: FileFetcher): Promise<RunResponse> {
    const files = { ...input.files };
    const tried = new Set<string>();
    for (let round = 0; round < 32; round++) {
      const reply = await this.post({ entry: input.entry, files, seed: input.seed, trace: input.trace, apply: input.apply, discover: fetcher !== undefined });
      if (reply.kind !== 'missing') return toResponse(reply);
      const todo = reply.paths.filter((p) => !tried.has(p) && fetchablePath(p));
      if (todo.length === 0 || !fetcher) break;
      for (const p of todo) {
        tried.add(p);
        const text = await fetcher(p);
        if (text !== null) files[p] = text;
      }
    }
    return toResponse(await this.post({ entry: input.entry, files, seed: input.seed, trace: input.trace, apply: input.apply, discover: false }));
  }
}

function toResponse(reply: RunReply): RunResponse {
  switch (reply.kind) {
    case 'done':
      return { kind: 'done', outcome: reply.outcome };
    case 'invalid':
      return { kind: 'invalid', diagnostics: reply.diagnostics };
    case 'crash':
      return { kind: 'crash', message: reply.message };
    case 'missing':
      return { kind: 'invalid', diagnostics: reply.paths.map((p) => `${p}: file not found`) };
  }
}
