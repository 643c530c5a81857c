/**
 * How cost grows (docs/performance.md): the generated mesh with one dimension varied at a time —
 * services (5 pods each), pods, request rate, simulated duration. Per row: parse + validation
 * of the YAML (loadMs), control-plane compile of every sidecar's tables (compileMs, median of 3),
 * and the traffic itself measured as a marginal cost: the same scenario run for T and for 8T
 * simulated seconds (median of 3 each), (ms(8T) − ms(T)) / (requests(8T) − requests(T)) = µs per request, and
 * ms(T) − that × requests(T) = the fixed cost of a run (building pods, sidecars, first push).
 * Marginal costs cancel the fixed part. Every time here is CPU time of the process (cpuMs), and
 * loadMs too, because wall time on a shared machine measures the neighbours.
 */
import type { ResolvedScenario } from '../../sim/config/types.ts';
import { ControlPlane } from '../../sim/control-plane/control-plane.ts';
import { Registry } from '../../sim/control-plane/registry.ts';
import { runScenario } from '../../sim/run.ts';
import { DEFAULT_SHAPE, type MeshShape } from './generate-mesh.ts';
import { loadMesh, median } from './mesh-bench.ts';

/** The long run is this many times the short one. */
const LONG_FACTOR = 8;

export interface ScalingRow {
  vary: string;
  services: number;
  pods: number;
  ratePerSec: number;
  durationSec: number;
  requests: number;
  eventsPerRequest: number;
  loadMs: number;
  compileMs: number;
  runMs: number;
  fixedMs: number;
  usPerRequest: number;
  usPerEvent: number;
}

function withDuration(s: ResolvedScenario, durationUs: number): ResolvedScenario {
  return { ...s, durationUs, traffic: s.traffic.map((t) => ({ ...t, stopUs: durationUs })) };
}

/**
 * CPU milliseconds of this process (user + system), not wall time: on a shared 2-core machine
 * the wall time of one run depends on what else runs; the CPU it needed much less so.
 */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function timedRun(s: ResolvedScenario): { ms: number; requests: number; events: number } {
  const t0 = cpuMs();
  const r = runScenario(s);
  const ms = cpuMs() - t0;
  return { ms, requests: r.summary.clients.reduce((a, c) => a + c.requests, 0), events: r.summary.events };
}

/** Three runs; the counts are the same each time (same seed), the CPU time is the median. */
function medianRun(s: ResolvedScenario): { ms: number; requests: number; events: number } {
  const runs = [timedRun(s), timedRun(s), timedRun(s)];
  return { ...runs[0], ms: median(runs.map((r) => r.ms)) };
}

function compileMs(s: ResolvedScenario): number {
  const t0 = cpuMs();
  const registry = new Registry(s.resources);
  const cp = new ControlPlane({ registry, profile: s.profile, resources: s.resources }, 1);
  for (const pod of registry.pods) if (pod.hasSidecar) cp.configFor(pod);
  return cpuMs() - t0;
}

export function scalingBench(log: (t: string) => void): ScalingRow[] {
  const base: MeshShape = { ...DEFAULT_SHAPE, services: 100, pods: 500, ratePerSec: 500, durationSec: 2 };
  const shapes: [string, MeshShape][] = [
    ...[25, 50, 100, 200].map((n) => ['services', { ...base, services: n, pods: 5 * n }] as [string, MeshShape]),
    ...[250, 1000, 2000].map((p) => ['pods', { ...base, pods: p }] as [string, MeshShape]),
    ...[250, 1000, 2000].map((r) => ['rate', { ...base, ratePerSec: r }] as [string, MeshShape]),
    ...[1, 8].map((d) => ['duration', { ...base, durationSec: d }] as [string, MeshShape]),
  ];
  timedRun(loadMesh({ ...base, services: 20, pods: 100 }).scenario); // warm-up (JIT), not reported
  const rows: ScalingRow[] = [];
  for (const [vary, shape] of shapes) {
    log(`scaling: ${vary} — ${shape.services} services, ${shape.pods} pods, ${shape.ratePerSec}/s, ${shape.durationSec}s`);
    const l0 = cpuMs();
    const { scenario } = loadMesh(shape);
    const loadMs = cpuMs() - l0;
    const compile = median([0, 1, 2].map(() => compileMs(scenario)));
    const shortUs = shape.durationSec * 1e6;
    const short = medianRun(withDuration(scenario, shortUs));
    const long = medianRun(withDuration(scenario, LONG_FACTOR * shortUs));
    const usPerRequest = ((long.ms - short.ms) * 1000) / Math.max(1, long.requests - short.requests);
    const usPerEvent = ((long.ms - short.ms) * 1000) / Math.max(1, long.events - short.events);
    rows.push({
      vary,
      services: shape.services,
      pods: new Registry(scenario.resources).pods.length,
      ratePerSec: shape.ratePerSec,
      durationSec: shape.durationSec,
      requests: short.requests,
      eventsPerRequest: Math.round(short.events / Math.max(1, short.requests)),
      loadMs: Math.round(loadMs),
      compileMs: Math.round(compile),
      runMs: Math.round(short.ms),
      fixedMs: Math.max(0, Math.round(short.ms - (usPerRequest * short.requests) / 1000)),
      usPerRequest: Math.round(usPerRequest),
      usPerEvent: Number(usPerEvent.toFixed(2)),
    });
  }
  return rows;
}
