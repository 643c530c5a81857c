/**
 * The CLI as users meet it: `npx meshsim run` through bin/meshsim.js in a child process.
 * Exit codes follow DESIGN.md: 0 expectations hold, 1 one failed, 2 invalid input.
 */
import { mkdtempSync, readFileSync, existsSync, writeFileSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { ROOT, meshsim } from '../helpers/cli.ts';

describe('meshsim run', () => {
  it('--json twice gives byte-identical output; --seed 2 changes traceHash', () => {
    const a = meshsim(['run', 'scenarios/bookinfo.yaml', '--json']);
    const b = meshsim(['run', 'scenarios/bookinfo.yaml', '--json']);
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
    const summary = JSON.parse(a.stdout);
    expect(summary.format).toBe(1);
    for (const key of ['format', 'scenario', 'seed', 'simulatedMs', 'events', 'traceHash', 'clients', 'edges', 'rules', 'expectations', 'diagnostics']) {
      expect(summary).toHaveProperty(key);
    }
    const c = meshsim(['run', 'scenarios/bookinfo.yaml', '--json', '--seed', '2']);
    expect(JSON.parse(c.stdout).traceHash).not.toBe(summary.traceHash);
    expect(JSON.parse(c.stdout).seed).toBe(2);
  });

  it('prints a readable table by default', () => {
    const r = meshsim(['run', 'scenarios/bookinfo.yaml', '--duration', '5s']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Clients/);
    expect(r.stdout).toMatch(/productpage-v1\s+reviews-v2\s+reviews/);
    expect(r.stderr).toBe('');
  });

  it('--trace writes JSON lines (header first) and the hash matches the summary run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshsim-'));
    const file = join(dir, 'trace.jsonl');
    const r = meshsim(['run', 'scenarios/bookinfo.yaml', '--duration', '2s', '--json', '--trace', file]);
    expect(r.code).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    expect(JSON.parse(lines[0]).kind).toBe('header');
    expect(lines.length - 1).toBeGreaterThan(100);
    expect(lines.slice(1).every((l) => typeof JSON.parse(l).timeUs === 'number')).toBe(true);
  });

  it('a failing expectation exits 1 and prints the replay command', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshsim-'));
    cpSync(join(ROOT, 'scenarios', 'bookinfo'), join(dir, 'bookinfo'), { recursive: true });
    const text = readFileSync(join(ROOT, 'scenarios', 'bookinfo.yaml'), 'utf8').replace('latency: {p99: "< 200ms"}', 'latency: {p99: "< 1ms"}');
    writeFileSync(join(dir, 'strict.yaml'), text);
    const r = meshsim(['run', 'strict.yaml', '--duration', '3s'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL {2}anonymous pages are fast/);
    expect(r.stderr).toMatch(/npx meshsim run strict\.yaml --seed 1 --duration 3s/);
  });

  it.each([
    [['run', 'scenarios/does-not-exist.yaml'], /does-not-exist\.yaml/],
    [['run', 'scenarios/bookinfo.yaml', '--seed', 'abc'], /--seed expects a whole number/],
    [['run', 'scenarios/bookinfo.yaml', '--duration', '-1s'], /negative/],
    [['run', 'scenarios/bookinfo.yaml', '--bogus'], /unknown option/],
  ])('invalid input %j exits 2 with a message and no stack trace', (args, message) => {
    const r = meshsim(args as string[]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('a budget stops a run with exit 2 and names the budget', () => {
    const r = meshsim(['run', 'scenarios/bookinfo.yaml', '--max-events', '1000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/budget maxEvents \(1000\)/);
  });

  it('--help works for every command', () => {
    for (const args of [['--help'], ['run', '--help']]) {
      const r = meshsim(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Usage: meshsim/);
    }
  });

  it('--trace output is not left half-written when the run is stopped by a budget', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshsim-'));
    const file = join(dir, 'trace.jsonl');
    const r = meshsim(['run', 'scenarios/bookinfo.yaml', '--trace', file, '--max-events', '500']);
    expect(r.code).toBe(2);
    expect(existsSync(file)).toBe(false);
  });
});
