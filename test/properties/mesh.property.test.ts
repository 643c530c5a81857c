/**
 * Properties over random valid meshes (DESIGN.md, Tests; issue 11 item 2): every generated mesh
 * runs without an exception and keeps the trace invariants; the same seed gives the same trace;
 * different seeds usually do not; and the mesh written as YAML loads cleanly and runs exactly like
 * the one built in code. A failure prints the shrunk scenario as YAML and the line to replay it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryFiles, parseScenarioText } from '../../sim/config/index.ts';
import type { ResolvedScenario } from '../../sim/config/types.ts';
import { runScenario } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import { checkInvariants } from '../helpers/invariants.ts';
import { SCENARIO_FILE, toResolved, toYaml } from './build-model.ts';
import { meshModelArb, type MeshModel } from './mesh-model.ts';
import { assertProperty, propertySettings } from './settings.ts';

const settings = propertySettings();

/** Throws with the violations spelled out (an assertion on an array would only print its length). */
function holds(violations: string[]): void {
  if (violations.length > 0) throw new Error(`invariants violated:\n  ${violations.join('\n  ')}`);
}

function run(s: ResolvedScenario) {
  const sink = new MemorySink();
  const result = runScenario(s, { sinks: [sink] });
  return { result, events: sink.events };
}

/** What a failing case prints: the scenario and its manifests, as a user would write them. */
function showModel(m: MeshModel): string {
  const y = toYaml(m);
  return [`# ${SCENARIO_FILE}`, y.scenario, ...Object.entries(y.files).map(([f, t]) => `# ${f}\n${t}`)].join('\n');
}

describe(`mesh properties (fast-check seed ${settings.seed}, ${settings.numRuns} runs; replay with MESHSIM_PROPERTY_SEED=${settings.seed})`, () => {
  // Cases that sent at least one request, and how many of those changed with the seed.
  const seeds = { withTraffic: 0, differed: 0 };

  it('random meshes run without exceptions or budget stops, keep the invariants, and replay identically from their seed', () => {
    const property = fc.property(meshModelArb, (m) => {
      const s = toResolved(m);
      const a = run(s);
      expect(a.result.budgetMessage).toBeNull();
      holds(checkInvariants(a.events, a.result.summary, s));
      const b = run(toResolved(m));
      expect(b.result.summary.traceHash).toBe(a.result.summary.traceHash);
      expect(b.result.summary).toEqual(a.result.summary);
      if (a.events.some((e) => e.kind === 'client.start')) {
        seeds.withTraffic++;
        if (run(toResolved(m, m.seed + 1)).result.summary.traceHash !== a.result.summary.traceHash) seeds.differed++;
      }
    });
    assertProperty(property, settings, showModel);
  });

  it('different seeds give different traces in at least 90% of the meshes that sent requests', () => {
    // Sidecar latencies are lognormal draws, so a different seed changes every request's timing;
    // only meshes that sent almost nothing could repeat. The bound leaves room for those.
    expect(seeds.withTraffic).toBeGreaterThan(settings.numRuns / 2);
    expect(seeds.differed / seeds.withTraffic).toBeGreaterThanOrEqual(0.9);
  });

  it('the same meshes written as YAML load without errors and run exactly like the ones built in code', () => {
    const property = fc.property(meshModelArb, (m) => {
      const y = toYaml(m);
      const parsed = parseScenarioText(y.scenario, SCENARIO_FILE, memoryFiles(y.files));
      const problems = parsed.diagnostics.filter((d) => d.level !== 'info');
      if (problems.length > 0) throw new Error(`loader diagnostics:\n  ${problems.map((d) => `${d.source?.line}:${d.source?.col} ${d.level} ${d.code} ${d.path ?? ''}: ${d.message}`).join('\n  ')}`);
      const loaded = parsed.scenario!;
      const fromYaml = run(loaded);
      holds(checkInvariants(fromYaml.events, fromYaml.result.summary, loaded));
      expect(fromYaml.result.summary.traceHash).toBe(run(toResolved(m)).result.summary.traceHash);
    });
    assertProperty(property, settings, showModel);
  });
});
