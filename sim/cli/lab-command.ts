/**
 * `meshsim lab …`: the Node side of the labs — where lab folders and workspaces live, copying the
 * starting files, persisting progress, asking before destructive resets. The lab logic itself
 * (format, checks, hints, progress machine) is in sim/labs and runs in the browser too.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { createInterface } from 'node:readline/promises';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { formatDiagnostic } from '../domain/diagnostics.ts';
import { advance, checkStep, compactDiff, isLearnerDiagnostic, lineDiff, parseLab, parseProgress, progressText, type LabDef, type ProgressRecord, type StepCheck } from '../labs/index.ts';
import { UsageError } from './errors.ts';
import { nodeFiles } from './node-files.ts';
import { writeFileAtomic } from './output.ts';

/** The course shipped with meshsim: <package>/labs. */
const DEFAULT_LABS = fileURLToPath(new URL('../../labs/', import.meta.url));
const DEFAULT_WORKSPACE = join('.meshsim', 'labs');
const PROGRESS_FILE = 'progress.json';

export interface LabEnv {
  labsDir: string;
  workspaceRoot: string;
  out: (s: string) => void;
  err: (s: string) => void;
  /** Whether a person can answer a question (reset without --yes). */
  interactive: boolean;
  ask: (question: string) => Promise<string>;
}

interface LoadedLab {
  id: string;
  dir: string;
  def: LabDef;
  workspace: string;
}

function labIds(env: LabEnv): string[] {
  if (!existsSync(env.labsDir)) throw new UsageError(`no labs folder at ${env.labsDir}`);
  // Sorted by code unit so "01-…" comes before "02-…" on every machine.
  return readdirSync(env.labsDir)
    .filter((n) => /^\d\d-/.test(n) && existsSync(join(env.labsDir, n, 'lab.yaml')))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Accepts "01", "1", "01-meet-the-mesh" or "meet-the-mesh". */
function resolveLab(env: LabEnv, name: string): LoadedLab {
  const ids = labIds(env);
  const n = /^\d+$/.test(name) ? name.padStart(2, '0') : null;
  const id = ids.find((i) => i === name || (n !== null && i.startsWith(`${n}-`)) || i.slice(3) === name);
  if (!id) throw new UsageError(`no lab '${name}'; labs: ${ids.join(', ')} (see \`meshsim lab list\`)`);
  return loadLab(env, id);
}

function loadLab(env: LabEnv, id: string): LoadedLab {
  const dir = join(env.labsDir, id);
  const file = join(dir, 'lab.yaml');
  const { lab, diagnostics } = parseLab(readFileSync(file, 'utf8'), file);
  if (!lab) throw new UsageError(`lab ${id} is broken:\n${diagnostics.map(formatDiagnostic).join('\n')}`);
  return { id, dir, def: lab, workspace: join(env.workspaceRoot, id) };
}

function readProgress(lab: LoadedLab): ProgressRecord {
  const file = join(lab.workspace, PROGRESS_FILE);
  return parseProgress(existsSync(file) ? readFileSync(file, 'utf8') : null, lab.id, lab.def.steps.length);
}

function writeProgress(lab: LoadedLab, p: ProgressRecord): void {
  writeFileAtomic(join(lab.workspace, PROGRESS_FILE), JSON.stringify(p, null, 2) + '\n');
}

/** Paths printed relative to the working directory: what a learner types next. */
const shown = (p: string): string => relative(process.cwd(), p) || '.';

function stepText(lab: LoadedLab, k: number): string {
  const s = lab.def.steps[k - 1];
  return `Step ${k} of ${lab.def.steps.length}: ${s.title}\n\n${s.instructions.trim()}\n`;
}

function sameFile(a: string, b: string): boolean {
  return readFileSync(a, 'utf8') === readFileSync(b, 'utf8');
}

export function labList(env: LabEnv): number {
  const states: ProgressRecord[] = [];
  const rows = labIds(env).map((id) => {
    const lab = loadLab(env, id);
    const p = readProgress(lab);
    states.push(p);
    return [id, lab.def.title, progressText(p)];
  });
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const r of rows) env.out(`${r[0].padEnd(w0)}  ${r[1].padEnd(w1)}  ${r[2]}\n`);
  // Point at the first lab not yet passed: where a learner who just finished one goes next.
  const next = states.find((p) => p.state !== 'passed');
  if (next) env.out(`\nNext: npx meshsim lab ${next.state === 'active' ? 'check' : 'start'} ${next.lab}\n`);
  else env.out('\nEvery lab passed.\n');
  return 0;
}

