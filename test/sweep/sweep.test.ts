/**
 * `meshsim sweep` (issue #10): worker-thread runs equal sequential runs, shards partition the job
 * list, --param rewrites the scenario where the value sits, and bad input is exit 2 with a
 * located message.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadScenario } from '../../sim/config/index.ts';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { main } from '../../sim/cli/main.ts';
import { runScenario } from '../../sim/run.ts';
import { sweepCommand, type SweepIo } from '../../sim/cli/sweep-command.ts';
import { applyParams, buildJobs, parseParam, parseSeeds, shardJobs } from '../../sim/cli/sweep-jobs.ts';
import { loadVariant, type JobResult } from '../../sim/cli/sweep-worker.ts';

const SMALL = 'test/sweep/small.yaml';

function captureIo(): SweepIo & { text: { out: string; err: string } } {
  const text = { out: '', err: '' };
  return { text, out: (t) => (text.out += t), err: (t) => (text.err += t), errIsTty: false };
}

function tmpJson(): string {
  return join(mkdtempSync(join(tmpdir(), 'meshsim-sweep-')), 'out.json');
}

function runsOf(file: string): JobResult[] {
  return (JSON.parse(readFileSync(file, 'utf8')) as { runs: JobResult[] }).runs;
}

/** What `meshsim run SMALL --seed N` hashes: the loader's own seed override, one run at a time. */
function sequentialHash(seed: number): string {
  return runScenario(loadScenario(SMALL, nodeFiles(), { seed })).summary.traceHash;
}

afterEach(() => vi.restoreAllMocks());

