/**
 * One `meshsim sweep` job = one full run of the scenario at a seed with its parameter settings.
 * `runSweepJob` is used in the main thread (--workers 0) and in worker threads alike, so a
 * sweep's results are those of sequential runs by construction; each run builds its own engine
 * and random streams from the seed (nothing is shared between jobs but the loaded scenario,
 * which runScenario does not modify).
 *
 * Loaded as a worker (sweep-command.ts starts it through a tiny bootstrap that registers tsx),
 * it answers `{ job }` messages with `{ result }` until the parent closes it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { loadScenario } from '../config/index.ts';
import type { FileSource } from '../config/file-source.ts';
import type { ResolvedScenario } from '../config/types.ts';
import { InputError, formatDiagnostic } from '../domain/diagnostics.ts';
import { ExpectationsFold, clientSources } from '../expect/expectations.ts';
import { runScenario } from '../run.ts';
import { nodeFiles } from './node-files.ts';
import { applyParams, paramLabel, type SweepJob } from './sweep-jobs.ts';

export type JobStatus = 'passed' | 'failed' | 'stopped' | 'invalid' | 'error';

export interface JobResult {
  index: number;
  seed: number;
  /** "path=value …" of the job's parameter settings ("" without --param). */
  params: string;
  status: JobStatus;
  traceHash: string | null;
  events: number;
  /** Why the run stopped early, the diagnostics of an invalid variant, or an internal error. */
  message: string | null;
  expectations: { name: string; passed: boolean; n: number; observed: Record<string, number> }[];
  /** Success = a 2xx or 3xx answer; requests = every client request that ended. */
  clients: { name: string; requests: number; successRate: number | null }[];
}

/** Scenario text with the parameters written in, read through the normal loader (relative manifests included). */
export function filesWithParams(file: string, params: SweepJob['params'], base: FileSource = nodeFiles()): FileSource {
  if (params.length === 0) return base;
  const read = base.read(file);
  if (!read.ok) return base;
  const text = applyParams(read.text, file, params);
  return { read: (path) => (path === file ? { ok: true, text } : base.read(path)) };
}

/** Loads the scenario for one parameter variant; InputError when the variant is invalid. */
export function loadVariant(file: string, params: SweepJob['params']): ResolvedScenario {
  return loadScenario(file, filesWithParams(file, params));
}

export class SweepRunner {
  private readonly loaded = new Map<string, ResolvedScenario | InputError>();

  constructor(private readonly file: string) {}

  run(job: SweepJob): JobResult {
    const label = paramLabel(job.params);
    const base: JobResult = { index: job.index, seed: job.seed, params: label, status: 'error', traceHash: null, events: 0, message: null, expectations: [], clients: [] };
    let scenario = this.loaded.get(label);
    if (!scenario) {
      try {
        scenario = loadVariant(this.file, job.params);
      } catch (e) {
        if (!(e instanceof InputError)) throw e;
        scenario = e;
      }
      this.loaded.set(label, scenario);
    }
    if (scenario instanceof InputError) return { ...base, status: 'invalid', message: scenario.diagnostics.map(formatDiagnostic).join('\n') };
    const s: ResolvedScenario = { ...scenario, seed: job.seed };
    // Like `check`: the fold keeps the numbers behind each verdict; the run itself gets no expectations.
    const fold = new ExpectationsFold(s.expectations, clientSources(s.traffic));
    const result = runScenario({ ...s, expectations: [] }, { sinks: [fold] });
    const reports = fold.reports();
    const expectations = reports.map((r) => ({ name: r.name, passed: r.passed, n: r.n, observed: r.observed }));
    const clients = result.summary.clients.map((c) => {
      let ok = 0;
      for (const [code, n] of Object.entries(c.codes)) if (/^[23]\d\d$/.test(code)) ok += n;
      return { name: c.name, requests: c.requests, successRate: c.requests > 0 ? ok / c.requests : null };
    });
    const status: JobStatus = result.budgetMessage ? 'stopped' : reports.every((r) => r.passed) ? 'passed' : 'failed';
    return { ...base, status, traceHash: result.summary.traceHash, events: result.summary.events, message: result.budgetMessage, expectations, clients };
  }
}

export interface WorkerInit {
  meshsimSweep: true;
  file: string;
}

export type ToWorker = { job: SweepJob };
export type FromWorker = { ready: true } | { result: JobResult } | { failure: { index: number; message: string } };

function serve(init: WorkerInit): void {
  const runner = new SweepRunner(init.file);
  parentPort!.on('message', (msg: ToWorker) => {
    let reply: FromWorker;
    try {
      reply = { result: runner.run(msg.job) };
    } catch (e) {
      reply = { failure: { index: msg.job.index, message: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) } };
    }
    parentPort!.postMessage(reply);
  });
  // Loaded and listening: the parent hands out jobs only from now on (a booting worker holds none).
  parentPort!.postMessage({ ready: true } satisfies FromWorker);
}

if (parentPort && (workerData as WorkerInit | undefined)?.meshsimSweep) serve(workerData as WorkerInit);
