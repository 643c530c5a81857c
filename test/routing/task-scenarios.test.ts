/**
 * The istio.io traffic-management tasks as scenarios (istio-semantics.md §8.1, 8.2, 8.3, 8.5,
 * 8.7): each loads, runs and meets the expectations that encode the documented outcome — at its
 * own seed and at other seeds, since the bounds are statistical, not tuned to one seed.
 */
import { describe, expect, it } from 'vitest';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { loadScenario } from '../../sim/config/index.ts';
import { runScenario } from '../../sim/run.ts';

const TASKS = [
  ['request-routing.yaml', '§8.1 jason → reviews v2 only, others → v1 only'],
  ['fault-injection-delay.yaml', '§8.2 7s ratings delay for jason → reviews failure after ~6s (two 3s attempts)'],
  ['fault-injection-abort.yaml', '§8.2 ratings abort for jason → 500 FI, never reaches ratings'],
  ['traffic-shifting.yaml', '§8.3 v1 → 50/50 v1/v3 → 100% v3'],
  ['request-timeouts.yaml', '§8.5 0.5s reviews timeout with a 2s ratings delay → page after ~1s'],
  ['mirroring.yaml', '§8.7 copies reach v2, clients only get v1'],
] as const;

describe('istio.io task scenarios', () => {
  it.each(TASKS)('%s: %s', (file) => {
    for (const seed of [undefined, 2, 3]) {
      const s = loadScenario(`scenarios/${file}`, nodeFiles(), seed === undefined ? {} : { seed });
      const r = runScenario(s);
      expect(r.budgetMessage).toBeNull();
      expect(s.expectations.length).toBeGreaterThan(0);
      const failed = r.summary.expectations.filter((x) => !x.passed);
      expect(failed, `seed ${s.seed}`).toEqual([]);
      expect(r.summary.diagnostics.filter((d) => d.level !== 'info')).toEqual([]);
    }
  });
});