describe('meshsim sweep', () => {
  it('10 seeds on 2 worker threads give the hashes of 10 sequential runs, in seed order', async () => {
    const json = tmpJson();
    const io = captureIo();
    const code = await sweepCommand({ scenario: SMALL, seeds: '1..10', params: [], workers: '2', threadsOnly: true, json }, io);
    expect(code).toBe(0);
    const runs = runsOf(json);
    expect(runs.map((r) => r.seed)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const expected = runs.map((r) => sequentialHash(r.seed));
    expect(runs.map((r) => r.traceHash)).toEqual(expected);
    // Different seeds really are different runs.
    expect(new Set(expected).size).toBe(10);
    expect(io.text.out).toContain('10 runs, 10 passed, 0 failed');
    expect(io.text.out).toMatch(/half on v3: 10\/10 passed; min \/ p50 \/ max: v1 [\d.]+ \/ [\d.]+ \/ [\d.]+/);
    // The default pool (this thread + a worker) and one thread give the same output, byte for byte.
    for (const workers of ['2', '0']) {
      const other = tmpJson();
      const io2 = captureIo();
      expect(await sweepCommand({ scenario: SMALL, seeds: '1..10', params: [], workers, json: other }, io2)).toBe(0);
      expect(readFileSync(other, 'utf8')).toBe(readFileSync(json, 'utf8'));
      expect(io2.text.out).toBe(io.text.out);
    }
  });

  it('shards 1/3, 2/3 and 3/3 partition the job list exactly (any length)', async () => {
    for (let n = 0; n <= 25; n++) {
      const jobs = buildJobs(Array.from({ length: n }, (_, i) => i + 1), []);
      for (const count of [1, 2, 3, 4, 7]) {
        const parts = Array.from({ length: count }, (_, i) => shardJobs(jobs, { index: i + 1, count }));
        expect(parts.flat()).toEqual(jobs);
        const sizes = parts.map((p) => p.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
    // Through the command: the shards' runs together are the whole sweep, each once, same hashes.
    const whole = tmpJson();
    expect(await sweepCommand({ scenario: SMALL, seeds: '1..4', params: ['spec.traffic[0].rate=20/s,40/s'], workers: '0', json: whole }, captureIo())).toBe(0);
    const shards: JobResult[] = [];
    for (const i of [1, 2, 3]) {
      const json = tmpJson();
      expect(await sweepCommand({ scenario: SMALL, seeds: '1..4', params: ['spec.traffic[0].rate=20/s,40/s'], workers: '0', shard: `${i}/3`, json }, captureIo())).toBe(0);
      shards.push(...runsOf(json));
    }
    expect(shards.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(shards).toEqual(runsOf(whole));
  });

  it('--param writes the value where it sits: traffic[0].rate=20/s halves the requests of 40/s', async () => {
    const text = readFileSync(SMALL, 'utf8');
    const changed = applyParams(text, SMALL, [{ path: 'spec.traffic[users].rate', value: '20/s' }]);
    // Only the value changed; every other line (and so every diagnostic position) is where it was.
    const before = text.split('\n');
    const after = changed.split('\n');
    expect(after.length).toBe(before.length);
    expect(after.filter((l, i) => l !== before[i])).toEqual(['    - {name: users, from: sleep, url: "http://productpage:9080/productpage", rate: "20/s"}']);
    const s = loadVariant(SMALL, [{ path: 'spec.traffic[0].rate', value: '20/s' }]);
    expect(s.traffic[0].load.kind === 'open' && s.traffic[0].load.ratePerSec).toBe(20);
    expect(loadVariant(SMALL, [{ path: 'spec.duration', value: '1s' }]).durationUs).toBe(1_000_000);

    const json = tmpJson();
    expect(await sweepCommand({ scenario: SMALL, seeds: '3', params: ['spec.traffic[0].rate=20/s,40/s'], workers: '0', json }, captureIo())).toBe(0);
    const [slow, fast] = runsOf(json);
    expect(slow.params).toBe('spec.traffic[0].rate=20/s');
    expect(fast.params).toBe('spec.traffic[0].rate=40/s');
    // 40/s for 2 s is seed 3's run of the scenario as written.
    expect(fast.traceHash).toBe(sequentialHash(3));
    // Poisson counts over 2 s: 40 ± 4σ (σ = √40 ≈ 6.3) and 80 ± 4σ (σ ≈ 8.9) never overlap.
    expect(slow.clients[0].requests).toBeGreaterThan(40 - 26);
    expect(slow.clients[0].requests).toBeLessThan(40 + 26);
    expect(fast.clients[0].requests).toBeGreaterThan(80 - 36);
    expect(fast.clients[0].requests).toBeLessThan(80 + 36);
  });

  it('bad paths, values and flags exit 2 with a message that says what and where', async () => {
    const cases: [string[], RegExp][] = [
      [['--param', 'spec.trafic[0].rate=1/s'], /--param spec\.trafic\[0\]\.rate: spec in test\/sweep\/small\.yaml has no key "trafic" \(keys: .*traffic/],
      [['--param', 'spec.traffic[4].rate=1/s'], /spec\.traffic in test\/sweep\/small\.yaml has 1 item, no index 4/],
      [["--param", "spec.traffic[nobody].rate=1/s"], /spec\.traffic in test\/sweep\/small\.yaml has 1 item, no item named "nobody"/],
      [['--param', 'spec.traffic[0].rate=abc'], /test\/sweep\/small\.yaml:\d+:\d+: error MSH0010 spec\.traffic\[0\]\.rate: "abc" is not a rate[\s\S]*with --param spec\.traffic\[0\]\.rate=abc; no run was started/],
      [['--param', 'nodots'], /--param expects path=value1,value2/],
      [['--param', 'spec.duration=1s,'], /empty value/],
      [['--seeds', '5..1'], /range "5\.\.1" ends before it starts/],
      [['--seeds', 'x'], /--seeds expects a range/],
      [['--shard', '4/3'], /--shard expects i\/n with 1 <= i <= n/],
      [['--workers', 'many'], /--workers expects a whole number/],
    ];
    for (const [flags, message] of cases) {
      let err = '';
      vi.spyOn(process.stderr, 'write').mockImplementation((t) => ((err += String(t)), true));
      vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
      const code = await main(['sweep', SMALL, '--workers', '0', ...flags]);
      vi.restoreAllMocks();
      expect({ flags, code }).toEqual({ flags, code: 2 });
      expect(err).toMatch(message);
      expect(err).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('seed lists: ranges and lists mix, each seed once', () => {
    expect(parseSeeds('1..3,7,9..10')).toEqual([1, 2, 3, 7, 9, 10]);
    expect(() => parseSeeds('1..3,2')).toThrow(/seed 2 is listed twice/);
    expect(parseParam('spec.workloads.reviews-v1.concurrency=4,8').values).toEqual(['4', '8']);
  });

  it('runs from a fresh process through bin/meshsim.js with worker threads (tsx registered in each worker)', () => {
    const json = tmpJson();
    const r = spawnSync(process.execPath, ['bin/meshsim.js', 'sweep', SMALL, '--seeds', '1,2', '--workers', '2', '--threads-only', '--json', json], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('2 runs, 2 passed, 0 failed');
    expect(runsOf(json).map((x) => x.traceHash)).toEqual([sequentialHash(1), sequentialHash(2)]);
  });
});