export function labStart(env: LabEnv, name: string, force: boolean): number {
  const lab = resolveLab(env, name);
  mkdirSync(lab.workspace, { recursive: true });
  const kept: string[] = [];
  for (const f of lab.def.files) {
    const from = join(lab.dir, 'start', f);
    const to = join(lab.workspace, f);
    // Never clobber a learner's edits: an existing file that differs stays unless --force.
    if (existsSync(to) && !force && !sameFile(from, to)) {
      kept.push(shown(to));
      continue;
    }
    copyFileSync(from, to);
  }
  let p = readProgress(lab);
  if (p.state === 'locked') p = advance(p, { type: 'START' });
  writeProgress(lab, p);
  env.out(`Lab ${lab.id}: ${lab.def.title}\n`);
  env.out(`Read:  ${shown(join(lab.dir, 'README.md'))}\n`);
  env.out(`Edit:  ${lab.def.files.map((f) => shown(join(lab.workspace, f))).join(', ')}\n`);
  if (kept.length > 0) env.out(`Kept your edited ${kept.join(', ')} (use --force to start over from the original)\n`);
  env.out(`\n${stepText(lab, p.state === 'passed' ? 1 : p.step)}\n`);
  env.out(`When ready: npx meshsim lab check ${lab.id}\n`);
  return 0;
}

function requireWorkspace(lab: LoadedLab): void {
  if (!existsSync(join(lab.workspace, PROGRESS_FILE))) throw new UsageError(`lab ${lab.id} is not started; run: npx meshsim lab start ${lab.id}`);
}

/** Absolute workspace paths (what the checker saw) → paths relative to where the learner stands. */
function relativePaths(lab: LoadedLab, text: string): string {
  return text.split(resolve(lab.workspace)).join(shown(lab.workspace)).split(resolve(lab.dir)).join(shown(lab.dir));
}

function printCheck(env: LabEnv, lab: LoadedLab, c: StepCheck): void {
  env.out(`${c.passed ? 'PASS' : 'FAIL'}  step ${c.step}: ${c.title}\n`);
  const learner = lab.def.files.map((f) => resolve(lab.workspace, f));
  for (const d of c.diagnostics) {
    // The learner's own problems come back as hints (file:line and the fix); print the rest as is.
    if (d.level === 'error' && !isLearnerDiagnostic(d, learner)) env.out(`      ${relativePaths(lab, formatDiagnostic(d))}\n`);
  }
  for (const v of c.verdicts) env.out(`      ${v.passed ? 'ok  ' : 'FAIL'} ${v.name}: ${v.detail}\n`);
  // What istiod said about the learner's files while compiling (IST0101 for a Gateway that does not
  // exist, an unreachable rule …): the run went ahead, but these usually explain a FAIL above.
  for (const d of c.run?.summary.diagnostics ?? []) {
    if (d.level !== 'warning' || d.source === null || !learner.some((f) => d.source!.startsWith(`${f}:`))) continue;
    env.out(`      ${relativePaths(lab, `${d.source}: warning ${d.code} (${d.resource}): ${d.message}`)}\n`);
  }
  for (const h of c.hints) env.out(`  hint: ${relativePaths(lab, h).replace(/\n/g, '\n        ')}\n`);
}

function runCheck(env: LabEnv, lab: LoadedLab, k: number): StepCheck {
  // Paths are absolute so diagnostics name a file the learner can open from anywhere.
  return checkStep(lab.def, k - 1, { labDir: resolve(lab.dir), workspace: resolve(lab.workspace) }, nodeFiles());
}

export function labCheck(env: LabEnv, name: string, stepArg: string | undefined): number {
  const lab = resolveLab(env, name);
  requireWorkspace(lab);
  let p = readProgress(lab);
  const n = lab.def.steps.length;
  const k = stepArg === undefined ? (p.state === 'passed' ? n : p.step) : Number(stepArg);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new UsageError(`--step must be 1..${n}, got '${stepArg}'`);
  const c = runCheck(env, lab, k);
  printCheck(env, lab, c);
  if (c.passed) {
    const before = p;
    p = advance(p, { type: 'STEP_PASSED', step: k });
    writeProgress(lab, p);
    if (p.state === 'passed' && before.state !== 'passed') env.out(`\nLab ${lab.id} passed. Next: npx meshsim lab list\n`);
    else if (p.state === 'active' && p.step !== before.step) env.out(`\nNext — ${stepText(lab, p.step)}\nWhen ready: npx meshsim lab check ${lab.id}\n`);
  }
  const invalid = c.diagnostics.some((d) => d.level === 'error');
  return c.passed ? 0 : invalid ? 2 : 1;
}

export function labHint(env: LabEnv, name: string): number {
  const lab = resolveLab(env, name);
  requireWorkspace(lab);
  const p = readProgress(lab);
  const k = p.state === 'passed' ? lab.def.steps.length : p.step;
  const c = runCheck(env, lab, k);
  if (c.passed) {
    env.out(`Step ${k} already passes; run: npx meshsim lab check ${lab.id}\n`);
    return 0;
  }
  const general = lab.def.steps[k - 1].hints.filter((h) => !h.when).map((h) => h.text.trim());
  const hints = c.hints.length > 0 ? c.hints : general;
  env.out(`Step ${k}: ${lab.def.steps[k - 1].title}\n`);
  for (const h of hints.length > 0 ? hints : ['no hint for this one; `npx meshsim lab solve ' + lab.id + '` shows the solution']) env.out(`  hint: ${relativePaths(lab, h).replace(/\n/g, '\n        ')}\n`);
  return 0;
}

