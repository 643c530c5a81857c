/**
 * `npm run bench`: measures, prints and saves (bench-results/latest.json) meshsim's speed and
 * memory. Not a test: nothing here asserts a time. Ratios are measured in one process,
 * interleaved, because the machine drifts (shared/reference/perf-baseline.md).
 *
 *   npm run bench                          everything (several minutes: 5M requests run in a child)
 *   npm run bench -- --quick               fewer repetitions and smaller runs (< 30 s)
 *   npm run bench -- --compare FILE        also compare with a saved JSON (e.g. test/bench/baseline.json);
 *                                          exit 1 when a number regressed by more than the threshold
 *   npm run bench -- --scaling             only the cost-growth table of docs/performance.md
 *   npm run bench -- --out FILE            write the JSON there instead of bench-results/latest.json
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { runScenario } from '../../sim/run.ts';
import { runBaselineBookinfo } from './baseline-bookinfo.ts';
import { benchBookinfo } from './bench-bookinfo.ts';
import { runFloorBookinfo } from './floor-bookinfo.ts';
import { compareResults, formatComparison, REGRESSION_THRESHOLD } from './compare.ts';
import { holdEngine, holdPlainHeap } from './engine-heap.ts';
import { DEFAULT_SHAPE } from './generate-mesh.ts';
import { median, meshCompileBench, meshRunBench } from './mesh-bench.ts';
import { scalingBench } from './scaling.ts';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const flag = (name: string): string | undefined => {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
};
const compareFile = flag('--compare');
if (argv.includes('--compare') && (!compareFile || compareFile.startsWith('--'))) {
  process.stderr.write('bench: --compare needs a file, e.g. npm run bench -- --compare test/bench/baseline.json\n');
  process.exit(2);
}
const outFile = flag('--out') ?? 'bench-results/latest.json';
const REPS = quick ? 1 : 5;
const OLD_SPACE_CAP_MIB = 64;

/** CPU time of this process in ms (user + system): less sensitive than wall time to the neighbours on a shared machine. */
function cpuNowMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function timeIt<T>(fn: () => T): { ms: number; cpuMs: number; value: T } {
  const c0 = cpuNowMs();
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, cpuMs: cpuNowMs() - c0, value };
}

const log = (text: string): void => void process.stderr.write(`bench: ${text}\n`);

const results: Record<string, unknown> = {
  machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30) },
  node: process.version,
  date: new Date().toISOString(),
  quick,
};

