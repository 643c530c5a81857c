/**
 * Hot-path measuring stick for issue #10: meshsim's Bookinfo against the hand-written baseline
 * model at the same N requests, interleaved in one process so machine drift cancels out of the
 * ratio, plus the engine hold model vs a plain heap. Prints one line per round (wall and CPU ms)
 * and the medians. `--scenario bench` (default) is bench.ts's model of workload B
 * (bench-bookinfo.ts); `--scenario yaml` is scenarios/bookinfo.yaml scaled to N at 480 req/s.
 *
 *   npx tsx test/bench/profile-bookinfo.ts [--requests 200000] [--rounds 5] [--only meshsim|baseline|engine] [--scenario bench|yaml]
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx test/bench/profile-bookinfo.ts --only meshsim --rounds 1
 *
 * On a busy machine compare CPU time (less disturbed than wall time) and the per-round ratio.
 * Not a test and not `npm run bench` (that is bench.ts); this is the quick loop used while optimising.
 */
import { loadScenario } from '../../sim/config/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { runScenario } from '../../sim/run.ts';
import { runBaselineBookinfo } from './baseline-bookinfo.ts';
import { benchBookinfo } from './bench-bookinfo.ts';
import { holdEngine, holdPlainHeap } from './engine-heap.ts';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const requests = Number(arg('requests', '200000'));
const rounds = Number(arg('rounds', '5'));
const only = arg('only', 'all');
const scenario = arg('scenario', 'bench');
const RATE_PER_SEC = 480; // the baseline's arrival rate (perf-baseline.md, workload B)

function bookinfoAt(n: number) {
  const s = loadScenario('scenarios/bookinfo.yaml', nodeFiles());
  s.durationUs = Math.round((n / RATE_PER_SEC) * 1e6);
  const total = s.traffic.reduce((a, t) => a + (t.load.kind === 'open' ? t.load.ratePerSec : 0), 0);
  for (const t of s.traffic) {
    if (t.load.kind === 'open') t.load = { ...t.load, ratePerSec: (t.load.ratePerSec / total) * RATE_PER_SEC };
    t.stopUs = s.durationUs;
  }
  s.expectations = [];
  return s;
}

let lastCpuMs = 0;
function ms(fn: () => unknown): number {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const c = process.cpuUsage(c0);
  lastCpuMs = (c.user + c.system) / 1000;
  return performance.now() - t0;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const mesh: number[] = [];
const meshCpu: number[] = [];
const base: number[] = [];
const baseCpu: number[] = [];
const eng: number[] = [];
const heap: number[] = [];
let hash = '';
for (let r = 0; r < rounds; r++) {
  const parts: string[] = [];
  if (only === 'all' || only === 'meshsim') {
    const s = scenario === 'yaml' ? bookinfoAt(requests) : benchBookinfo(requests);
    let events = 0;
    mesh.push(ms(() => {
      const res = runScenario(s);
      hash = res.summary.traceHash;
      events = res.summary.events;
    }));
    meshCpu.push(lastCpuMs);
    parts.push(`meshsim ${mesh.at(-1)!.toFixed(0)}ms cpu ${lastCpuMs.toFixed(0)}ms (${events} events)`);
  }
  if (only === 'all' || only === 'baseline') {
    base.push(ms(() => runBaselineBookinfo(requests, 1)));
    baseCpu.push(lastCpuMs);
    parts.push(`baseline ${base.at(-1)!.toFixed(0)}ms cpu ${lastCpuMs.toFixed(0)}ms`);
  }
  if (only === 'all' || only === 'engine') {
    heap.push(ms(() => holdPlainHeap(2_000_000, r)));
    eng.push(ms(() => holdEngine(2_000_000, r)));
    parts.push(`engine ${eng.at(-1)!.toFixed(0)}ms plain ${heap.at(-1)!.toFixed(0)}ms`);
  }
  process.stdout.write(`round ${r + 1}: ${parts.join(', ')}\n`);
}
if (mesh.length) process.stdout.write(`meshsim median ${median(mesh).toFixed(0)}ms, trace hash ${hash}\n`);
if (mesh.length && base.length) {
  const ratios = mesh.map((m, i) => m / base[i]);
  process.stdout.write(`bookinfo ratio (median of per-round) ${median(ratios).toFixed(2)}; medians ${median(mesh).toFixed(0)} / ${median(base).toFixed(0)} = ${(median(mesh) / median(base)).toFixed(2)}\n`);
  process.stdout.write(`bookinfo CPU-time ratio: medians ${median(meshCpu).toFixed(0)} / ${median(baseCpu).toFixed(0)} = ${(median(meshCpu) / median(baseCpu)).toFixed(2)}\n`);
}
if (eng.length) process.stdout.write(`engine/plain ratio ${(median(eng) / median(heap)).toFixed(2)} (${median(eng).toFixed(0)} / ${median(heap).toFixed(0)}ms)\n`);
