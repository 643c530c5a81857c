/**
 * Retry storm (issue 11 acceptance): three layers each retrying 3× against a failing service.
 * The run finishes with the exact amplification (4 tries at the first layer, 16 at the second, 64 at
 * the failing service per client request) and keeps the invariants; a storm too large for memory
 * is stopped by the maxInFlight budget with a message that names it, instead of eating the machine.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../sim/config/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { runScenario } from '../../sim/run.ts';
import { MemorySink } from '../../sim/trace/sink.ts';
import { ROOT } from '../helpers/cli.ts';
import { checkInvariants } from '../helpers/invariants.ts';
import { runInProcess } from './in-process.ts';

const DIR = join(ROOT, 'test/robustness/retry-storm');
const work = mkdtempSync(join(tmpdir(), 'meshsim-storm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('retry storm: 3 layers × 3 retries against a failing service', () => {
  it('finishes with 4×, 16× and 64× amplification, every request failed with URX, invariants kept', () => {
    const s = loadScenario(join(DIR, 'retry-storm.yaml'), nodeFiles());
    const sink = new MemorySink();
    const { summary, budgetMessage } = runScenario(s, { sinks: [sink] });
    expect(budgetMessage).toBeNull();
    expect(checkInvariants(sink.events, summary, s)).toEqual([]);
    const n = summary.clients[0].requests;
    expect(n).toBe(50);
    expect(summary.clients[0].codes).toEqual({ '503': n });
    const edge = (source: string, service: string) => summary.edges.find((e) => e.source === source && e.service === service)!;
    // Each layer's last try gives up with URX ("upstream retry limit exceeded").
    for (const [source, service, factor] of [['sleep', 'a', 4], ['a', 'b', 16], ['b', 'c', 64]] as const) {
      expect(edge(source, service).requests, `${source} → ${service}`).toBe(factor * n);
      expect(edge(source, service).flags.URX, `${source} → ${service} URX`).toBe((factor / 4) * n);
    }
    expect(summary.expectations.every((e) => e.passed)).toBe(true);
  });

  it('the same storm at 5000 requests/s is stopped by maxInFlight with a message, not by running out of memory', async () => {
    for (const f of ['mesh.yaml', 'retries.yaml']) copyFileSync(join(DIR, f), join(work, f));
    const text = readFileSync(join(DIR, 'retry-storm.yaml'), 'utf8').replace('rate: 25/s, requests: 50', 'rate: 5000/s').replace(/\n {2}expect:[\s\S]*$/, '\n');
    writeFileSync(join(work, 'big-storm.yaml'), text);
    const r = await runInProcess(['run', join(work, 'big-storm.yaml'), '--duration', '60s', '--max-in-flight', '2000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/run stopped: budget maxInFlight \(2000\) exceeded.*A retry storm.*raise spec\.budgets\.maxInFlight \(CLI: --max-in-flight\)/);
  });
});
