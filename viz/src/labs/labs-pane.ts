/**
 * The labs pane: pick a lab, read its README, open its files in the editor, Run, and Check the
 * current step in the worker with the same `checkStep` as `meshsim lab check`. Progress per lab
 * is the xstate progress machine of sim/labs/progress.ts, saved in localStorage.
 */
import { advance, parseLab, parseProgress, progressText, type LabDef, type ProgressRecord } from '../../../sim/index.ts';
import { h } from '../dom.ts';
import { locatedProblems } from '../edit/diagnostic-lines.ts';
import { joinPath } from '../edit/scenario-files.ts';
import type { Workbench } from '../edit/workbench.ts';
import type { SimulationClient } from '../run-client.ts';
import { labDirs, labFiles } from './lab-files.ts';
import type { LabCheckReply, LabCheckRequest, LabCheckResult } from './lab-protocol.ts';
import { inline, renderMarkdown } from './markdown.ts';

export interface LabsDeps {
  workbench: Workbench;
  client: SimulationClient;
  bundledFiles: Readonly<Record<string, string>>;
  setStatus(text: string, kind: 'idle' | 'busy' | 'ok' | 'error'): void;
}

interface LoadedLab {
  dir: string;
  def: LabDef;
}

const STORAGE_PREFIX = 'meshsim.lab.progress.';
/** The learner's buffers per lab, so a reload does not lose their edits. */
const FILES_PREFIX = 'meshsim.lab.files.';

function storageGet(key: string): string | null {
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

function storageSet(key: string, value: string | null): void {
  try {
    if (value === null) localStorage.removeItem(key);
    else localStorage.setItem(key, value);
  } catch {
    // Storage may be off (private mode, file:// policies): progress then lasts for the page only.
  }
}

/** Saved buffers of a lab: only string texts of the lab's own files count. */
function savedFiles(text: string | null, files: readonly string[]): Record<string, string> {
  if (text === null) return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (typeof v !== 'object' || v === null) return {};
    return Object.fromEntries(files.filter((f) => typeof (v as Record<string, unknown>)[f] === 'string').map((f) => [f, (v as Record<string, string>)[f]!] as [string, string]));
  } catch {
    return {};
  }
}

export class LabsPane {
  readonly element: HTMLElement;
  private readonly labs: LoadedLab[] = [];
  private readonly select: HTMLSelectElement;
  private readonly progressLine: HTMLElement;
  private readonly stepBox: HTMLElement;
  private readonly resultBox: HTMLElement;
  private readonly readme: HTMLElement;
  private readonly checkButton: HTMLButtonElement;
  private lastHints: string[] = [];
  private memory = new Map<string, string>();

  constructor(private readonly deps: LabsDeps) {
    for (const dir of labDirs) {
      const { lab } = parseLab(labFiles[`${dir}/lab.yaml`]!, `${dir}/lab.yaml`);
      if (lab) this.labs.push({ dir, def: lab });
    }
    this.select = h('select', { 'aria-label': 'Lab', 'data-testid': 'lab-select' }, ...this.labs.map((l, i) => h('option', { value: String(i) }, `${l.dir.replace(/^labs\//, '')} — ${l.def.title}`)));
    const open = h('button', { type: 'button', 'data-testid': 'lab-open' }, 'Open lab files');
    this.checkButton = h('button', { type: 'button', class: 'primary', 'data-testid': 'lab-check' }, 'Check');
    const hint = h('button', { type: 'button', 'data-testid': 'lab-hint' }, 'Hint');
    const solution = h('button', { type: 'button', 'data-testid': 'lab-solution' }, 'Load solution');
    const reset = h('button', { type: 'button', 'data-testid': 'lab-reset' }, 'Reset progress');
    this.progressLine = h('span', { class: 'lab-progress', 'data-testid': 'lab-progress' });
    this.stepBox = h('div', { class: 'lab-step', 'data-testid': 'lab-step' });
    this.resultBox = h('div', { class: 'lab-result', 'data-testid': 'lab-result', 'aria-live': 'polite' });
    this.readme = h('div', { class: 'lab-readme', 'data-testid': 'lab-readme' });
    this.select.addEventListener('change', () => this.show());
    open.addEventListener('click', () => this.openFiles('start'));
    this.checkButton.addEventListener('click', () => void this.check());
    hint.addEventListener('click', () => this.showHint());
    solution.addEventListener('click', () => this.openFiles('solution'));
    reset.addEventListener('click', () => {
      const lab = this.current();
      if (!lab) return;
      this.save(advance(this.progress(lab), { type: 'RESET' }));
      storageSet(FILES_PREFIX + lab.def.name, null);
      this.resultBox.replaceChildren();
      this.show();
      if (this.labIsOpen(lab)) this.openFiles('start');
    });
    this.element = h(
      'details',
      { id: 'labs-panel', class: 'labs-panel' },
      h('summary', {}, 'Labs (Bootcamp exercises that check themselves)'),
      this.labs.length === 0
        ? h('p', {}, 'No labs are bundled.')
        : h(
            'div',
            { class: 'labs-body' },
            h('div', { class: 'labs-bar' }, this.select, open, this.checkButton, hint, solution, reset, this.progressLine),
            h('div', { class: 'labs-columns' }, h('div', { class: 'labs-left' }, this.stepBox, this.resultBox), this.readme),
          ),
    );
    this.show();
    // Keep the learner's buffers whenever they run or check.
    deps.workbench.onChange(() => this.saveBuffers());
  }

