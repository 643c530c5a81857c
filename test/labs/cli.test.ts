/**
 * `meshsim lab …` behaviour a learner relies on: start never clobbers edits without --force,
 * reset asks or needs --yes (and refuses when nobody can answer), solve shows a diff without
 * applying it, and progress is a plain JSON record that advances step by step.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { labCheck, labHint, labList, labReset, labSolve, labStart, type LabEnv } from '../../sim/cli/lab-command.ts';
import { advance, initialProgress, parseProgress } from '../../sim/index.ts';
import { meshsim } from '../helpers/cli.ts';

const LABS = join(import.meta.dirname, '..', '..', 'labs');
let ws: string;
let out: string;
let err: string;

function env(interactive = false, answer = 'n'): LabEnv {
  return { labsDir: LABS, workspaceRoot: ws, out: (s) => (out += s), err: (s) => (err += s), interactive, ask: async () => answer };
}

beforeEach(() => {
  ws = mkdtempSync(join(tmpdir(), 'meshsim-labs-'));
  out = '';
  err = '';
});
afterEach(() => rmSync(ws, { recursive: true, force: true }));

const file = (): string => join(ws, '04-traffic-shifting', 'virtual-service-reviews.yaml');
const solution = (k: number): string => readFileSync(join(LABS, '04-traffic-shifting', 'solution', k === 3 ? '' : `step-${k}`, 'virtual-service-reviews.yaml'), 'utf8');
const progress = (): unknown => JSON.parse(readFileSync(join(ws, '04-traffic-shifting', 'progress.json'), 'utf8'));

describe('meshsim lab', () => {
  it('start copies the starting files and prints step 1; a second start keeps edits unless --force', () => {
    expect(labStart(env(), '04', false)).toBe(0);
    expect(out).toContain('Step 1 of 3');
    expect(readFileSync(file(), 'utf8')).toBe(readFileSync(join(LABS, '04-traffic-shifting', 'start', 'virtual-service-reviews.yaml'), 'utf8'));
    writeFileSync(file(), '# my edits\n');
    labStart(env(), '04', false);
    expect(readFileSync(file(), 'utf8')).toBe('# my edits\n');
    expect(out).toMatch(/Kept your edited .*--force/);
    labStart(env(), '04', true);
    expect(readFileSync(file(), 'utf8')).not.toBe('# my edits\n');
  });

  it("check prints istiod's warnings about the learner's files next to the verdicts (IST0101 for a misspelled Gateway)", () => {
    labStart(env(), '12', false);
    const f = join(ws, '12-ingress-gateway', 'httpbin-gateway.yaml');
    writeFileSync(f, readFileSync(f, 'utf8').replace('  # TODO: bind this VirtualService to the Gateway', '  gateways: [httpbin-gatway]'));
    out = '';
    expect(labCheck(env(), '12', undefined)).toBe(1);
    expect(out).toMatch(/httpbin-gateway\.yaml:\d+:\d+: warning IST0101 \(VirtualService default\/httpbin\): Referenced gateway not found: "default\/httpbin-gatway"/);
  });

  it('progress advances step by step and persists as a plain record (no ids, no timestamps)', () => {
    labStart(env(), 'traffic-shifting', false);
    expect(progress()).toEqual({ lab: '04-traffic-shifting', state: 'active', step: 1, steps: 3 });
    expect(labCheck(env(), '04', undefined)).toBe(1);
    expect(out).toContain('FAIL  step 1');
    expect(out).toContain('hint:');
    writeFileSync(file(), solution(1));
    expect(labCheck(env(), '04', undefined)).toBe(0);
    expect(out).toContain('Step 2 of 3');
    expect(progress()).toEqual({ lab: '04-traffic-shifting', state: 'active', step: 2, steps: 3 });
    // Checking another step with --step does not move progress.
    expect(labCheck(env(), '04', '1')).toBe(0);
    expect((progress() as { step: number }).step).toBe(2);
    writeFileSync(file(), solution(2));
    labCheck(env(), '04', undefined);
    writeFileSync(file(), solution(3));
    labCheck(env(), '04', undefined);
    expect(progress()).toEqual({ lab: '04-traffic-shifting', state: 'passed', step: 3, steps: 3 });
    out = '';
    labList(env());
    expect(out).toMatch(/04-traffic-shifting .* passed \(3\/3\)/);
    expect(out).toMatch(/01-meet-the-mesh .* not started/);
  });

  it('solve shows a diff and applies it only with --apply', () => {
    labStart(env(), '02', false);
    const mine = join(ws, '02-request-routing', 'virtual-service-reviews.yaml');
    const before = readFileSync(mine, 'utf8');
    labSolve(env(), '02', false);
    expect(out).toContain('+        subset: v1');
    expect(readFileSync(mine, 'utf8')).toBe(before);
    labSolve(env(), '02', true);
    expect(labCheck(env(), '02', undefined)).toBe(0);
  });

  it('hint explains the failing step', () => {
    labStart(env(), '03', false);
    out = '';
    expect(labHint(env(), '03')).toBe(0);
    expect(out).toMatch(/hint: jason still lands on v1/);
  });

  it('reset refuses without --yes when nobody can answer, asks when someone can, resets with --yes', async () => {
    labStart(env(), '02', false);
    const mine = join(ws, '02-request-routing', 'virtual-service-reviews.yaml');
    writeFileSync(mine, '# edits\n');
    expect(await labReset(env(false), '02', false)).toBe(2);
    expect(err).toMatch(/--yes/);
    expect(await labReset(env(true, 'n'), '02', false)).toBe(0);
    expect(readFileSync(mine, 'utf8')).toBe('# edits\n');
    expect(await labReset(env(true, 'y'), '02', false)).toBe(0);
    expect(readFileSync(mine, 'utf8')).not.toBe('# edits\n');
    writeFileSync(mine, '# edits\n');
    expect(await labReset(env(false), '02', true)).toBe(0);
    expect(readFileSync(mine, 'utf8')).not.toBe('# edits\n');
  });

  it('check before start and an unknown lab are usage errors, not stack traces (real CLI)', () => {
    const r = meshsim(['lab', '--workspace', ws, 'check', '02']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('npx meshsim lab start 02-request-routing');
    const u = meshsim(['lab', '--workspace', ws, 'start', '99']);
    expect(u.code).toBe(2);
    expect(u.stderr).toMatch(/no lab '99'; labs: 01-meet-the-mesh/);
    expect(u.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('lab progress machine', () => {
  it('locked → active step 1 → … → passed; RESET returns to step 1; a malformed file restarts', () => {
    let p = initialProgress('x', 2);
    expect(p).toEqual({ lab: 'x', state: 'locked', step: 0, steps: 2 });
    p = advance(p, { type: 'START' });
    expect(p).toEqual({ lab: 'x', state: 'active', step: 1, steps: 2 });
    expect(advance(p, { type: 'STEP_PASSED', step: 2 })).toEqual(p);
    p = advance(p, { type: 'STEP_PASSED', step: 1 });
    p = advance(p, { type: 'STEP_PASSED', step: 2 });
    expect(p.state).toBe('passed');
    expect(advance(p, { type: 'RESET' })).toEqual({ lab: 'x', state: 'active', step: 1, steps: 2 });
    expect(parseProgress('{not json', 'x', 2)).toEqual({ lab: 'x', state: 'active', step: 1, steps: 2 });
    expect(parseProgress(JSON.stringify(p), 'x', 2)).toEqual(p);
  });
});
