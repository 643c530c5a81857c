/**
 * `meshsim check <scenario.yaml>...`: run every scenario (over one or more seeds), print one line
 * per expectation and a final "N passed, M failed" line; on failure, the command that replays it.
 * Exit 0 when everything holds, 1 when an expectation (or --fail-under) fails, 2 when a scenario is
 * invalid input or a run hits a budget — invalid input wins, because its verdicts are missing.
 */
import { loadScenario } from '../config/index.ts';
import type { ResolvedScenario } from '../config/types.ts';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { InputError, formatDiagnostic, formatLocation } from '../domain/diagnostics.ts';
import { CoverageFold, virtualServiceRules, type CoverageReport } from '../expect/coverage.ts';
import { ExpectationsFold, clientSources, type VerdictReport } from '../expect/expectations.ts';
import { runScenario } from '../run.ts';
import type { TraceSink } from '../trace/sink.ts';
import { MESHSIM_VERSION } from '../version.ts';
import { formatCoverage } from './coverage-format.ts';
import { UsageError } from './errors.ts';
import { junitXml, type JUnitCase, type JUnitSuite } from './junit.ts';
import { nodeFiles } from './node-files.ts';
import { writeFileAtomic } from './output.ts';

export const CHECK_FORMAT = 1;

export interface CheckArgs {
  scenarios: string[];
  junit?: string;
  json: boolean;
  /** Run each scenario over this many seeds, from its own seed on. */
  seeds?: string;
  coverage: boolean;
  /** Fail when route coverage is under this percentage (implies coverage). */
  failUnder?: string;
}

export interface CheckOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

type RunStatus = 'passed' | 'failed' | 'invalid' | 'stopped';

interface RunOutcome {
  file: string;
  name: string;
  seed: number | null;
  status: RunStatus;
  reports: VerdictReport[];
  diagnostics: Diagnostic[];
  /** Why a run stopped early (a budget). */
  message: string | null;
  replay: string | null;
  traceHash: string | null;
  timeSeconds: number;
  timestamp: string;
}

interface CoverageOutcome {
  file: string;
  report: CoverageReport;
  /** Whether it met --fail-under (true without the flag). */
  passed: boolean;
}

function parseSeeds(text: string | undefined): number {
  if (text === undefined) return 1;
  if (!/^\d+$/.test(text) || Number(text) < 1 || !Number.isSafeInteger(Number(text))) throw new UsageError(`--seeds expects a whole number >= 1, got "${text}"`);
  return Number(text);
}

function parseFailUnder(text: string | undefined): number | null {
  if (text === undefined) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*%?\s*$/.exec(text);
  if (!m || Number(m[1]) > 100) throw new UsageError(`--fail-under expects a percentage between 0 and 100, e.g. 80, got "${text}"`);
  return Number(m[1]);
}

export function replayCommand(file: string, seed: number): string {
  return `npx meshsim run ${file} --seed ${seed}`;
}

function runOnce(file: string, scenario: ResolvedScenario, seed: number, coverage: CoverageFold | null): RunOutcome {
  const s: ResolvedScenario = { ...scenario, seed };
  // The check's own fold gives reports with the numbers behind each verdict; the run is given no
  // expectations so they are not folded twice.
  const fold = new ExpectationsFold(s.expectations, clientSources(s.traffic));
  const sinks: TraceSink[] = [fold];
  if (coverage) sinks.push(coverage);
  const timestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const started = performance.now();
  const result = runScenario({ ...s, expectations: [] }, { sinks, detail: coverage !== null });
  const timeSeconds = (performance.now() - started) / 1000;
  const reports = fold.reports();
  const base = { file, name: s.name, seed, reports, diagnostics: s.diagnostics, replay: replayCommand(file, seed), traceHash: result.summary.traceHash, timeSeconds, timestamp };
  if (result.budgetMessage) return { ...base, status: 'stopped', message: result.budgetMessage };
  return { ...base, status: reports.every((r) => r.passed) ? 'passed' : 'failed', message: null };
}

