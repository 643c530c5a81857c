/**
 * Peak memory of a long run with and without the exporters. Not a test (no memory assertions in
 * the suite): it measures and prints. Every variant runs in its own child process, so one
 * variant's heap never inflates another's peak; the peak is the kernel's high-water mark
 * (`process.resourceUsage().maxRSS`, the same number as VmHWM in /proc/self/status).
 *
 *   npx tsx test/telemetry/measure-export-memory.ts [--requests 1000000] [--scenario scenarios/bookinfo.yaml] [--variants none,all,jaeger,...]
 *
 * The scenario's duration is stretched so its traffic issues about `--requests` client requests.
 * Variants: `none` (no export), `all` (every exporter at once), or one ExportArgs key
 * (prometheus, jaeger, accessLog, fortio, graph, report). Output files go to a temporary folder
 * that is removed afterwards.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario, runScenario } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { Exports, type ExportArgs } from '../../sim/cli/export-flags.ts';

const FILES: Required<Omit<ExportArgs, 'prometheusStep'>> = { prometheus: 'm.prom', accessLog: 'a.log', fortio: 'f.json', graph: 'g.json', report: 'r.html', jaeger: 'j.json' };
const ALL = Object.keys(FILES) as (keyof typeof FILES)[];

function option(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}

/** Client requests per second of simulated time the scenario's traffic asks for (open loop only). */
function ratePerSec(s: ReturnType<typeof loadScenario>): number {
  let rate = 0;
  for (const t of s.traffic) {
    if (t.load.kind !== 'open') throw new Error(`${t.name}: the measurement stretches open-loop traffic only`);
    rate += t.load.ratePerSec;
  }
  return rate;
}

function child(scenarioPath: string, requests: number, variant: string, outDir: string): void {
  const s = loadScenario(scenarioPath, nodeFiles());
  const durationUs = Math.ceil((requests / ratePerSec(s)) * 1e6);
  // Stretched after loading: the loader caps durations at the default maxSimTime budget.
  const oldDurationUs = s.durationUs;
  s.durationUs = durationUs;
  for (const t of s.traffic) if (t.stopUs >= oldDurationUs) t.stopUs = durationUs;
  s.budgets.maxEvents = 1e10;
  s.budgets.maxSimTimeUs = durationUs + 600_000_000;
  s.budgets.maxInFlight = 1e9;
  const keys = variant === 'none' ? [] : variant === 'all' ? ALL : (variant.split(',') as (keyof typeof FILES)[]);
  const args: ExportArgs = Object.fromEntries(keys.map((k) => [k, join(outDir, FILES[k])]));
  const exports = keys.length === 0 ? null : new Exports(args, s, 'measure-export-memory');
  const t0 = performance.now();
  const result = runScenario(s, { sinks: exports ? exports.traceSinks : [] });
  exports?.commit(result);
  const seconds = (performance.now() - t0) / 1000;
  let bytes = 0;
  for (const f of readdirSync(outDir)) bytes += statSync(join(outDir, f)).size;
  process.stdout.write(
    JSON.stringify({
      variant,
      requests: result.summary.clients.reduce((n, c) => n + c.requests, 0),
      attempts: result.summary.edges.reduce((n, e) => n + e.requests, 0),
      seconds: Math.round(seconds * 10) / 10,
      outputMB: Math.round(bytes / 1e5) / 10,
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 102.4) / 10,
    }) + '\n',
  );
}

function parent(args: string[]): void {
  const self = fileURLToPath(import.meta.url);
  const tsx = resolve(self, '../../../node_modules/.bin/tsx');
  const requests = option(args, '--requests', '1000000');
  const scenario = option(args, '--scenario', 'scenarios/bookinfo.yaml');
  const variants = option(args, '--variants', ['none', 'all', ...ALL].join(',')).split(',');
  const rows: { variant: string; peakRssMB: number; [k: string]: unknown }[] = [];
  for (const variant of variants) {
    const outDir = mkdtempSync(join(tmpdir(), 'meshsim-mem-'));
    try {
      const r = spawnSync(tsx, [self, '--child', scenario, requests, variant, outDir], { encoding: 'utf8', maxBuffer: 1 << 24 });
      if (r.status !== 0) throw new Error(`variant ${variant} failed (exit ${r.status}):\n${r.stderr}`);
      const row = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
      rows.push(row);
      process.stderr.write(JSON.stringify(row) + '\n');
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }
  const base = rows.find((r) => r.variant === 'none');
  for (const r of rows) if (base) r.ratio = Math.round((r.peakRssMB / base.peakRssMB) * 100) / 100;
  process.stdout.write(JSON.stringify({ scenario, requests: Number(requests), node: process.version, rows }, null, 2) + '\n');
}

const argv = process.argv.slice(2);
if (argv[0] === '--child') child(argv[1], Number(argv[2]), argv[3], argv[4]);
else parent(argv);
