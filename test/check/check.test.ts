/**
 * `meshsim check` as CI uses it: one line per expectation, a final "N passed, M failed" line,
 * exit codes 0/1/2 (DESIGN.md), the replay command on failure, JUnit XML that a real XML parser
 * reads in the structure CI systems expect, JSON, several seeds, and route coverage.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCommand, type CheckArgs } from '../../sim/cli/check-command.ts';
import { meshsim } from '../helpers/cli.ts';
import { fixtureWorkspace } from './workspace.ts';

let dir: string;
let cwd: string;

beforeAll(() => {
  dir = fixtureWorkspace();
  cwd = process.cwd();
  // Scenario paths are relative to the working directory, as a user would type them.
  process.chdir(dir);
});
afterAll(() => {
  process.chdir(cwd);
  rmSync(dir, { recursive: true, force: true });
});

function check(args: Partial<CheckArgs> & { scenarios: string[] }): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = checkCommand({ json: false, coverage: false, ...args }, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

const lastLine = (text: string): string => text.trimEnd().split('\n').pop()!;

describe('meshsim check (the real CLI)', () => {
  it('exit 0 when every expectation holds; one PASS line each and the summary line last', () => {
    const r = meshsim(['check', 'shifted.yaml'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ {2}PASS {2}reviews follows the weights: v1: observed [\d.]+ % \(n=\d+\), expected 50 % ± [\d.]+ % at 99\.9 %/m);
    expect(r.stdout.match(/^ {2}PASS {2}/gm)).toHaveLength(5);
    expect(lastLine(r.stdout)).toBe('5 passed, 0 failed');
  });

  it('exit 1 when one fails: FAIL lines name observed value and bound, then the replay command', () => {
    const r = meshsim(['check', 'failing.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^ {2}FAIL {2}reviews all on v1: v1: observed [\d.]+ % \(n=\d+\), expected 100 % exactly ✗; v3: observed [\d.]+ % \(n=\d+\), expected 0 % ✗$/m);
    expect(r.stdout).toMatch(/^ {2}FAIL {2}impossibly fast pages: p50 observed [\d.]+ ms, expected < 0\.01 ms \(n=\d+\)$/m);
    expect(r.stdout).toMatch(/^ {2}FAIL {2}v3 never reached: reviews-v3 reached \d+ times \(first attempt started at [\d.]+ ms\), expected 0 ✗/m);
    expect(r.stdout).toContain('  replay: npx meshsim run failing.yaml --seed 3\n');
    expect(lastLine(r.stdout)).toBe('1 passed, 3 failed');
  });

  it('exit 2 when a scenario is invalid input, even next to failing ones; the others still run', () => {
    const r = meshsim(['check', 'invalid.yaml', 'failing.yaml'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("invalid.yaml:10:28: error MSH0020 spec.expect[0].client: client 'userz' names no traffic entry (did you mean 'users'?)");
    expect(r.stderr).toContain('1 scenario could not be checked (invalid input)');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    expect(lastLine(r.stdout)).toBe('1 passed, 3 failed');
  });

  it('the replayed run fails the same way (exit 1, same observed values)', () => {
    const replay = meshsim(['run', 'failing.yaml', '--seed', '3', '--json'], dir);
    expect(replay.code).toBe(1);
    const summary = JSON.parse(replay.stdout) as { expectations: { name: string; passed: boolean; detail: string }[] };
    const again = check({ scenarios: ['failing.yaml'] });
    for (const e of summary.expectations) expect(again.out).toContain(`${e.passed ? 'PASS' : 'FAIL'}  ${e.name}: ${e.detail}`);
  });
});

describe('the language end to end (YAML)', () => {
  it('eventually / always over buckets, fromConfig after a timeline change, proxy config by a time', () => {
    const r = check({ scenarios: ['over-time.yaml'] });
    const line = (name: string): string => r.out.split('\n').find((l) => l.includes(`  ${name}: `))!;
    expect(line('reviews settles on v3')).toMatch(/^ {2}PASS .*eventually: holds from 10s on \(4 of 6 buckets of 5s with data\)/);
    expect(line('reviews always on v1')).toMatch(/^ {2}FAIL .*always: fails in 4 of 6 buckets of 5s with data; first \[10s, 15s\): v1: observed 0 % \(n=\d+\), expected 100 % exactly ✗/);
    expect(line('after the change, the weights in force')).toMatch(/^ {2}PASS .*v3: observed 100 % .*weights from VirtualService default\/reviews rule 0$/);
    expect(line('pages stay fast in every bucket')).toMatch(/^ {2}PASS .*always: holds in all 6 buckets of 5s with data/);
    expect(line('every proxy has the change by 11s')).toMatch(/^ {2}PASS .*all 7 proxies ran the latest version \(2\) by 11s \(the last got it at 10s\)/);
    expect(r.code).toBe(1);
  });

  it('every scenario in scenarios/ passes its own expectations (exit 0)', () => {
    const r = meshsim(['check', ...readdirSync(join(cwd, 'scenarios')).filter((f) => f.endsWith('.yaml')).map((f) => join('scenarios', f))], cwd);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(lastLine(r.stdout)).toMatch(/^\d+ passed, 0 failed$/);
  });
});

describe('--junit', () => {
  it('writes JUnit XML: testsuites → testsuite per scenario run → testcase per expectation, failures and errors counted', () => {
    const file = join(dir, 'report.xml');
    const r = check({ scenarios: ['shifted.yaml', 'failing.yaml', 'invalid.yaml'], junit: file });
    expect(r.code).toBe(2);
    const xml = readFileSync(file, 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['testsuite', 'testcase', 'property'].includes(name) }).parse(xml);
    const root = doc.testsuites;
    expect(root['@tests']).toBe('10');
    expect(root['@failures']).toBe('3');
    expect(root['@errors']).toBe('1');
    const suites = root.testsuite as Record<string, unknown>[];
    expect(suites.map((s) => s['@name'])).toEqual(['shifted.yaml (seed 3)', 'failing.yaml (seed 3)', 'invalid.yaml']);
    for (const s of suites) {
      const cases = s.testcase as Record<string, unknown>[];
      expect(Number(s['@tests'])).toBe(cases.length);
      expect(Number(s['@failures'])).toBe(cases.filter((c) => c.failure !== undefined).length);
      expect(Number(s['@errors'])).toBe(cases.filter((c) => c.error !== undefined).length);
      expect(s['@time']).toMatch(/^\d+\.\d{3}$/);
      expect(s['@timestamp']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      for (const c of cases) {
        expect(typeof c['@name']).toBe('string');
        expect(typeof c['@classname']).toBe('string');
      }
    }
    type Case = { '@name': string; '@file': string; '@line': string; failure: Record<string, string>; error: Record<string, string> };
    const failing = (suites[1].testcase as Case[]).find((c) => c['@name'] === 'impossibly fast pages')!;
    expect(failing.failure['@message']).toMatch(/^p50 observed [\d.]+ ms, expected < 0\.01 ms/);
    expect(failing.failure['@type']).toBe('ExpectationFailed');
    expect(failing.failure['#text']).toContain('replay: npx meshsim run failing.yaml --seed 3');
    expect(failing['@file']).toBe('failing.yaml');
    expect(failing['@line']).toBe('26');
    const props = (suites[1].properties as { property: Record<string, string>[] }).property;
    expect(props.find((p) => p['@name'] === 'seed')?.['@value']).toBe('3');
    const invalid = (suites[2].testcase as Case[])[0];
    expect(invalid.error['@type']).toBe('InvalidInput');
    expect(invalid.error['#text']).toContain("client 'userz' names no traffic entry");
    // Written atomically: no temporary file is left beside it.
    expect(readdirSync(dir).filter((f) => f.startsWith('.report.xml'))).toEqual([]);
  });

  it('escapes what XML cannot carry verbatim (<, &, quotes) in messages', () => {
    const file = join(dir, 'escape.xml');
    check({ scenarios: ['failing.yaml'], junit: file });
    const xml = readFileSync(file, 'utf8');
    expect(xml).toContain('message="p50 observed');
    expect(xml).toContain('expected &lt; 0.01 ms');
    expect(XMLValidator.validate(xml)).toBe(true);
  });
});

describe('--json', () => {
  it('one document with counts and, per run, reports with the numbers behind each verdict', () => {
    const r = check({ scenarios: ['failing.yaml'], json: true });
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.out);
    expect(doc).toMatchObject({ format: 1, passed: 1, failed: 3, invalid: 0 });
    const run = doc.runs[0];
    expect(run).toMatchObject({ scenario: 'failing.yaml', name: 'failing', seed: 3, status: 'failed', replay: 'npx meshsim run failing.yaml --seed 3' });
    const never = run.expectations.find((e: { name: string }) => e.name === 'v3 never reached');
    expect(never).toMatchObject({ kind: 'neverReaches', passed: false, source: 'failing.yaml:29:7' });
    expect(never.observed['reviews-v3']).toBeGreaterThan(0);
    expect(never.codes).toMatchObject({ '200': expect.any(Number) });
  });
});

describe('--seeds', () => {
  it('runs each scenario over seeds s..s+N-1 with verdicts per seed and a tally per expectation', () => {
    const r = check({ scenarios: ['shifted.yaml'], seeds: '3' });
    expect(r.code).toBe(0);
    expect(r.out.match(/^shifted\.yaml seed \d+$/gm)).toEqual(['shifted.yaml seed 3', 'shifted.yaml seed 4', 'shifted.yaml seed 5']);
    expect(r.out).toContain('  reviews follows the weights: 3 of 3 seeds passed');
    expect(lastLine(r.out)).toBe('15 passed, 0 failed');
  });

  it('a failing seed prints its own replay command', () => {
    const r = check({ scenarios: ['failing.yaml'], seeds: '2' });
    expect(r.out).toContain('replay: npx meshsim run failing.yaml --seed 3');
    expect(r.out).toContain('replay: npx meshsim run failing.yaml --seed 4');
    expect(r.out).toContain('  impossibly fast pages: 0 of 2 seeds passed (failed at seeds 3, 4)');
  });

  it('rejects a bad --seeds value as a usage error', () => {
    expect(() => check({ scenarios: ['shifted.yaml'], seeds: '0' })).toThrow(/--seeds expects a whole number >= 1/);
  });
});

describe('--coverage and --fail-under', () => {
  it('lists rules with hits and marks the rule no request exercised (jason rule, no jason traffic)', () => {
    const r = check({ scenarios: ['coverage.yaml'], coverage: true });
    expect(r.code).toBe(0);
    expect(r.out).toContain('coverage coverage.yaml: 1 of 2 rules and match blocks exercised (50 %)');
    expect(r.out).toContain('  default/reviews#0: 0 hits ✗ not exercised');
    expect(r.out).toMatch(/ {2}default\/reviews#1: \d+ hits\n/);
  });

  it('--fail-under 80 fails (exit 1) at 50 %; --fail-under 50 passes', () => {
    const low = check({ scenarios: ['coverage.yaml'], failUnder: '80' });
    expect(low.code).toBe(1);
    expect(low.out).toContain('  FAIL  coverage 50 % is under --fail-under 80 %');
    expect(check({ scenarios: ['coverage.yaml'], failUnder: '50%' }).code).toBe(0);
  });

  it('--fail-under shows in JUnit as a coverage test case', () => {
    const file = join(dir, 'cov.xml');
    check({ scenarios: ['coverage.yaml'], failUnder: '80', junit: file });
    expect(existsSync(file)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@' }).parse(readFileSync(file, 'utf8'));
    const suites = doc.testsuites.testsuite as Record<string, Record<string, Record<string, string>>>[];
    expect(suites[1].testcase.failure['@message']).toBe('coverage 50 % is under 80 %');
  });
});
