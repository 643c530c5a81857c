/**
 * `meshsim sweep <scenario> [--seeds 1..100 | --seeds 1,5,9] [--param path=v1,v2]... [--workers N]
 * [--shard i/n] [--json FILE]`: every (parameter variant × seed) is one full run; N runs go at
 * once (default one per core: this thread and N − 1 worker threads) and results come back in
 * job order, so the output and every trace hash equal those of sequential runs. `--shard i/n` keeps the i-th of n contiguous slices
 * of the job list, so a CI matrix of n machines covers the sweep exactly once.
 * Exit codes as `check`: 0 every run passed, 1 an expectation failed, 2 invalid input or a run
 * stopped by a budget.
 */
import { availableParallelism } from 'node:os';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InputError, formatDiagnostic } from '../domain/diagnostics.ts';
import { UsageError } from './errors.ts';
import { writeFileAtomic } from './output.ts';
import { buildJobs, paramLabel, parseParam, parseSeeds, parseShard, shardJobs, type SweepJob } from './sweep-jobs.ts';
import { formatSweep, summarize, sweepJson } from './sweep-summary.ts';
import { loadVariant, SweepRunner, type FromWorker, type JobResult, type WorkerInit } from './sweep-worker.ts';

export interface SweepArgs {
  scenario: string;
  seeds?: string;
  params: string[];
  workers?: string;
  shard?: string;
  json?: string;
  /** Draw the progress bar even when stderr is not a terminal (tests); default: only on a TTY. */
  progress?: boolean;
  /** Run every job in worker threads, none in this thread (--threads-only; tests of the worker path). */
  threadsOnly?: boolean;
}

export interface SweepIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** Whether stderr is a terminal (progress bar). */
  errIsTty: boolean;
}

const defaultIo = (): SweepIo => ({ out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t), errIsTty: Boolean(process.stderr.isTTY) });

function parseWorkers(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  if (!/^\d+$/.test(text) || Number(text) > 256) throw new UsageError(`--workers expects a whole number from 0 to 256 (runs at once; 0 or 1 = only in this thread), got "${text}"`);
  return Number(text);
}

export function replaySweepRun(file: string, r: JobResult): string {
  return `npx meshsim run ${file} --seed ${r.seed}${r.params ? ` (with ${r.params} written into the scenario)` : ''}`;
}

export async function sweepCommand(args: SweepArgs, io: SweepIo = defaultIo()): Promise<number> {
  const axes = args.params.map(parseParam);
  const workers = parseWorkers(args.workers);
  const shard = args.shard !== undefined ? parseShard(args.shard) : null;

  // Every variant loads once here: a bad path or value is exit 2 before any run starts.
  const variants = buildJobs([0], axes).map((j) => j.params);
  let defaultSeed = 1;
  for (const params of variants) {
    try {
      defaultSeed = loadVariant(args.scenario, params).seed;
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      const where = params.length > 0 ? ` with --param ${paramLabel(params)}` : '';
      io.err(`${e.diagnostics.slice(0, 50).map(formatDiagnostic).join('\n')}\nmeshsim: the scenario is invalid${where}; no run was started\n`);
      return 2;
    }
  }
  const seeds = args.seeds !== undefined ? parseSeeds(args.seeds) : [defaultSeed];
  const all = buildJobs(seeds, axes);
  const jobs = shard ? shardJobs(all, shard) : all;
  const shardText = shard ? `${shard.index}/${shard.count}` : null;
  if (jobs.length === 0) {
    io.out(`shard ${shardText} of ${all.length} runs is empty; nothing to do\n`);
    if (args.json) writeFileAtomic(args.json, sweepJson(args.scenario, shardText, [], []));
    return 0;
  }

  const bar = args.progress || io.errIsTty ? new SweepProgress(io.err, jobs.length) : null;
  // One run gains nothing from a worker but its start-up (tsx compiles the simulator again there).
  const inThread = !args.threadsOnly && (workers <= 1 || jobs.length === 1);
  const results = inThread ? runInThread(args.scenario, jobs, bar) : await runPool(args.scenario, jobs, Math.max(1, Math.min(workers, jobs.length)), Boolean(args.threadsOnly), bar);
  bar?.done();

  const summary = summarize(results);
  io.out(formatSweep(args.scenario, results, summary, (r) => replaySweepRun(args.scenario, r)));
  if (shardText) io.out(`shard ${shardText}: runs ${jobs[0].index + 1}..${jobs[jobs.length - 1].index + 1} of ${all.length}\n`);
  if (args.json) writeFileAtomic(args.json, sweepJson(args.scenario, shardText, results, summary));

  if (results.some((r) => r.status === 'invalid' || r.status === 'stopped' || r.status === 'error')) return 2;
  return results.some((r) => r.status === 'failed') ? 1 : 0;
}