  private saveBuffers(): void {
    const lab = this.current();
    if (!lab || !this.labIsOpen(lab)) return;
    const ws = this.workspace(lab);
    const texts = this.deps.workbench.editor.texts();
    const mine = Object.fromEntries(lab.def.files.filter((f) => texts[`${ws}/${f}`] !== undefined).map((f) => [f, texts[`${ws}/${f}`]!] as [string, string]));
    storageSet(FILES_PREFIX + lab.def.name, JSON.stringify(mine));
  }

  current(): LoadedLab | null {
    return this.labs[Number(this.select.value)] ?? null;
  }

  private progress(lab: LoadedLab): ProgressRecord {
    const key = STORAGE_PREFIX + lab.def.name;
    const text = storageGet(key) ?? this.memory.get(key) ?? null;
    const r = parseProgress(text, lab.def.name, lab.def.steps.length);
    return r.state === 'locked' ? advance(r, { type: 'START' }) : r;
  }

  private save(r: ProgressRecord): void {
    const text = JSON.stringify(r);
    this.memory.set(STORAGE_PREFIX + r.lab, text);
    storageSet(STORAGE_PREFIX + r.lab, text);
  }

  /** Index (0-based) of the step a Check judges: the current one, or the last once passed. */
  private stepIndex(lab: LoadedLab): number {
    const p = this.progress(lab);
    return Math.max(0, Math.min(lab.def.steps.length, p.step) - 1);
  }

  private show(): void {
    const lab = this.current();
    if (!lab) return;
    const p = this.progress(lab);
    this.progressLine.textContent = `Progress: ${progressText(p)}`;
    this.progressLine.dataset.state = p.state;
    const k = this.stepIndex(lab);
    const step = lab.def.steps[k]!;
    this.stepBox.replaceChildren(
      h('ol', { class: 'lab-steps' }, ...lab.def.steps.map((s, i) => h('li', { class: p.state === 'passed' || i + 1 < p.step ? 'done' : i === k ? 'current' : '' }, s.title))),
      h('h4', {}, `Step ${k + 1}: ${step.title}`),
      renderMarkdown(step.instructions),
    );
    const readme = labFiles[`${lab.dir}/README.md`];
    this.readme.replaceChildren(readme === undefined ? h('p', {}, 'This lab has no README.') : renderMarkdown(readme));
    this.lastHints = [];
  }

  private workspace(lab: LoadedLab): string {
    return `workspace/${lab.def.name}`;
  }

  /** The learner's files as tabs: the start copies, or the solution for the current step. */
  private openFiles(from: 'start' | 'solution'): void {
    const lab = this.current();
    if (!lab) return;
    const ws = this.workspace(lab);
    const k = this.stepIndex(lab);
    const saved = from === 'start' ? savedFiles(storageGet(FILES_PREFIX + lab.def.name), lab.def.files) : {};
    const textOf = (file: string): string => {
      if (saved[file] !== undefined) return saved[file]!;
      if (from === 'solution') {
        const stepped = labFiles[`${lab.dir}/solution/step-${k + 1}/${file}`];
        if (stepped !== undefined) return stepped;
        const final = labFiles[`${lab.dir}/solution/${file}`];
        if (final !== undefined) return final;
      }
      return labFiles[`${lab.dir}/start/${file}`] ?? '';
    };
    const tabs = lab.def.files.map((f) => ({ path: `${ws}/${f}`, text: textOf(f), role: from === 'solution' ? 'solution' : 'your file', readOnly: false, closable: false }));
    const scenarioMine = lab.def.files.includes(lab.def.scenario);
    const entry = scenarioMine ? `${ws}/${lab.def.scenario}` : joinPath(lab.dir, lab.def.scenario);
    if (!scenarioMine) tabs.push({ path: entry, text: labFiles[entry] ?? '', role: 'lab scenario', readOnly: true, closable: false });
    this.deps.workbench.openCustom({
      entry,
      label: lab.def.title,
      tabs,
      baseFiles: { ...this.deps.bundledFiles, ...labFiles },
      apply: [...lab.def.manifests.map((f) => joinPath(lab.dir, f)), ...lab.def.apply.map((f) => `${ws}/${f}`)],
    });
    this.deps.setStatus(`${lab.def.title}: ${from === 'solution' ? 'solution for step ' + (k + 1) : 'your files'} in the editor. Run to see the mesh, Check to judge the step.`, 'idle');
  }

