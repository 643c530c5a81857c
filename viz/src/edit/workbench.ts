/**
 * The editing workbench: the tabbed editor in place of the page's plain <textarea id="editor">,
 * what a Run sends (the scenario, edited tabs, files layered at t=0), inline errors after a run,
 * and the before/after comparison of the last two runs.
 *
 * The page (main.ts) keeps reading and writing `#editor.value`; that property is redirected to
 * the scenario tab here, so the page's own code paths (pick a scenario, load a file, scripts that
 * set the value) keep working unchanged.
 */
import { h } from '../dom.ts';
import type { RunOutcome } from '../protocol.ts';
import type { RunResponse } from '../run-client.ts';
import { CodeEditor, type TabInfo } from './code-editor.ts';
import { renderCompare, type RunRecord } from './compare.ts';
import { locatedProblems } from './diagnostic-lines.ts';
import { scenarioFilePaths } from './scenario-files.ts';
import './edit.css';

/** What one Run sends to the worker. */
export interface RunPlan {
  entry: string;
  files: Record<string, string>;
  /** Layered at t=0, in order. */
  apply: string[];
}

/** A set of files opened by a pane (a lab, an imported bundle) instead of the page's scenario. */
export interface CustomSet {
  entry: string;
  /** Shown in the status line and the compare captions. */
  label: string;
  tabs: (TabInfo & { text: string })[];
  /** Files the run may read besides the tabs (bundled labs and scenarios). */
  baseFiles: Record<string, string>;
  /** Layered at t=0 before any wizard file. */
  apply: string[];
}

export interface WorkbenchDeps {
  textarea: HTMLTextAreaElement;
  bundledFiles: Readonly<Record<string, string>>;
  /** The page's current scenario path (main.ts `source.entry`). */
  pageEntry(): string;
  run(): void;
}

const nativeValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value');

export class Workbench {
  readonly editor: CodeEditor;
  readonly compareSection: HTMLElement;
  private custom: CustomSet | null = null;
  /** Tabs (path → text at opening) so an unedited tab does not override the served/bundled copy. */
  private originals = new Map<string, string>();
  /** Entry tab path of the page's scenario. */
  private mainEntry = '';
  /** Set by the page before its entry is known (see the value redirect). */
  private pendingText: string | null = null;
  private runs = 0;
  private previous: RunRecord | null = null;
  private latest: RunRecord | null = null;
  private listeners: (() => void)[] = [];

  constructor(private readonly deps: WorkbenchDeps) {
    this.editor = new CodeEditor({
      onRun: () => deps.run(),
      onTabsChanged: () => this.listeners.forEach((f) => f()),
      onTextChanged: (path) => {
        if (path === this.entryPath()) this.syncNative();
      },
    });
    this.compareSection = h('section', { id: 'compare', class: 'compare-panel', hidden: '' });
    deps.textarea.hidden = true;
    deps.textarea.after(this.editor.element);
    this.redirectTextarea();
  }

  onChange(f: () => void): void {
    this.listeners.push(f);
  }

  private redirectTextarea(): void {
    const self = this;
    Object.defineProperty(this.deps.textarea, 'value', {
      configurable: true,
      get(): string {
        if (self.pendingText !== null) return self.pendingText;
        return self.editor.text(self.custom ? self.custom.entry : self.mainEntry) ?? '';
      },
      set(text: string) {
        // main.ts sets the text first and its `source` right after: open the tabs once both are known.
        self.pendingText = String(text);
        queueMicrotask(() => self.settleMain());
      },
    });
  }

  private entryPath(): string {
    return this.custom ? this.custom.entry : this.mainEntry;
  }

  /**
   * Mirrors the scenario text into the textarea's own value too: the redirect above is a property
   * of the page's JavaScript world, and tools reading the element from another world (browser
   * extensions, playwright's inputValue) see the native value.
   */
  private syncNative(): void {
    nativeValue?.set?.call(this.deps.textarea, this.editor.text(this.entryPath()) ?? '');
  }

