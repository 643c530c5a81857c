/**
 * viz/src/model.ts with the same workload names in several namespaces (mtls-migration: sleep and
 * httpbin in foo, bar and legacy): each summary edge lands on the nodes of its own namespaces.
 */
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { loadScenario, runScenario } from '../../sim/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { buildGraph, workloadId } from '../../viz/src/model.ts';
import { clientsOf, servicesOf, workloadsOf } from '../../viz/src/scenario-info.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

it('buildGraph(mtls-migration): every edge joins the workloads of its own namespaces', () => {
  const s = loadScenario('scenarios/mtls-migration.yaml', nodeFiles({ cwd: repoRoot }));
  const summary = runScenario(s).summary;
  const model = buildGraph(summary, workloadsOf(s), clientsOf(s), servicesOf(s));
  const namespaced = summary.edges.filter((e) => e.sourceNamespace !== null && e.destination !== null && e.destinationNamespace !== null);
  expect(new Set(namespaced.map((e) => e.sourceNamespace)).size).toBeGreaterThan(1);
  summary.edges.forEach((e, i) => {
    if (!namespaced.includes(e)) return;
    expect(model.edgeIdOf[i]).toBe(`${workloadId(e.sourceNamespace!, e.source)}>${workloadId(e.destinationNamespace!, e.destination!)}`);
  });
});
