/**
 * Budgets (issue 11 item 4): every budget stops a runaway run, is reported by name with what to
 * change, can be set in spec.budgets and overridden by a flag, and leaves no trace file behind.
 * Defaults are generous: every scenario in scenarios/ runs inside them (all-scenarios.test.ts).
 */
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUDGETS } from '../../sim/config/index.ts';
import { DEFAULT_MAX_TRACE_BYTES } from '../../sim/config/limits.ts';
import { ROOT } from '../helpers/cli.ts';
import { runInProcess } from './in-process.ts';

const work = mkdtempSync(join(tmpdir(), 'meshsim-budgets-'));
copyFileSync(join(ROOT, 'test/fixtures/hostile/platform.yaml'), join(work, 'platform.yaml'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A scenario in the work folder: web takes `serviceTime` per request, traffic at `rate`. */
function scenario(name: string, opts: { budgets?: string; serviceTime?: string; rate?: string; duration?: string } = {}): string {
  const lines = [
    'apiVersion: meshsim.dev/v1alpha1',
    'kind: Scenario',
    `metadata: {name: ${name}}`,
    'spec:',
    `  duration: ${opts.duration ?? '1s'}`,
    '  manifests: [platform.yaml]',
    ...(opts.budgets ? [`  budgets: ${opts.budgets}`] : []),
    `  workloads: {web: {serviceTime: ${opts.serviceTime ?? '1ms'}}}`,
    '  traffic:',
    `    - {name: c, from: sleep, url: "http://web:8080/", rate: ${opts.rate ?? '50/s'}}`,
  ];
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

/** Runs with --trace into a fresh folder and checks that a stopped run wrote nothing there. */
async function stopped(args: string[]): Promise<string> {
  const out = mkdtempSync(join(work, 'out-'));
  const trace = join(out, 'trace.jsonl');
  const r = await runInProcess(['run', ...args, '--trace', trace]);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
  expect(existsSync(trace)).toBe(false);
  expect(readdirSync(out)).toEqual([]);
  return r.stderr;
}

describe('budgets: each stops the run, by name, with what to change, and leaves no trace file', () => {
  it('defaults are generous: 50M events, 1 h simulated, 1M requests in flight, 2 GiB of trace', () => {
    expect(DEFAULT_BUDGETS).toEqual({ maxEvents: 50_000_000, maxSimTimeUs: 3600 * 1e6, maxInFlight: 1_000_000 });
    expect(DEFAULT_MAX_TRACE_BYTES).toBe(2 * 1024 ** 3);
  });

  it('maxEvents from spec.budgets', async () => {
    const err = await stopped([scenario('events-spec', { budgets: '{maxEvents: 100}' })]);
    expect(err).toMatch(/run stopped: budget maxEvents \(100\) reached before the scenario finished.*raise spec\.budgets\.maxEvents \(CLI: --max-events\)/);
  });

  it('maxEvents: the flag overrides spec.budgets', async () => {
    const err = await stopped([scenario('events-flag', { budgets: '{maxEvents: 1000000}' }), '--max-events', '200']);
    expect(err).toMatch(/budget maxEvents \(200\) reached/);
  });

  it('maxSimTime from spec.budgets: requests still waiting on a slow service when it runs out', async () => {
    const err = await stopped([scenario('simtime-spec', { budgets: '{maxSimTime: 1500ms}', serviceTime: '5s' })]);
    expect(err).toMatch(/run stopped: budget maxSimTime \(1\.5s\) reached with work still pending.*raise spec\.budgets\.maxSimTime \(CLI: --max-sim-time\)/);
  });

  it('maxSimTime: the flag overrides spec.budgets', async () => {
    const err = await stopped([scenario('simtime-flag', { budgets: '{maxSimTime: 1h}' }), '--max-sim-time', '300ms']);
    expect(err).toMatch(/budget maxSimTime \(0\.3s\) reached/);
  });

  it('maxInFlight from spec.budgets: a slow service piles requests up', async () => {
    const err = await stopped([scenario('inflight-spec', { budgets: '{maxInFlight: 20}', serviceTime: '2s', rate: '100/s' })]);
    expect(err).toMatch(/run stopped: budget maxInFlight \(20\) exceeded.*raise spec\.budgets\.maxInFlight \(CLI: --max-in-flight\)/);
  });

  it('maxInFlight: the flag overrides spec.budgets', async () => {
    const err = await stopped([scenario('inflight-flag', { budgets: '{maxInFlight: 1000000}', serviceTime: '2s', rate: '100/s' }), '--max-in-flight', '7']);
    expect(err).toMatch(/budget maxInFlight \(7\) exceeded/);
  });

  it('maxTraceBytes from spec.budgets ("16KiB")', async () => {
    const err = await stopped([scenario('trace-spec', { budgets: '{maxTraceBytes: 16KiB}' })]);
    expect(err).toMatch(/run stopped: budget maxTraceBytes \(16384 bytes\) reached.*raise spec\.budgets\.maxTraceBytes \(CLI: --max-trace-bytes\)\. Nothing was written\./);
  });

  it('maxTraceBytes: the flag overrides spec.budgets', async () => {
    const err = await stopped([scenario('trace-flag', { budgets: '{maxTraceBytes: 1GiB}' }), '--max-trace-bytes', '10KB']);
    expect(err).toMatch(/budget maxTraceBytes \(10000 bytes\) reached/);
  });

  it('maxTraceBytes smaller than the trace header stops before the run starts', async () => {
    const err = await stopped([scenario('trace-tiny'), '--max-trace-bytes', '10']);
    expect(err).toMatch(/budget maxTraceBytes \(10 bytes\) reached/);
  });

  it('a run inside its budgets writes the whole trace', async () => {
    const out = mkdtempSync(join(work, 'out-'));
    const trace = join(out, 'trace.jsonl');
    const r = await runInProcess(['run', scenario('inside'), '--trace', trace, '--max-trace-bytes', '10MB', '--max-in-flight', '100', '--max-events', '100000', '--max-sim-time', '10s']);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(out)).toEqual(['trace.jsonl']);
  });

  it.each([
    [['--max-events', '0'], /--max-events expects a whole number > 0, got "0"/],
    [['--max-in-flight', '-3'], /--max-in-flight expects a whole number > 0, got "-3"/],
    [['--max-sim-time', '0s'], /--max-sim-time must be greater than 0/],
    [['--max-trace-bytes', 'lots'], /--max-trace-bytes: "lots" is not a size/],
  ])('a bad budget flag %j is a usage error (exit 2)', async (flags, message) => {
    const r = await runInProcess(['run', scenario('flags'), ...(flags as string[])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message as RegExp);
  });
});