  private settleMain(): void {
    if (this.pendingText === null) return;
    const text = this.pendingText;
    this.pendingText = null;
    this.openMain(this.deps.pageEntry(), text);
  }

  /** Opens the page's scenario: its text plus a tab per file it names that the page has bundled. */
  openMain(entry: string, text: string): void {
    const sameSet = this.custom === null && entry === this.mainEntry && this.editor.text(entry) !== undefined;
    this.custom = null;
    this.mainEntry = entry;
    if (sameSet) {
      this.editor.setText(entry, text);
      this.syncNative();
      return;
    }
    const tabs: (TabInfo & { text: string })[] = [{ path: entry, role: 'scenario', readOnly: false, closable: false, text }];
    for (const p of scenarioFilePaths(text, entry)) {
      const t = this.deps.bundledFiles[p];
      if (t !== undefined) tabs.push({ path: p, role: 'manifest', readOnly: false, closable: false, text: t });
    }
    this.open(tabs);
  }

  openCustom(set: CustomSet): void {
    this.pendingText = null;
    this.custom = set;
    this.open(set.tabs);
    this.syncNative();
  }

  customSet(): CustomSet | null {
    return this.custom;
  }

  private open(tabs: (TabInfo & { text: string })[]): void {
    this.originals = new Map(tabs.map((t) => [t.path, t.text] as [string, string]));
    this.editor.setTabs(tabs);
  }

  /** A new file (wizard output) as a tab; it is layered at t=0 on the next Run until closed. */
  addFile(path: string, text: string, role: string): void {
    this.originals.delete(path);
    this.editor.addTab({ path, role, readOnly: false, closable: true, text });
    this.listeners.forEach((f) => f());
  }

  /** Layered files the learner added (closable tabs), in tab order. */
  addedFiles(): string[] {
    return this.editor.list().filter((t) => t.closable).map((t) => t.path);
  }

  /** Current scenario path and the folder new files go into. */
  entry(): string {
    this.settleMain();
    return this.custom ? this.custom.entry : this.mainEntry;
  }

  /**
   * What Run sends: the page's files, then every tab that differs from what was opened (or that
   * the learner added), and the layered files. A lab or a bundle brings its own entry and files.
   */
  plan(pageFiles: Record<string, string>): RunPlan {
    this.settleMain();
    const texts = this.editor.texts();
    const files: Record<string, string> = this.custom ? { ...this.custom.baseFiles } : { ...pageFiles };
    for (const [p, t] of Object.entries(texts)) if (this.custom || this.originals.get(p) !== t) files[p] = t;
    const entry = this.custom ? this.custom.entry : this.mainEntry || this.deps.pageEntry();
    return { entry, files, apply: [...(this.custom?.apply ?? []), ...this.addedFiles()] };
  }

  /** Every tab's text with the entry and layered files: what a run bundle needs. */
  snapshot(): RunPlan {
    this.settleMain();
    return { entry: this.entry(), files: this.editor.texts(), apply: [...(this.custom?.apply ?? []), ...this.addedFiles()] };
  }

  lastOutcome(): RunOutcome | null {
    return this.latest?.outcome ?? null;
  }

  /** After each Run: inline markers, and the compare view once there are two finished runs. */
  afterRun(plan: RunPlan, response: RunResponse): void {
    this.runs++;
    if (response.kind === 'invalid') {
      this.editor.showProblems(locatedProblems(response.diagnostics));
      return;
    }
    if (response.kind !== 'done') {
      this.editor.showProblems([]);
      return;
    }
    const warnings = response.outcome.summary.diagnostics.filter((d) => d.source).map((d) => `${d.source}: ${d.level} ${d.code}: ${d.message}`);
    this.editor.showProblems(locatedProblems(warnings));
    this.previous = this.latest;
    this.latest = { label: `run ${this.runs}`, entry: plan.entry, outcome: response.outcome };
    if (this.previous) {
      this.compareSection.replaceChildren(renderCompare(this.previous, this.latest));
      this.compareSection.hidden = false;
    }
    this.listeners.forEach((f) => f());
  }
}