function invalidOutcome(file: string, diagnostics: Diagnostic[]): RunOutcome {
  return { file, name: '', seed: null, status: 'invalid', reports: [], diagnostics, message: null, replay: null, traceHash: null, timeSeconds: 0, timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

function textOf(o: RunOutcome): string[] {
  const lines = [`${o.file} seed ${o.seed}${o.status === 'stopped' ? ' (stopped)' : ''}`];
  for (const r of o.reports) lines.push(`  ${r.passed ? 'PASS' : 'FAIL'}  ${r.name}: ${r.detail}`);
  if (o.reports.length === 0) lines.push('  (no expectations)');
  if (o.message) lines.push(`  ERROR run stopped: ${o.message}`);
  if (o.status !== 'passed' && o.replay) lines.push(`  replay: ${o.replay}`);
  return lines;
}

/** With several seeds: how each expectation fared across them. */
function acrossSeeds(outcomes: readonly RunOutcome[]): string[] {
  const ran = outcomes.filter((o) => o.status !== 'invalid');
  if (ran.length < 2) return [];
  const names = ran[0].reports.map((r) => r.name);
  return names.map((name) => {
    const failed = ran.filter((o) => o.reports.find((r) => r.name === name)?.passed === false).map((o) => o.seed);
    const list = failed.length > 0 ? ` (failed at seed${failed.length === 1 ? '' : 's'} ${failed.slice(0, 10).join(', ')}${failed.length > 10 ? ', …' : ''})` : '';
    return `  ${name}: ${ran.length - failed.length} of ${ran.length} seeds passed${list}`;
  });
}

function failureText(o: RunOutcome, r: VerdictReport): string {
  return [`${r.name}: ${r.detail}`, `replay: ${o.replay}`, r.source ? `at ${formatLocation(r.source)}` : ''].filter((l) => l !== '').join('\n');
}

function classname(o: RunOutcome, manySeeds: boolean): string {
  const base = o.name || o.file;
  return manySeeds && o.seed !== null ? `${base}.seed${o.seed}` : base;
}

function junitSuites(outcomes: readonly RunOutcome[], coverage: readonly CoverageOutcome[], manySeeds: boolean, failUnder: number | null): JUnitSuite[] {
  const suites: JUnitSuite[] = outcomes.map((o) => {
    const cls = classname(o, manySeeds);
    const cases: JUnitCase[] = o.reports.map((r) => ({
      name: r.name,
      classname: cls,
      file: o.file,
      line: r.source?.line,
      failure: r.passed ? undefined : { message: r.detail, type: 'ExpectationFailed', text: failureText(o, r) },
    }));
    if (o.status === 'invalid') {
      const text = o.diagnostics.map(formatDiagnostic).join('\n');
      cases.push({ name: 'load scenario', classname: cls, file: o.file, error: { message: 'invalid input: the scenario could not be loaded', type: 'InvalidInput', text } });
    }
    if (o.status === 'stopped') cases.push({ name: 'run', classname: cls, file: o.file, error: { message: o.message ?? 'run stopped', type: 'BudgetExceeded', text: `${o.message}\nreplay: ${o.replay}` } });
    const properties: [string, string][] = [['meshsim.version', MESHSIM_VERSION]];
    if (o.seed !== null) properties.push(['seed', String(o.seed)]);
    if (o.traceHash) properties.push(['traceHash', o.traceHash]);
    if (o.replay) properties.push(['replay', o.replay]);
    return {
      name: o.seed === null ? o.file : `${o.file} (seed ${o.seed})`,
      timeSeconds: o.timeSeconds,
      timestamp: o.timestamp,
      properties,
      cases,
      systemOut: textOf(o).join('\n'),
      systemErr: o.diagnostics.map(formatDiagnostic).join('\n'),
    };
  });
  if (failUnder !== null) {
    for (const c of coverage) {
      const name = `route coverage >= ${failUnder} %`;
      suites.push({
        name: `${c.file} (coverage)`,
        timeSeconds: 0,
        timestamp: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
        properties: [['meshsim.version', MESHSIM_VERSION]],
        cases: [
          {
            name,
            classname: `${c.file}.coverage`,
            file: c.file,
            failure: c.passed ? undefined : { message: `coverage ${c.report.percent} % is under ${failUnder} %`, type: 'CoverageTooLow', text: formatCoverage(c.file, c.report) },
          },
        ],
        systemOut: formatCoverage(c.file, c.report),
        systemErr: '',
      });
    }
  }
  return suites;
}

function jsonOf(outcomes: readonly RunOutcome[], coverage: readonly CoverageOutcome[], counts: { passed: number; failed: number; invalid: number }): string {
  const runs = outcomes.map((o) => ({
    scenario: o.file,
    name: o.name,
    seed: o.seed,
    status: o.status,
    replay: o.replay,
    traceHash: o.traceHash,
    message: o.message,
    expectations: o.reports.map((r) => ({ ...r, source: r.source ? formatLocation(r.source) : null })),
    diagnostics: o.diagnostics.map((d) => ({ code: d.code, level: d.level, resource: d.resource, message: d.message, source: d.source ? formatLocation(d.source) : null })),
  }));
  return JSON.stringify({ format: CHECK_FORMAT, ...counts, runs, coverage: coverage.map((c) => ({ scenario: c.file, passed: c.passed, ...c.report })) }, null, 2) + '\n';
}

export function checkCommand(args: CheckArgs, io: CheckOutput = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) }): number {
  const seeds = parseSeeds(args.seeds);
  const failUnder = parseFailUnder(args.failUnder);
  const wantCoverage = args.coverage || failUnder !== null;
  if (args.scenarios.length === 0) throw new UsageError('check needs at least one scenario file');

  const outcomes: RunOutcome[] = [];
  const coverage: CoverageOutcome[] = [];
  const text: string[] = [];
  for (const file of args.scenarios) {
    let scenario: ResolvedScenario;
    try {
      scenario = loadScenario(file, nodeFiles());
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      io.err(`${e.diagnostics.map(formatDiagnostic).join('\n')}\n`);
      outcomes.push(invalidOutcome(file, e.diagnostics));
      text.push(`${file}`, '  ERROR invalid input (see the diagnostics above); no expectation was checked');
      continue;
    }
    const fold = wantCoverage ? new CoverageFold() : null;
    const mine: RunOutcome[] = [];
    for (let k = 0; k < seeds; k++) {
      const o = runOnce(file, scenario, scenario.seed + k, fold);
      mine.push(o);
      text.push(...textOf(o));
    }
    outcomes.push(...mine);
    text.push(...acrossSeeds(mine));
    if (fold) {
      const report = fold.report(virtualServiceRules(scenario));
      const passed = failUnder === null || report.percent >= failUnder;
      coverage.push({ file, report, passed });
      text.push(formatCoverage(file, report));
      if (!passed) text.push(`  FAIL  coverage ${report.percent} % is under --fail-under ${failUnder} %`);
    }
  }

  const all = outcomes.flatMap((o) => o.reports);
  const counts = {
    passed: all.filter((r) => r.passed).length,
    failed: all.filter((r) => !r.passed).length,
    invalid: outcomes.filter((o) => o.status === 'invalid').length,
  };
  if (args.junit) writeFileAtomic(args.junit, junitXml(junitSuites(outcomes, coverage, seeds > 1, failUnder)));
  if (args.json) io.out(jsonOf(outcomes, coverage, counts));
  else io.out(`${text.join('\n')}\n${counts.passed} passed, ${counts.failed} failed\n`);

  const stopped = outcomes.filter((o) => o.status === 'stopped').length;
  if (counts.invalid > 0) io.err(`meshsim: ${counts.invalid} scenario${counts.invalid === 1 ? '' : 's'} could not be checked (invalid input)\n`);
  if (stopped > 0) io.err(`meshsim: ${stopped} run${stopped === 1 ? '' : 's'} stopped by a budget before the scenario finished\n`);
  if (counts.invalid > 0 || stopped > 0) return 2;
  if (counts.failed > 0 || coverage.some((c) => !c.passed)) return 1;
  return 0;
}
