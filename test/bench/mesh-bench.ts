/**
 * Scale numbers on a generated mesh (generate-mesh.ts): how long istiod's work takes — compiling
 * every sidecar's tables, and recompiling after ONE VirtualService changed, incrementally (the
 * previous version given, as run.ts does) and from scratch — and how fast traffic runs through it.
 */
import { parseManifestText } from '../../sim/config/manifests.ts';
import { loadScenario } from '../../sim/config/index.ts';
import { resourceKey, type Resource, type ResolvedScenario } from '../../sim/config/types.ts';
import { ControlPlane } from '../../sim/control-plane/control-plane.ts';
import { Registry } from '../../sim/control-plane/registry.ts';
import { runScenario } from '../../sim/run.ts';
import { generateMesh, type MeshShape } from './generate-mesh.ts';

function timeMs<T>(fn: () => T): { ms: number; value: T } {
  const t0 = performance.now();
  const value = fn();
  return { ms: performance.now() - t0, value };
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Builds every sidecar's config (what run.ts does at each push). */
function compileAll(cp: ControlPlane, registry: Registry): number {
  let vhosts = 0;
  const seen = new Set<object>();
  for (const pod of registry.pods) {
    if (!pod.hasSidecar) continue;
    const cfg = cp.configFor(pod);
    if (seen.has(cfg)) continue;
    seen.add(cfg);
    for (const t of cfg.routes.values()) vhosts += t.vhosts.size;
  }
  return vhosts;
}

export function loadMesh(shape: MeshShape): { scenario: ResolvedScenario; loadMs: number; mesh: ReturnType<typeof generateMesh> } {
  const mesh = generateMesh(shape);
  const { ms, value } = timeMs(() => loadScenario(mesh.scenarioPath, mesh.files));
  return { scenario: value, loadMs: ms, mesh };
}

export function meshCompileBench(shape: MeshShape, reps: number) {
  const { scenario, loadMs, mesh } = loadMesh(shape);
  const registry = new Registry(scenario.resources);
  const ctx = { registry, profile: scenario.profile, resources: scenario.resources };
  const compile: number[] = [];
  let first: ControlPlane | null = null;
  let vhosts = 0;
  for (let i = 0; i < reps; i++) {
    const t = timeMs(() => {
      const cp = new ControlPlane(ctx, 1);
      vhosts = compileAll(cp, registry);
      return cp;
    });
    compile.push(t.ms);
    first = t.value;
  }
  // One VirtualService changes (the first service that has one): weights/timeouts move.
  const i = mesh.services.findIndex((s) => s.vs !== 'none');
  const changed = parseManifestText(mesh.changedVs(i), 'gen/changed.yaml', 1_000_000).resources;
  const keys = new Set(changed.map(resourceKey));
  const next: Resource[] = [...scenario.resources.filter((r) => !keys.has(resourceKey(r))), ...changed];
  const ctx2 = { registry, profile: scenario.profile, resources: next };
  const full: number[] = [];
  const incremental: number[] = [];
  let reused = 0;
  for (let k = 0; k < reps; k++) {
    full.push(timeMs(() => compileAll(new ControlPlane(ctx2, 2), registry)).ms);
    const inc = timeMs(() => {
      const cp = new ControlPlane(ctx2, 2, first!);
      compileAll(cp, registry);
      return cp;
    });
    incremental.push(inc.ms);
    reused = inc.value.reusedVhosts;
  }
  return {
    services: shape.services,
    pods: registry.pods.length,
    sidecars: registry.pods.filter((p) => p.hasSidecar).length,
    resources: scenario.resources.length,
    loadMs: Math.round(loadMs),
    // Least of the repetitions: the machine's neighbours only ever add time, and medians of these
    // 10–100 ms timings moved ±40 % between identical builds, so --compare cried wolf.
    compileMinMs: round1(Math.min(...compile)),
    vhostsPerVersion: vhosts,
    oneVsChange: {
      fullRecompileMinMs: round1(Math.min(...full)),
      incrementalRecompileMinMs: round1(Math.min(...incremental)),
      reusedVhosts: reused,
      recompiledVhosts: vhosts - reused,
    },
  };
}

/** CPU time of this process in ms: on a shared machine much steadier than wall time. */
function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/**
 * Traffic through the generated mesh: the scenario as generated (T seconds) and for 4T, after
 * one warm-up run, `reps` each (least CPU time, median wall time). The difference between the two is the steady
 * throughput (CPU time), without the fixed cost of building the mesh and compiling the first
 * push (reported apart as setupCpuMs).
 */
export function meshRunBench(shape: MeshShape, reps = 1) {
  const { scenario } = loadMesh(shape);
  const at = (durationUs: number) => {
    const s = { ...scenario, durationUs, traffic: scenario.traffic.map((t) => ({ ...t, stopUs: durationUs })) };
    const runs = Array.from({ length: reps }, () => {
      const c0 = cpuMs();
      const { ms, value } = timeMs(() => runScenario(s));
      return { ms, cpu: cpuMs() - c0, requests: value.summary.clients.reduce((a, c) => a + c.requests, 0), events: value.summary.events };
    });
    // The least CPU time of the repetitions: on a shared machine the neighbours only ever add to it,
    // and the steady figure below is a difference of two such times, which medians left ±40 % noisy.
    return { ...runs[0], ms: median(runs.map((r) => r.ms)), cpu: Math.min(...runs.map((r) => r.cpu)) };
  };
  at(scenario.durationUs); // warm-up (JIT)
  const short = at(scenario.durationUs);
  const long = at(4 * scenario.durationUs);
  const cpuPerRequestMs = (long.cpu - short.cpu) / Math.max(1, long.requests - short.requests);
  return {
    services: shape.services,
    ratePerSec: shape.ratePerSec,
    simulatedSec: 4 * shape.durationSec,
    requests: long.requests,
    events: long.events,
    wallMs: Math.round(long.ms),
    setupCpuMs: Math.max(0, Math.round(short.cpu - cpuPerRequestMs * short.requests)),
    steadyRequestsPerCpuSec: Math.round(1000 / cpuPerRequestMs),
    steadyEventsPerCpuSec: Math.round((long.events - short.events) / ((long.cpu - short.cpu) / 1000)),
  };
}
