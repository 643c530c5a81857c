/**
 * Every scenario in scenarios/ loads, runs at its own seed, satisfies the trace invariants and
 * meets its own expectations. A compact view of its summary is compared with test/golden/ so an
 * unintended behaviour change shows up as a reviewable diff (regenerate with `npx vitest -u`).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/config/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { runScenario } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import { checkInvariants } from '../helpers/invariants.ts';
import { ROOT } from '../helpers/cli.ts';

const scenarios = readdirSync(join(ROOT, 'scenarios'))
  .filter((f) => f.endsWith('.yaml'))
  .sort();

function goldenView(summary: ReturnType<typeof runScenario>['summary']): string {
  const lines = [`scenario ${summary.scenario} seed ${summary.seed} trace ${summary.traceHash} events ${summary.events}`];
  for (const c of summary.clients) lines.push(`client ${c.name} n=${c.requests} codes=${JSON.stringify(c.codes)} p50=${c.latencyMs.p50} p99=${c.latencyMs.p99}`);
  for (const e of summary.edges) lines.push(`edge ${e.source} -> ${e.destination ?? '-'} ${e.service} ${e.version ?? '-'} n=${e.requests} codes=${JSON.stringify(e.codes)} flags=${JSON.stringify(e.flags)}`);
  for (const r of summary.rules) lines.push(`rule ${r.virtualService}#${r.rule} ${r.name || '-'} hits=${r.hits}`);
  for (const x of summary.expectations) lines.push(`expect ${x.passed ? "PASS" : "FAIL"} ${x.name}`);
  return lines.join('\n') + '\n';
}

describe('scenarios/', () => {
  it('has scenarios', () => expect(scenarios.length).toBeGreaterThan(0));

  it.each(scenarios)('%s runs, keeps the invariants, meets its expectations and matches its golden view', async (file) => {
    const s = loadScenario(`scenarios/${file}`, nodeFiles({ cwd: ROOT }));
    const sink = new MemorySink();
    const result = runScenario(s, { sinks: [sink] });
    expect(result.budgetMessage).toBeNull();
    expect(checkInvariants(sink.events, result.summary, s)).toEqual([]);
    expect(result.summary.expectations.filter((e) => !e.passed)).toEqual([]);
    await expect(goldenView(result.summary)).toMatchFileSnapshot(join(ROOT, 'test', 'golden', file.replace(/\.yaml$/, '.txt')));
  });
});
