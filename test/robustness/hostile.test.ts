/**
 * The hostile and malformed input catalogue (issue 11 item 3), through `meshsim run` in process
 * (the same main() bin/meshsim.js calls; hostile-bin.test.ts runs a sample through the real bin).
 * Each case: exit code 2, the first error at its file:line:col with the expected message, no stack
 * trace, nothing on stdout, and no trace file (nor a temporary one) left where `--trace` pointed.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';
import { generateCases } from './generated-cases.ts';
import { HOSTILE_CASES, type HostileCase } from './hostile-cases.ts';
import { runInProcess } from './in-process.ts';

const work = mkdtempSync(join(tmpdir(), 'meshsim-hostile-'));
const generated = generateCases(work, ROOT);
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A fresh, empty output folder per case, so "nothing was left behind" is easy to check. */
function outputDir(): string {
  return mkdtempSync(join(work, 'out-'));
}

async function expectRefused(c: HostileCase): Promise<void> {
  const out = outputDir();
  const trace = join(out, 'out.jsonl');
  const r = await runInProcess(['run', c.file, '--trace', trace]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  // The first line names the place, then the level and code.
  const first = r.stderr.split('\n')[0];
  if (c.at === null) expect(first).toMatch(/^(warning|error) MSH\d{4}/);
  else expect(first.startsWith(`${c.at}: `), `expected the first line to start with ${c.at}:\n${r.stderr}`).toBe(true);
  expect(r.stderr).toMatch(c.message);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  expect(existsSync(trace)).toBe(false);
  expect(readdirSync(out)).toEqual([]);
}

describe('hostile input: every case exits 2 with the place and the problem, and writes nothing', () => {
  it('the catalogue has at least 40 cases', () => {
    expect(HOSTILE_CASES.length + generated.failing.length).toBeGreaterThanOrEqual(40);
  });

  it('the valid base scenario the fixtures vary runs (exit 0)', async () => {
    const r = await runInProcess(['run', 'test/fixtures/hostile/base.yaml', '--json']);
    expect(r.code, r.stderr).toBe(0);
  });

  it.each(HOSTILE_CASES.map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    await expectRefused(c);
  });

  it.each(generated.failing.map((c) => [c.what, c] as const))('generated: %s', async (_what, c) => {
    await expectRefused(c);
  });
});

describe('unusual but valid input keeps working', () => {
  it.each(generated.working.map((w) => [w.what, w.file] as const))('%s', async (_what, file) => {
    const r = await runInProcess(['run', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).clients[0].requests).toBeGreaterThan(0);
  });

  it('a kind meshsim does not know is a warning when nothing needs it, and the run goes on', async () => {
    const r = await runInProcess(['run', 'test/fixtures/hostile/unknown-kind-harmless.yaml', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout);
    expect(summary.diagnostics).toContainEqual(expect.objectContaining({ code: 'MSH0101', level: 'warning', source: 'test/fixtures/hostile/manifests/widget.yaml:2:1' }));
  });

  it('a scenario without traffic runs with a warning on stderr (exit 0)', async () => {
    const r = await runInProcess(['run', 'test/fixtures/hostile/no-traffic.yaml']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: the scenario has no traffic/);
  });
});