function runInThread(file: string, jobs: readonly SweepJob[], bar: SweepProgress | null): JobResult[] {
  const runner = new SweepRunner(file);
  return jobs.map((job, k) => {
    const r = runner.run(job);
    bar?.update(k + 1);
    return r;
  });
}

/**
 * Workers run TypeScript through tsx, which a worker thread does not inherit from the thread
 * that registered it (bin/meshsim.js, vitest): a two-line bootstrap registers tsx in the worker
 * and then imports sweep-worker.ts.
 */
function workerBootstrap(): string {
  // require.resolve finds the CommonJS build of tsx/esm/api; its ESM twin (the package's "import"
  // export, same folder) is the one whose register() works from an ESM worker.
  const cjs = createRequire(import.meta.url).resolve('tsx/esm/api');
  const tsxApi = pathToFileURL(cjs.replace(/\.cjs$/, '.mjs')).href;
  const worker = new URL('./sweep-worker.ts', import.meta.url).href;
  return `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(worker)}); });`;
}

/** About how long a worker thread takes to start (tsx compiles the simulator again in it). */
const WORKER_START_MS = 700;
/** This thread runs jobs alone for this long before deciding whether workers are worth starting. */
const PROBE_MS = 250;

/**
 * `runners` runs at once: this thread plus runners − 1 worker threads. This thread starts on the
 * jobs at once; workers are started only when the jobs left would take several times a worker's
 * start-up (measured on the first jobs), since on a small sweep they cost more CPU than they
 * save. Workers get a job only once they say they are ready, so none is left waiting on a
 * booting worker. `threadsOnly` keeps this thread out (tests of the worker path). Which runner
 * ran a job never changes its result: results go back in job order.
 */
function runPool(file: string, jobs: readonly SweepJob[], runners: number, threadsOnly: boolean, bar: SweepProgress | null): Promise<JobResult[]> {
  const results: JobResult[] = new Array(jobs.length);
  const local = threadsOnly ? null : new SweepRunner(file);
  return new Promise((resolve, reject) => {
    let next = 0;
    let finished = 0;
    let settled = false;
    const pool: Worker[] = [];
    const stopAll = (): void => {
      for (const w of pool) void w.terminate();
    };
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      stopAll();
      reject(e);
    };
    const record = (at: number, r: JobResult): void => {
      results[at] = r;
      finished++;
      bar?.update(finished);
      if (finished === jobs.length && !settled) {
        settled = true;
        stopAll();
        resolve(results);
      }
    };
    // Position in `jobs` of the job each worker is running.
    const running = new Map<Worker, number>();
    const feed = (w: Worker): void => {
      if (next >= jobs.length || settled) {
        running.delete(w);
        void w.terminate();
        return;
      }
      running.set(w, next);
      w.postMessage({ job: jobs[next++] });
    };
    const startWorkers = (count: number): void => {
      const code = workerBootstrap();
      const init: WorkerInit = { meshsimSweep: true, file };
      for (let i = 0; i < count; i++) {
        const w = new Worker(code, { eval: true, workerData: init });
        pool.push(w);
        w.on('message', (msg: FromWorker) => {
          if (settled) return;
          if ('failure' in msg) return fail(new Error(`sweep run ${msg.failure.index + 1} failed in a worker: ${msg.failure.message}`));
          if ('result' in msg) record(running.get(w)!, msg.result);
          feed(w);
        });
        w.on('error', fail);
      }
    };
    if (!local) {
      startWorkers(runners);
      return;
    }
    const started = performance.now();
    let firstJobMs = 0;
    let probing = runners > 1;
    const step = (): void => {
      if (settled || next >= jobs.length) return;
      const at = next++;
      const t0 = performance.now();
      try {
        record(at, local.run(jobs[at]));
      } catch (e) {
        return fail(e instanceof Error ? e : new Error(String(e)));
      }
      if (at === 0) firstJobMs = performance.now() - t0;
      if (probing && (performance.now() - started >= PROBE_MS || next >= jobs.length)) {
        probing = false;
        // The first job carries the JIT warm-up; the ones after it say what a job costs.
        const done = next;
        const perJobMs = done > 1 ? (performance.now() - started - firstJobMs) / (done - 1) : firstJobMs;
        if (perJobMs * (jobs.length - done) > 3 * WORKER_START_MS) startWorkers(runners - 1);
      }
      setImmediate(step);
    };
    step();
  });
}

/** "[#####.....] 37/100 runs" on stderr, redrawn at most ten times a second. */
class SweepProgress {
  private lastDrawMs = 0;
  private shown = false;

  constructor(
    private readonly write: (t: string) => void,
    private readonly total: number,
  ) {}

  update(done: number): void {
    const now = Date.now();
    if (done < this.total && now - this.lastDrawMs < 100) return;
    this.lastDrawMs = now;
    this.shown = true;
    const width = 30;
    const filled = Math.round((done / this.total) * width);
    this.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${this.total} runs `);
  }

  done(): void {
    if (this.shown) this.write('\r\x1b[K');
  }
}
