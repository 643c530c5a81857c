/**
 * Peak memory of a long run with and without the exporters (not a test: no timed or memory
 * assertions in the suite). Usage:
 *   npx tsx test/telemetry/memory-bench.ts SCENARIO OUTDIR none|folds|jaeger
 * Samples RSS and heap once per simulated second (the run's progress callback) and prints JSON.
 * Under `node --expose-gc` it also collects garbage first every 60 simulated seconds and reports
 * the peak retained heap: what the folds keep, without the garbage V8 has not collected yet.
 */
import { join } from 'node:path';
import { loadScenario, runScenario } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { Exports, type ExportArgs } from '../../sim/cli/export-flags.ts';

const [scenarioPath, outDir, mode] = process.argv.slice(2);
const s = loadScenario(scenarioPath, nodeFiles());
s.budgets.maxEvents = 1e9;
s.budgets.maxSimTimeUs = s.durationUs + 600_000_000;
const FILES: Required<Omit<ExportArgs, 'prometheusStep'>> = { prometheus: 'm.prom', accessLog: 'a.log', fortio: 'f.json', graph: 'g.json', report: 'r.html', jaeger: 'j.json' };
/** "folds" = every exporter but Jaeger; otherwise a comma-separated list of ExportArgs keys. */
const keys = (mode === 'folds' ? ['prometheus', 'accessLog', 'fortio', 'graph', 'report'] : mode === 'none' ? [] : mode.split(',')) as (keyof typeof FILES)[];
const args: ExportArgs = Object.fromEntries(keys.map((k) => [k, join(outDir, FILES[k])]));
const exports = mode === 'none' ? null : new Exports(args, s, 'bench');
let peakRss = 0;
let peakHeap = 0;
let peakRetained = 0;
let ticks = 0;
const gc = (globalThis as { gc?: () => void }).gc;
const t0 = performance.now();
const result = runScenario(s, {
  sinks: exports ? exports.traceSinks : [],
  onProgress: () => {
    if (gc && ++ticks % 60 === 0) {
      gc();
      peakRetained = Math.max(peakRetained, process.memoryUsage().heapUsed);
    }
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  },
});
exports?.commit(result);
const m = process.memoryUsage();
peakRss = Math.max(peakRss, m.rss);
peakHeap = Math.max(peakHeap, m.heapUsed);
process.stdout.write(
  JSON.stringify({ mode, requests: result.summary.clients.reduce((n, c) => n + c.requests, 0), attempts: result.summary.edges.reduce((n, e) => n + e.requests, 0), seconds: Math.round((performance.now() - t0) / 100) / 10, peakRssMB: Math.round(peakRss / 1e5) / 10, peakHeapMB: Math.round(peakHeap / 1e5) / 10, ...(gc ? { peakRetainedHeapMB: Math.round(peakRetained / 1e5) / 10 } : {}) }) + '\n',
);