  private labIsOpen(lab: LoadedLab): boolean {
    const set = this.deps.workbench.customSet();
    return set !== null && set.tabs.some((t) => t.path.startsWith(`${this.workspace(lab)}/`));
  }

  async check(): Promise<LabCheckResult | null> {
    const lab = this.current();
    if (!lab) return null;
    if (!this.labIsOpen(lab)) this.openFiles('start');
    const k = this.stepIndex(lab);
    this.checkButton.disabled = true;
    this.deps.setStatus(`Checking step ${k + 1} of ${lab.def.name} in the worker…`, 'busy');
    this.saveBuffers();
    try {
      const files = { ...this.deps.bundledFiles, ...labFiles, ...this.deps.workbench.editor.texts() };
      const request: Omit<LabCheckRequest, 'id'> = { kind: 'lab-check', labDir: lab.dir, workspace: this.workspace(lab), step: k, files };
      const reply = await this.deps.client.ask<LabCheckReply>(request);
      if (reply.kind !== 'lab-check') {
        this.resultBox.replaceChildren(h('p', { class: 'lab-fail' }, `The check failed to run (a meshsim bug): ${reply.message}`));
        this.deps.setStatus('The check failed to run.', 'error');
        return null;
      }
      this.showResult(lab, reply.result);
      return reply.result;
    } finally {
      this.checkButton.disabled = false;
      document.body.dataset.labChecks = String(Number(document.body.dataset.labChecks ?? '0') + 1);
    }
  }

  private showResult(lab: LoadedLab, r: LabCheckResult): void {
    this.deps.workbench.editor.showProblems(locatedProblems(r.diagnostics));
    this.lastHints = r.hints;
    const parts: HTMLElement[] = [h('p', { class: r.passed ? 'lab-pass' : 'lab-fail', 'data-testid': 'lab-verdict' }, `${r.passed ? 'PASS' : 'FAIL'} — step ${r.step}: ${r.title}`)];
    if (r.verdicts.length > 0) parts.push(h('ul', { class: 'lab-verdicts' }, ...r.verdicts.map((v) => h('li', { class: v.passed ? 'pass' : 'fail' }, `${v.passed ? 'PASS' : 'FAIL'} ${v.name}: ${v.detail}`))));
    const errors = r.diagnostics.filter((d) => / error /.test(` ${d} `));
    if (errors.length > 0) parts.push(h('pre', { class: 'lab-diagnostics', 'data-testid': 'lab-diagnostics' }, errors.join('\n')));
    if (!r.passed && r.hints.length > 0) parts.push(h('div', { class: 'lab-hints', 'data-testid': 'lab-hints' }, h('strong', {}, 'Hint: '), ...r.hints.map((t) => h('p', {}, ...inline(t)))));
    if (r.passed) {
      const before = this.progress(lab);
      const after = advance(before, { type: 'STEP_PASSED', step: r.step });
      this.save(after);
      parts.push(h('p', {}, after.state === 'passed' ? 'Lab complete. Well done.' : after.step > before.step ? `On to step ${after.step}.` : ''));
      this.show();
    }
    this.resultBox.replaceChildren(...parts);
    this.deps.setStatus(`${lab.def.name} step ${r.step}: ${r.passed ? 'PASS' : 'FAIL'}`, r.passed ? 'ok' : 'error');
  }

  private showHint(): void {
    const lab = this.current();
    if (!lab) return;
    const step = lab.def.steps[this.stepIndex(lab)]!;
    const hints = this.lastHints.length > 0 ? this.lastHints : step.hints.filter((x) => !x.when).map((x) => x.text.trim());
    const box = h('div', { class: 'lab-hints', 'data-testid': 'lab-hints' }, h('strong', {}, 'Hint: '), ...(hints.length > 0 ? hints : ['Check first: hints follow what the check sees.']).map((t) => h('p', {}, ...inline(t))));
    this.resultBox.querySelector('.lab-hints')?.remove();
    this.resultBox.append(box);
  }
}
