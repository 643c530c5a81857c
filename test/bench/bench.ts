/**
 * `npm run bench`: measures, prints and saves (bench-results/bench-<time>.json) meshsim's speed
 * and memory. Not a test: nothing here asserts a time. Ratios are measured in one process,
 * interleaved, because the machine drifts (shared/reference/perf-baseline.md).
 *
 *   npm run bench                 all measurements
 *   npm run bench -- --quick      fewer repetitions
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { loadScenario } from '../../sim/config/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { runScenario } from '../../sim/run.ts';
import { runBaselineBookinfo } from './baseline-bookinfo.ts';
import { holdEngine, holdPlainHeap } from './engine-heap.ts';

const quick = process.argv.includes('--quick');
const REPS = quick ? 1 : 5;

function timeIt<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Bookinfo from scenarios/bookinfo.yaml with its two clients scaled to `requests` in total. */
function bookinfoAt(requests: number, ratePerSec: number) {
  const s = loadScenario('scenarios/bookinfo.yaml', nodeFiles());
  const seconds = requests / ratePerSec;
  s.durationUs = Math.round(seconds * 1e6);
  const total = s.traffic.reduce((a, t) => a + (t.load.kind === 'open' ? t.load.ratePerSec : 0), 0);
  for (const t of s.traffic) {
    if (t.load.kind === 'open') t.load = { ...t.load, ratePerSec: (t.load.ratePerSec / total) * ratePerSec };
    t.stopUs = s.durationUs;
  }
  s.expectations = [];
  return s;
}

const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) },
  node: process.version,
  date: new Date().toISOString(),
};

// 1. meshsim Bookinfo at 100k requests (1,000 req/s for 100 s), metrics on, no trace kept.
{
  const runs: number[] = [];
  let last: ReturnType<typeof runScenario> | null = null;
  for (let i = 0; i < REPS; i++) {
    const s = bookinfoAt(100_000, 1000);
    const { ms, value } = timeIt(() => runScenario(s));
    runs.push(ms);
    last = value;
  }
  const ms = median(runs);
  const requests = last!.summary.clients.reduce((a, c) => a + c.requests, 0);
  results.bookinfo100k = {
    requests,
    events: last!.summary.events,
    medianWallMs: Math.round(ms),
    requestsPerSec: Math.round(requests / (ms / 1000)),
    eventsPerSec: Math.round(last!.summary.events / (ms / 1000)),
    peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  };
}

// 2. Engine alone vs a plain array binary heap (hold model), interleaved.
{
  const n = quick ? 500_000 : 2_000_000;
  const engine: number[] = [];
  const plain: number[] = [];
  for (let i = 0; i < REPS; i++) {
    plain.push(timeIt(() => holdPlainHeap(n, i)).ms);
    engine.push(timeIt(() => holdEngine(n, i)).ms);
  }
  results.engine = {
    events: n,
    engineMedianMs: Math.round(median(engine)),
    plainHeapMedianMs: Math.round(median(plain)),
    engineEventsPerSec: Math.round(n / (median(engine) / 1000)),
    plainHeapEventsPerSec: Math.round(n / (median(plain) / 1000)),
    ratio: Number((median(engine) / median(plain)).toFixed(2)),
  };
}

// 3. The bare reference model of perf-baseline.md (workload B, 200k requests).
{
  const runs: number[] = [];
  let r = runBaselineBookinfo(200_000, 1);
  for (let i = 0; i < REPS; i++) {
    const t = timeIt(() => runBaselineBookinfo(200_000, 1));
    runs.push(t.ms);
    r = t.value;
  }
  results.baselineBookinfo200k = {
    medianWallMs: Math.round(median(runs)),
    meanLatencyMs: Number(r.meanMs.toFixed(3)),
    theoryMeanMs: 13.636,
    p99Ms: Number(r.p99Ms.toFixed(2)),
    events: r.events,
  };
}

const text = JSON.stringify(results, null, 2);
process.stdout.write(text + '\n');
mkdirSync('bench-results', { recursive: true });
const file = `bench-results/bench-${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, text + '\n');
process.stdout.write(`saved ${file}\n`);
