/**
 * A sample of the hostile catalogue through the real `bin/meshsim.js` in child processes, as a
 * user meets it: proves that what the in-process suite sees is what the shell sees (exit status,
 * stderr, no stack trace, no file left behind). Runs concurrently: each spawn costs ~0.5 s.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';
import { generateCases } from './generated-cases.ts';
import { HOSTILE_CASES, type HostileCase } from './hostile-cases.ts';

const BIN = join(ROOT, 'bin', 'meshsim.js');

/** Runs the CLI without blocking the worker, so concurrent tests really overlap. */
export function meshsimAsync(args: string[], cwd = ROOT): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const work = mkdtempSync(join(tmpdir(), 'meshsim-hostile-bin-'));
const generated = generateCases(work, ROOT);
afterAll(() => rmSync(work, { recursive: true, force: true }));

// One case per family; the in-process suite runs them all.
const SAMPLE = ['alias-bomb.yaml', 'not-utf8.yaml', 'escape-relative.yaml', 'cycle-two.yaml', 'duration-infinite.yaml', 'replicas-huge.yaml'];
const cases: HostileCase[] = [
  ...HOSTILE_CASES.filter((c) => SAMPLE.some((s) => c.file.endsWith(`/${s}`))),
  ...generated.failing.filter((c) => /scenario file over 10 MiB|flow lists nested/.test(c.what)),
];

describe.concurrent('hostile input through the real bin/meshsim.js', () => {
  it('the sample covers the families', () => {
    expect(cases.length).toBe(8);
  });

  it.each(cases.map((c) => [c.what, c] as const))('%s', async (_what, c) => {
    const out = mkdtempSync(join(work, 'out-'));
    const trace = join(out, 'out.jsonl');
    const r = await meshsimAsync(['run', c.file, '--trace', trace]);
    expect(r.code, r.stderr).toBe(2);
    if (c.at !== null) expect(r.stderr.startsWith(`${c.at}: `), r.stderr).toBe(true);
    expect(r.stderr).toMatch(c.message);
    expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
    expect(existsSync(trace)).toBe(false);
    expect(readdirSync(out)).toEqual([]);
  });
});
