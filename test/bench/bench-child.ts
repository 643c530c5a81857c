/**
 * One measured run in a fresh process, so that its peak RSS is its own:
 *   tsx test/bench/bench-child.ts bookinfo <requests>
 * prints one JSON line {requests, events, wallMs, peakRssMiB, heapAfterGcMiB} (run it with --expose-gc). No trace is kept (metrics folds only).
 */
import { runScenario } from '../../sim/run.ts';
import { benchBookinfo } from './bench-bookinfo.ts';

const [what, n] = process.argv.slice(2);
if (what !== 'bookinfo' || !/^\d+$/.test(n ?? '')) {
  process.stderr.write('usage: tsx test/bench/bench-child.ts bookinfo <requests>\n');
  process.exit(2);
}
const scenario = benchBookinfo(Number(n));
const t0 = performance.now();
const result = runScenario(scenario);
const wallMs = performance.now() - t0;
if (result.budgetMessage) {
  process.stderr.write(`bench run stopped: ${result.budgetMessage}\n`);
  process.exit(1);
}
const requests = result.summary.clients.reduce((a, c) => a + c.requests, 0);
// With --expose-gc: the heap the finished run still holds (its folds), separate from GC slack in the RSS.
(globalThis as { gc?: () => void }).gc?.();
const heapAfterGcMiB = Math.round(process.memoryUsage().heapUsed / 2 ** 20);
process.stdout.write(
  JSON.stringify({ requests, events: result.summary.events, wallMs: Math.round(wallMs), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), heapAfterGcMiB }) + '\n',
);
