/**
 * Pure helpers of the browser editor (viz/src/edit/): the worker's compiler-style diagnostic lines
 * back to positions, and the files a scenario names (its tabs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic, memoryFiles, parseScenarioText } from '../../sim/index.ts';
import { locatedProblems, parseDiagnosticLine } from '../../viz/src/edit/diagnostic-lines.ts';
import { scenarioFilePaths } from '../../viz/src/edit/scenario-files.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

describe('diagnostic lines → editor positions', () => {
  it('reads the lines formatDiagnostic writes for a real invalid scenario, at the line of the mistake', () => {
    const text = readFileSync(join(repoRoot, 'scenarios/bookinfo.yaml'), 'utf8');
    const line = text.split('\n').findIndex((l) => l.trim() === 'rate: 20/s') + 1;
    const broken = text.replace('rate: 20/s', 'rate: fast');
    const files = { 'scenarios/bookinfo.yaml': broken, 'scenarios/bookinfo/platform.yaml': readFileSync(join(repoRoot, 'scenarios/bookinfo/platform.yaml'), 'utf8') };
    const { diagnostics } = parseScenarioText(broken, 'scenarios/bookinfo.yaml', memoryFiles(files));
    const problems = locatedProblems(diagnostics.map(formatDiagnostic));
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ file: 'scenarios/bookinfo.yaml', line, severity: 'error' });
    expect(problems[0]!.message).toMatch(/^error /);
  });

  it('paths with colons and multi-line messages; lines without a position are left to the report', () => {
    expect(parseDiagnosticLine('a:b/c.yaml:3:7: warning IST0101 (VirtualService default/x): one\ntwo')).toEqual({ file: 'a:b/c.yaml', line: 3, col: 7, severity: 'warning', message: 'warning IST0101 (VirtualService default/x): one\ntwo' });
    expect(parseDiagnosticLine('error MSH0003: lab scenario cannot be read')).toBeNull();
    expect(parseDiagnosticLine('scenarios/x.yaml: file not found')).toBeNull();
  });
});

describe('files a scenario names', () => {
  it('manifests and timeline applies, relative to the scenario, normalised, once each', () => {
    const text = readFileSync(join(repoRoot, 'scenarios/canary-rollout.yaml'), 'utf8');
    const paths = scenarioFilePaths(text, 'scenarios/canary-rollout.yaml');
    expect(paths).toContain('scenarios/resilience/canary-vs-50-50.yaml');
    expect(paths).toContain('scenarios/resilience/canary-vs-0-100.yaml');
    expect(new Set(paths).size).toBe(paths.length);
    expect(scenarioFilePaths('spec:\n  manifests: [../a.yaml, ./b/c.yaml, ./b/c.yaml]\n  timeline:\n    - {at: 1s, apply: [d.yaml]}\n', 'labs/x/scenario.yaml')).toEqual(['labs/a.yaml', 'labs/x/b/c.yaml', 'labs/x/d.yaml']);
  });

  it('text that does not parse names no files', () => {
    expect(scenarioFilePaths('spec: [', 'x.yaml')).toEqual([]);
    expect(scenarioFilePaths('just text', 'x.yaml')).toEqual([]);
  });
});
