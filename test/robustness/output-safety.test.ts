/**
 * Outputs never hurt the user's files (issue 11 items 3 and 5): `--trace` replaces only the file
 * it names and only after a complete run, never one of the run's inputs, never a file that merely
 * has the temporary name, and no temporary file outlives the run.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.ts';
import { runInProcess } from './in-process.ts';

const work = mkdtempSync(join(tmpdir(), 'meshsim-safety-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A folder with the base scenario and its platform, as a user's project would be. */
function project(): { dir: string; scenario: string; platform: string } {
  const dir = mkdtempSync(join(work, 'p-'));
  copyFileSync(join(ROOT, 'test/fixtures/hostile/platform.yaml'), join(dir, 'platform.yaml'));
  copyFileSync(join(ROOT, 'test/fixtures/hostile/base.yaml'), join(dir, 'base.yaml'));
  return { dir, scenario: join(dir, 'base.yaml'), platform: join(dir, 'platform.yaml') };
}

const USER_TEXT = 'my notes, not a trace\n';

describe('--trace writes where it was asked, only when the run completes, and nowhere else', () => {
  it('a run stopped by a budget leaves an existing file at the --trace path as it was', async () => {
    const p = project();
    const trace = join(p.dir, 'trace.jsonl');
    writeFileSync(trace, USER_TEXT);
    const r = await runInProcess(['run', p.scenario, '--trace', trace, '--max-events', '50']);
    expect(r.code).toBe(2);
    expect(readFileSync(trace, 'utf8')).toBe(USER_TEXT);
    expect(readdirSync(p.dir).sort()).toEqual(['base.yaml', 'platform.yaml', 'trace.jsonl']);
  });

  it('a complete run replaces the file at the --trace path (that is what was asked) and leaves nothing else', async () => {
    const p = project();
    const trace = join(p.dir, 'trace.jsonl');
    writeFileSync(trace, USER_TEXT);
    const r = await runInProcess(['run', p.scenario, '--trace', trace]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(readFileSync(trace, 'utf8').split('\n')[0]).kind).toBe('header');
    expect(readdirSync(p.dir).sort()).toEqual(['base.yaml', 'platform.yaml', 'trace.jsonl']);
  });

  it.each([
    ['the scenario file', 'scenario'],
    ['a manifest it reads', 'platform'],
  ] as const)('--trace naming %s is refused before anything runs', async (_what, key) => {
    const p = project();
    const before = readFileSync(p[key], 'utf8');
    const r = await runInProcess(['run', p.scenario, '--trace', p[key]]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--trace .* is one of this run's input files; refusing to overwrite it/);
    expect(readFileSync(p[key], 'utf8')).toBe(before);
    expect(readdirSync(p.dir).sort()).toEqual(['base.yaml', 'platform.yaml']);
  });

  it('--trace naming a directory, or a file in a folder that does not exist, is a usage error', async () => {
    const p = project();
    mkdirSync(join(p.dir, 'out'));
    const dir = await runInProcess(['run', p.scenario, '--trace', join(p.dir, 'out')]);
    expect(dir.code).toBe(2);
    expect(dir.stderr).toMatch(/--trace .*out is a directory; give a file name/);
    const missing = await runInProcess(['run', p.scenario, '--trace', join(p.dir, 'nope', 'trace.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--trace .*: the folder .*nope does not exist/);
    expect(missing.stderr).not.toMatch(/\n\s+at |internal error/);
  });

  it('--trace naming a pipe or device is refused: renaming over it would replace it, not write to it', async () => {
    // A FIFO of our own stands in for /dev/stdout: never point a test at a real device as root.
    const p = project();
    const fifo = join(p.dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const r = await runInProcess(['run', p.scenario, '--trace', fifo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--trace .*pipe is not a regular file \(a device or a pipe\)/);
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it('every atomic writer refuses a pipe too (schema --out, not only run --trace)', async () => {
    const p = project();
    const fifo = join(p.dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const r = await runInProcess(['schema', '--out', fifo]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot write .*pipe: it is not a regular file/);
    expect(statSync(fifo).isFIFO()).toBe(true);
  });

  it("a user's file that happens to have the temporary file's name is never opened", async () => {
    const p = project();
    const trace = join(p.dir, 'trace.jsonl');
    const lookalike = join(p.dir, `.trace.jsonl.${process.pid}.tmp`);
    writeFileSync(lookalike, USER_TEXT);
    const r = await runInProcess(['run', p.scenario, '--trace', trace]);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(lookalike, 'utf8')).toBe(USER_TEXT);
    expect(readdirSync(p.dir).sort()).toEqual(['.trace.jsonl.' + process.pid + '.tmp', 'base.yaml', 'platform.yaml', 'trace.jsonl']);
  });

  it('a temporary file left by a killed run (its process is gone) is cleaned up by the next run to that path', async () => {
    const p = project();
    const trace = join(p.dir, 'trace.jsonl');
    // No process has pid 2^22 + 1: Linux pids stop at 2^22 (PID_MAX_LIMIT), other systems lower.
    const stale = join(p.dir, `.trace.jsonl.${2 ** 22 + 1}.tmp`);
    writeFileSync(stale, '{"kind":"header"}\n');
    const r = await runInProcess(['run', p.scenario, '--trace', trace]);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(p.dir).sort()).toEqual(['base.yaml', 'platform.yaml', 'trace.jsonl']);
  });
});