/** The solution for step k: solution/step-k/<file> when the lab has one per step, else solution/<file>. */
function solutionFile(lab: LoadedLab, k: number, f: string): string {
  const perStep = join(lab.dir, 'solution', `step-${k}`, f);
  return existsSync(perStep) ? perStep : join(lab.dir, 'solution', f);
}

export function labSolve(env: LabEnv, name: string, apply: boolean): number {
  const lab = resolveLab(env, name);
  requireWorkspace(lab);
  const p = readProgress(lab);
  const k = p.state === 'passed' ? lab.def.steps.length : p.step;
  for (const f of lab.def.files) {
    const sol = solutionFile(lab, k, f);
    const mine = join(lab.workspace, f);
    const before = existsSync(mine) && statSync(mine).isFile() ? readFileSync(mine, 'utf8') : '';
    const after = readFileSync(sol, 'utf8');
    env.out(`--- ${shown(mine)} (yours)\n+++ ${shown(sol)} (solution, step ${k})\n`);
    if (before === after) env.out(' (identical)\n');
    else for (const l of compactDiff(lineDiff(before, after))) env.out(`${l}\n`);
    if (apply) copyFileSync(sol, mine);
  }
  env.out(apply ? `\nApplied. Check it: npx meshsim lab check ${lab.id}\n` : `\nNot applied; to copy it over your file: npx meshsim lab solve ${lab.id} --apply\n`);
  return 0;
}

export async function labReset(env: LabEnv, name: string, yes: boolean): Promise<number> {
  const lab = resolveLab(env, name);
  if (!yes) {
    if (!env.interactive) {
      env.err(`meshsim: lab reset would overwrite your edits in ${shown(lab.workspace)}; run it in a terminal to be asked, or pass --yes\n`);
      return 2;
    }
    const answer = await env.ask(`Overwrite your files in ${shown(lab.workspace)} with the starting files and restart at step 1? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim())) {
      env.out('Nothing changed.\n');
      return 0;
    }
  }
  mkdirSync(lab.workspace, { recursive: true });
  for (const f of lab.def.files) copyFileSync(join(lab.dir, 'start', f), join(lab.workspace, f));
  let p = readProgress(lab);
  p = p.state === 'locked' ? advance(p, { type: 'START' }) : advance(p, { type: 'RESET' });
  writeProgress(lab, p);
  env.out(`Lab ${lab.id} reset.\n\n${stepText(lab, 1)}`);
  return 0;
}

function nodeEnv(opts: { labs?: string; workspace?: string }): LabEnv {
  return {
    labsDir: opts.labs ? resolve(opts.labs) : DEFAULT_LABS,
    workspaceRoot: resolve(opts.workspace ?? DEFAULT_WORKSPACE),
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
    ask: async (q) => {
      const rl = createInterface({ input: process.stdin, output: process.stdout });
      try {
        return await rl.question(q);
      } finally {
        rl.close();
      }
    },
  };
}

export function registerLabCommands(program: Command, setExit: (code: number) => void): void {
  const lab = program
    .command('lab')
    .description('Bootcamp labs: guided exercises that check themselves (start with `meshsim lab list`)')
    .option('--workspace <dir>', 'where your copies of the lab files live', DEFAULT_WORKSPACE)
    .option('--labs <dir>', 'folder of labs (default: the course shipped with meshsim)');
  const env = (): LabEnv => nodeEnv(lab.opts() as { labs?: string; workspace?: string });
  lab.command('list').description('List the labs and your progress').action(() => setExit(labList(env())));
  lab
    .command('start')
    .description('Create your workspace copy of a lab and print its first step')
    .argument('<lab>', 'lab number or name, e.g. 01')
    .option('--force', 'overwrite files you already edited with the starting files', false)
    .action((name: string, o: { force: boolean }) => setExit(labStart(env(), name, o.force)));
  lab
    .command('check')
    .description('Run the lab and check the current step (exit 0 pass, 1 fail, 2 invalid files)')
    .argument('<lab>', 'lab number or name')
    .option('--step <n>', 'check this step instead of the current one')
    .action((name: string, o: { step?: string }) => setExit(labCheck(env(), name, o.step)));
  lab.command('hint').description('Say what is wrong with the current step').argument('<lab>', 'lab number or name').action((name: string) => setExit(labHint(env(), name)));
  lab
    .command('solve')
    .description("Show the solution of the current step as a diff against your files")
    .argument('<lab>', 'lab number or name')
    .option('--apply', 'copy the solution over your files', false)
    .action((name: string, o: { apply: boolean }) => setExit(labSolve(env(), name, o.apply)));
  lab
    .command('reset')
    .description('Put the starting files back and restart the lab at step 1')
    .argument('<lab>', 'lab number or name')
    .option('--yes', 'do not ask', false)
    .action(async (name: string, o: { yes: boolean }) => setExit(await labReset(env(), name, o.yes)));
}
