/**
 * Checks one lab step: loads the lab scenario with the learner's files layered at t=0, resolves
 * the step's expectations, runs, and picks the hints whose `when` matches what was seen. Pure: the
 * caller supplies a FileSource (Node files, or the browser's in-memory editor buffers).
 */
import { resolveExpectationEntries } from '../config/expectations.ts';
import { joinPath } from '../config/file-source.ts';
import type { FileSource } from '../config/file-source.ts';
import { parseScenarioText } from '../config/scenario.ts';
import type { ResolvedScenario } from '../config/types.ts';
import type { Diagnostic } from '../domain/diagnostics.ts';
import { ExpectationsFold, clientSources, type VerdictReport } from '../expect/expectations.ts';
import { runScenario, type RunResult } from '../run.ts';
import type { TraceSink } from '../trace/sink.ts';
import type { LabDef, LabHint, LabStep } from './format.ts';
import { diagnosticHints } from './typo-hints.ts';

export interface StepCheck {
  /** 1-based. */
  step: number;
  title: string;
  passed: boolean;
  /** Problems loading the learner's files (or the lab itself); a run happens only without errors. */
  diagnostics: Diagnostic[];
  verdicts: VerdictReport[];
  /** What to tell the learner when the step failed, most specific first. */
  hints: string[];
  run: RunResult | null;
  scenario: ResolvedScenario | null;
}

export interface LabPaths {
  /** Folder holding lab.yaml and the scenario. */
  labDir: string;
  /** Folder holding the learner's copies of `files`. */
  workspace: string;
}

export interface CheckOptions {
  sinks?: TraceSink[];
}

function matches(h: LabHint, diagnostics: readonly Pick<Diagnostic, 'code'>[], verdicts: readonly VerdictReport[]): boolean {
  const w = h.when;
  if (!w) return verdicts.some((v) => !v.passed);
  if ('diagnostic' in w) return diagnostics.some((d) => d.code === w.diagnostic);
  // Flags and codes only count where a check failed: a stray NC in a passing scope is not the cause.
  const failed = verdicts.filter((v) => !v.passed);
  if ('flag' in w) return failed.some((v) => (v.flags[w.flag] ?? 0) > 0);
  if ('code' in w) return failed.some((v) => (v.codes[w.code] ?? 0) > 0);
  // "name" covers the expectations an entry expands to ("name (p99)").
  return failed.some((v) => v.name === w.failed || v.name.startsWith(`${w.failed} (`));
}

export function checkStep(lab: LabDef, index: number, paths: LabPaths, files: FileSource, opts: CheckOptions = {}): StepCheck {
  const step: LabStep = lab.steps[index];
  const out: StepCheck = { step: index + 1, title: step.title, passed: false, diagnostics: [], verdicts: [], hints: [], run: null, scenario: null };
  // A lab may hand the scenario itself to the learner (to edit its timeline): then it is in the workspace.
  const scenarioPath = joinPath(lab.files.includes(lab.scenario) ? paths.workspace : paths.labDir, lab.scenario);
  const read = files.read(scenarioPath);
  if (!read.ok) {
    out.diagnostics.push({ code: 'MSH0003', level: 'error', resource: '', message: `lab scenario ${scenarioPath} cannot be read (${read.reason})`, source: null });
    return out;
  }
  const mine = lab.files.map((f) => joinPath(paths.workspace, f));
  const apply = [...lab.manifests.map((f) => joinPath(paths.labDir, f)), ...lab.apply.map((f) => joinPath(paths.workspace, f))];
  const parsed = parseScenarioText(read.text, scenarioPath, files, { apply });
  out.diagnostics.push(...parsed.diagnostics);
  if (!parsed.scenario) {
    out.hints = [...authored(step, out.diagnostics, []), ...diagnosticHints(out.diagnostics, mine)];
    return out;
  }
  const resolved = resolveExpectationEntries(step.expect, parsed.scenario, { file: lab.file, index: step.expectIndex, base: step.expectBase });
  out.diagnostics.push(...resolved.diagnostics);
  if (resolved.diagnostics.some((d) => d.level === 'error')) {
    out.hints = ['this step of the lab itself is broken (see the errors in lab.yaml above); tell your instructor'];
    return out;
  }
  // The step's checks replace the scenario's own expect list: a lab judges only what the step asks.
  const scenario: ResolvedScenario = { ...parsed.scenario, expectations: resolved.expectations };
  const fold = new ExpectationsFold(resolved.expectations, clientSources(scenario.traffic));
  out.run = runScenario(scenario, { sinks: [fold, ...(opts.sinks ?? [])], ...(lab.propagation === 'default' ? { propagation: 'default' as const } : {}) });
  out.scenario = scenario;
  out.verdicts = fold.reports();
  out.passed = out.run.stop.kind !== 'budget' && out.verdicts.every((v) => v.passed);
  if (!out.passed) {
    // The run adds istiod's own findings (IST0101: a Gateway or subset a VirtualService names does not exist).
    out.hints = authored(step, [...out.diagnostics, ...out.run.summary.diagnostics], out.verdicts);
    if (out.run.budgetMessage) out.hints.push(out.run.budgetMessage);
    if (out.hints.length === 0) out.hints = diagnosticHints(out.diagnostics, mine);
  }
  return out;
}

function authored(step: LabStep, diagnostics: readonly Pick<Diagnostic, 'code'>[], verdicts: readonly VerdictReport[]): string[] {
  // Hints are written most specific first and only the first that matches is shown: an NC hint
  // ("define the subset") explains the failed split too, and a second hint would contradict it.
  const specific = step.hints.find((h) => h.when && matches(h, diagnostics, verdicts));
  if (specific) return [specific.text.trim()];
  // The general hint only when nothing specific explains the failure.
  return step.hints.filter((h) => !h.when && matches(h, diagnostics, verdicts)).map((h) => h.text.trim());
}