/** A run in a fresh process (tsx), so its peak RSS is its own. */
function child(requests: number, nodeFlags: string[] = []): { requests: number; events: number; wallMs: number; peakRssMiB: number; heapAfterGcMiB: number } {
  const r = spawnSync(process.execPath, ['--expose-gc', ...nodeFlags, '--import', 'tsx', 'test/bench/bench-child.ts', 'bookinfo', String(requests)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`bench child (${requests} requests) failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

if (argv.includes('--scaling')) {
  results.scaling = scalingBench(log);
} else {
  // 1. meshsim's full model of workload B vs the bare hand-written model, same process, interleaved.
  {
    const n = quick ? 20_000 : 200_000;
    log(`workload B: meshsim vs bare model, ${n} requests, median of ${REPS}`);
    const meshsim: number[] = [];
    const bare: number[] = [];
    const meshsimCpu: number[] = [];
    const bareCpu: number[] = [];
    // The same events and draws as meshsim's model without its logic (floor-bookinfo.ts): how much
    // of the ratio the model's fidelity costs before any sidecar logic runs.
    const floor: number[] = [];
    const floorCpu: number[] = [];
    let floorEvents = 0;
    let last: ReturnType<typeof runScenario> | null = null;
    let base = runBaselineBookinfo(quick ? 20_000 : 50_000, 1); // warm-up (JIT), not timed
    runFloorBookinfo(quick ? 20_000 : 50_000, 1); // warm-up
    for (let i = 0; i < REPS; i++) {
      const b = timeIt(() => runBaselineBookinfo(n, 1));
      bare.push(b.ms);
      bareCpu.push(b.cpuMs);
      base = b.value;
      const f = timeIt(() => runFloorBookinfo(n, 1));
      floor.push(f.ms);
      floorCpu.push(f.cpuMs);
      floorEvents = f.value.events;
      const s = benchBookinfo(n);
      const m = timeIt(() => runScenario(s));
      meshsim.push(m.ms);
      meshsimCpu.push(m.cpuMs);
      last = m.value;
    }
    const requests = last!.summary.clients.reduce((a, c) => a + c.requests, 0);
    results.bookinfoVsBaseline = {
      requests,
      meshsimMedianMs: Math.round(median(meshsim)),
      meshsimEvents: last!.summary.events,
      meshsimRequestsPerSec: Math.round(requests / (median(meshsim) / 1000)),
      meshsimMeanLatencyMs: last!.summary.clients[0].latencyMs.mean,
      baselineMedianMs: Math.round(median(bare)),
      baselineEvents: base.events,
      baselineMeanLatencyMs: Number(base.meanMs.toFixed(3)),
      theoryMeanMs: 13.636,
      ratio: Number((median(meshsim) / median(bare)).toFixed(2)),
      cpuRatio: Number((median(meshsimCpu) / median(bareCpu)).toFixed(2)),
      target: 4,
      fidelityFloor: {
        medianMs: Math.round(median(floor)),
        events: floorEvents,
        ratio: Number((median(floor) / median(bare)).toFixed(2)),
        cpuRatio: Number((median(floorCpu) / median(bareCpu)).toFixed(2)),
        meshsimOverFloor: Number((median(meshsim) / median(floor)).toFixed(2)),
      },
    };
  }

  // 2. Engine alone vs a plain array binary heap (hold model), interleaved.
  {
    const n = quick ? 500_000 : 2_000_000;
    log(`engine vs plain heap, ${n} events, median of ${REPS}`);
    holdPlainHeap(100_000, 99); // warm-up
    holdEngine(100_000, 99);
    const engine: number[] = [];
    const plain: number[] = [];
    const engineCpu: number[] = [];
    const plainCpu: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const p = timeIt(() => holdPlainHeap(n, i));
      const e = timeIt(() => holdEngine(n, i));
      plain.push(p.ms);
      plainCpu.push(p.cpuMs);
      engine.push(e.ms);
      engineCpu.push(e.cpuMs);
    }
    results.engineVsHeap = {
      events: n,
      engineMedianMs: Math.round(median(engine)),
      plainHeapMedianMs: Math.round(median(plain)),
      engineEventsPerSec: Math.round(n / (median(engine) / 1000)),
      plainHeapEventsPerSec: Math.round(n / (median(plain) / 1000)),
      ratio: Number((median(engine) / median(plain)).toFixed(2)),
      cpuRatio: Number((median(engineCpu) / median(plainCpu)).toFixed(2)),
      target: 1.5,
    };
  }

  // 3. Long runs in their own processes: wall time and peak RSS, and flat memory (5× the requests).
  {
    const small = quick ? 50_000 : 1_000_000;
    log(`memory: ${small} and ${5 * small} requests in child processes`);
    const a = child(small);
    const b = child(5 * small);
    // Same pair with V8's old space capped: if peak RSS is then flat, the default growth is the
    // garbage collector's slack (V8 grows the heap before collecting), not memory the run keeps.
    // (Skipped with --quick to stay fast.)
    const capped = quick ? null : [small, 5 * small].map((n) => child(n, [`--max-old-space-size=${OLD_SPACE_CAP_MIB}`]));
    if (capped) log(`memory: the same pair with --max-old-space-size=${OLD_SPACE_CAP_MIB}`);
    results.memory = {
      small: { ...a, requestsPerSec: Math.round(a.requests / (a.wallMs / 1000)) },
      large: { ...b, requestsPerSec: Math.round(b.requests / (b.wallMs / 1000)) },
      rssRatio: Number((b.peakRssMiB / a.peakRssMiB).toFixed(2)),
      // What the run still holds at its end (after a full GC): growth here is retention, not GC slack.
      heapAfterGcRatio: Number((b.heapAfterGcMiB / a.heapAfterGcMiB).toFixed(2)),
      capped: capped && {
        oldSpaceCapMiB: OLD_SPACE_CAP_MIB,
        smallPeakRssMiB: capped[0].peakRssMiB,
        largePeakRssMiB: capped[1].peakRssMiB,
        smallWallMs: capped[0].wallMs,
        largeWallMs: capped[1].wallMs,
        rssRatio: Number((capped[1].peakRssMiB / capped[0].peakRssMiB).toFixed(2)),
      },
      target: 1.2,
    };
  }

  // 4. Generated mesh: 200 services / 1,000 pods with mixed VirtualServices.
  {
    const shape = quick ? { ...DEFAULT_SHAPE, services: 100, pods: 500, durationSec: 1 } : DEFAULT_SHAPE;
    log(`generated mesh ${shape.services} services / ${shape.pods} pods: compile, one-VS recompile, traffic`);
    results.generatedMesh = { compile: meshCompileBench(shape, REPS), run: meshRunBench(shape, quick ? 1 : 7) };
  }
}

const text = JSON.stringify(results, null, 2);
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, text + '\n');
process.stdout.write(formatTable(results));
process.stdout.write(`saved ${outFile}\n`);

if (compareFile) {
  const baseline = JSON.parse(readFileSync(compareFile, 'utf8')) as Record<string, unknown>;
  const mixed = baseline.quick !== results.quick;
  if (mixed) process.stdout.write(`note: ${compareFile} was made ${baseline.quick ? 'with' : 'without'} --quick and this run ${quick ? 'with' : 'without'}; sizes differ, so only the ratios are compared\n`);
  const rows = compareResults(baseline, results, REGRESSION_THRESHOLD, mixed);
  process.stdout.write(formatComparison(compareFile, rows));
  if (rows.some((r) => r.regression)) {
    process.stdout.write(`REGRESSION: at least one number is more than ${REGRESSION_THRESHOLD * 100}% worse than ${compareFile}\n`);
    process.exitCode = 1;
  }
}

/** Every numeric leaf as "path  value", grouped by section. */
function formatTable(r: Record<string, unknown>): string {
  const lines: string[] = [`meshsim bench — ${JSON.stringify(r.machine)}, Node ${r.node}, ${r.date}${quick ? ' (quick)' : ''}`];
  const walk = (value: unknown, path: string): void => {
    if (typeof value === 'number') lines.push(`  ${path.padEnd(58)} ${value.toLocaleString('en-US')}`);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${path}[${i}]`));
    else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) walk(v, path ? `${path}.${k}` : k);
  };
  for (const [k, v] of Object.entries(r)) if (k !== 'machine' && typeof v === 'object') walk(v, k);
  return lines.join('\n') + '\n';
}
