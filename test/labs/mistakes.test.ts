/**
 * A learner's typo gets a hint naming the file, the line and the fix — never a stack trace — and
 * a common routing mistake (a subset the DestinationRule lacks → NC) gets the hint written for it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeFiles } from '../../sim/cli/node-files.ts';
import { memoryFiles, type FileSource } from '../../sim/index.ts';
import { checkStep, parseLab, type LabDef } from '../../sim/index.ts';

const LABS = join(import.meta.dirname, '..', '..', 'labs');
const ID = '03-header-routing';
const DIR = join(LABS, ID);
const WS = '/ws';

function lab(): LabDef {
  const file = join(DIR, 'lab.yaml');
  return parseLab(readFileSync(file, 'utf8'), file).lab as LabDef;
}

/** Real lab files from disk, the learner's workspace from memory. */
function withWorkspace(files: Record<string, string>): FileSource {
  const disk = nodeFiles();
  const mem = memoryFiles(Object.fromEntries(Object.entries(files).map(([k, v]) => [`${WS}/${k}`, v])));
  return { read: (p) => (p.startsWith(`${WS}/`) ? mem.read(p) : disk.read(p)) };
}

const start = (f: string): string => readFileSync(join(DIR, 'start', f), 'utf8');
const solution = (f: string): string => readFileSync(join(DIR, 'solution', f), 'utf8');

function check(vs: string, dr: string) {
  return checkStep(lab(), 0, { labDir: DIR, workspace: WS }, withWorkspace({ 'virtual-service-reviews.yaml': vs, 'destination-rule-reviews.yaml': dr }));
}

describe('lab hints for common mistakes', () => {
  it('an unknown subset (NC): "subset v2 is not defined: add it to the DestinationRule first"', () => {
    const c = check(solution('virtual-service-reviews.yaml'), start('destination-rule-reviews.yaml'));
    expect(c.passed).toBe(false);
    expect(c.hints).toHaveLength(1);
    expect(c.hints[0]).toMatch(/subset v2 is not defined\. Add it to the DestinationRule first/);
  });

  it('wrong indentation: file, line and "indentation"', () => {
    const vs = solution('virtual-service-reviews.yaml').replace('    route:\n    - destination:\n        host: reviews\n        subset: v2', '    route:\n    - destination:\n        host: reviews\n       subset: v2');
    const c = check(vs, solution('destination-rule-reviews.yaml'));
    expect(c.passed).toBe(false);
    expect(c.run).toBeNull();
    expect(c.hints.join('\n')).toMatch(/\/ws\/virtual-service-reviews\.yaml:\d+:\d+: .*indentation/);
  });

  it('a misspelled field: file, line and the field it should be', () => {
    const vs = solution('virtual-service-reviews.yaml').replace('subset: v2', 'subst: v2');
    const c = check(vs, solution('destination-rule-reviews.yaml'));
    expect(c.passed).toBe(false);
    const line = vs.split('\n').findIndex((l) => l.includes('subst')) + 1;
    expect(c.hints.join('\n')).toContain(`/ws/virtual-service-reviews.yaml:${line}:`);
    expect(c.hints.join('\n')).toMatch(/did you mean 'subset'/);
  });

  it('a deleted file: says which one and how to get it back', () => {
    const c = checkStep(lab(), 0, { labDir: DIR, workspace: WS }, withWorkspace({ 'virtual-service-reviews.yaml': start('virtual-service-reviews.yaml') }));
    expect(c.passed).toBe(false);
    expect(c.hints.join('\n')).toMatch(/destination-rule-reviews\.yaml/);
    expect(c.hints.join('\n')).toMatch(/meshsim lab start <lab>. puts the starting file back/);
  });
});
