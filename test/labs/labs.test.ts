/**
 * Every lab under labs/ — found by listing the folder, so a new lab is covered without touching
 * this file: its starting files fail step 1 with a hint, each step's solution passes that step,
 * and every solution run satisfies the trace invariants. A lab can never silently rot.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { MemorySink } from '../../sim/index.ts';
import { checkStep, parseLab, type LabDef } from '../../sim/index.ts';
import { checkInvariants } from '../helpers/invariants.ts';

const LABS = join(import.meta.dirname, '..', '..', 'labs');
const ids = readdirSync(LABS)
  .filter((n) => /^\d\d-/.test(n))
  .sort();

function load(id: string): LabDef {
  const file = join(LABS, id, 'lab.yaml');
  const { lab, diagnostics } = parseLab(readFileSync(file, 'utf8'), file);
  expect(diagnostics.filter((d) => d.level === 'error')).toEqual([]);
  return lab as LabDef;
}

/** solution/step-k when the lab has per-step solutions, else solution/. */
function solutionDir(id: string, k: number): string {
  const perStep = join(LABS, id, 'solution', `step-${k}`);
  return existsSync(perStep) ? perStep : join(LABS, id, 'solution');
}

describe('labs', () => {
  it('the course has all fourteen labs, 01–14, in order', () => {
    expect(ids.map((i) => i.slice(0, 2))).toEqual(['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12', '13', '14']);
  });

  it("labs/README.md's table lists every lab folder, in course order", () => {
    const table = [...readFileSync(join(LABS, 'README.md'), 'utf8').matchAll(/^\| (\d\d-[a-z0-9-]+) \|/gm)].map((m) => m[1]);
    expect(table).toEqual(ids);
  });

  describe.each(ids)('%s', (id) => {
    const dir = join(LABS, id);

    it('has a README, a lab.yaml, starting files and a solution for every learner file', () => {
      const lab = load(id);
      expect(existsSync(join(dir, 'README.md'))).toBe(true);
      expect(lab.name).toBe(id);
      for (const f of lab.files) {
        expect(existsSync(join(dir, 'start', f)), `start/${f}`).toBe(true);
        lab.steps.forEach((_s, i) => expect(existsSync(join(solutionDir(id, i + 1), f)), `solution for step ${i + 1}: ${f}`).toBe(true));
      }
    });

    it('the starting files fail step 1 with a hint', () => {
      const lab = load(id);
      const c = checkStep(lab, 0, { labDir: dir, workspace: join(dir, 'start') }, nodeFiles());
      expect(c.diagnostics.filter((d) => d.level === 'error')).toEqual([]);
      expect(c.passed).toBe(false);
      expect(c.hints.length).toBeGreaterThan(0);
    });

    it('each step passes with its solution, and the run keeps the trace invariants', () => {
      const lab = load(id);
      lab.steps.forEach((_s, i) => {
        const sink = new MemorySink();
        const c = checkStep(lab, i, { labDir: dir, workspace: solutionDir(id, i + 1) }, nodeFiles(), { sinks: [sink] });
        expect(c.diagnostics.filter((d) => d.level === 'error'), `step ${i + 1}`).toEqual([]);
        expect(c.verdicts.filter((v) => !v.passed).map((v) => `${v.name}: ${v.detail}`), `step ${i + 1}`).toEqual([]);
        expect(c.passed).toBe(true);
        expect(checkInvariants(sink.events, c.run!.summary, c.scenario!), `step ${i + 1}`).toEqual([]);
      });
    });
  });
});
