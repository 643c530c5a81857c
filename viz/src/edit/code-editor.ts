/**
 * A tabbed YAML editor on CodeMirror 6: one EditorView, one EditorState per file (switching a tab
 * swaps the state, so each file keeps its own undo history), YAML highlighting, and the run's
 * diagnostics as lint markers in the gutter and underlines in the text.
 */
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from '@codemirror/language';
import { closeLintPanel, lintGutter, openLintPanel, setDiagnostics, type Diagnostic as LintDiagnostic } from '@codemirror/lint';
import { EditorState, type Extension } from '@codemirror/state';
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { h } from '../dom.ts';
import type { LocatedProblem } from './diagnostic-lines.ts';

/** Styles inside the shadow root (the page's CSS does not reach it). */
const editorTheme = EditorView.theme({
  '&': { height: '340px', fontSize: '12px', backgroundColor: '#fff' },
  '&.cm-focused': { outline: '1px solid #73bcf7' },
  '.cm-scroller': { fontFamily: "ui-monospace, 'DejaVu Sans Mono', monospace", lineHeight: '1.45' },
  '.cm-gutters': { backgroundColor: '#f5f5f5', borderRight: '1px solid #d2d2d2' },
});

export interface TabInfo {
  path: string;
  /** Shown after the name: "scenario", "manifest", "wizard", "your file"… */
  role: string;
  readOnly: boolean;
  /** Added by the learner (wizard output): can be closed. */
  closable: boolean;
}

interface Tab extends TabInfo {
  state: EditorState;
  problems: LocatedProblem[];
}

export interface CodeEditorOptions {
  /** Ctrl/Cmd+Enter. */
  onRun(): void;
  /** After any change of the set of tabs or of the active tab. */
  onTabsChanged?(): void;
  /** After the text of a tab changed (typing, or setText). */
  onTextChanged?(path: string): void;
}

export class CodeEditor {
  readonly element: HTMLElement;
  private readonly tabBar: HTMLElement;
  private readonly view: EditorView;
  private tabs: Tab[] = [];
  private active = -1;
  private readonly base: Extension[];

  constructor(private readonly opts: CodeEditorOptions) {
    this.tabBar = h('div', { class: 'edit-tabs', role: 'tablist', 'data-testid': 'editor-tabs' });
    const host = h('div', { class: 'edit-host', 'data-testid': 'code-editor' });
    this.element = h('div', { class: 'edit-pane' }, this.tabBar, host);
    this.base = [
      lineNumbers(),
      highlightActiveLineGutter(),
      highlightActiveLine(),
      drawSelection(),
      history(),
      indentOnInput(),
      bracketMatching(),
      yaml(),
      syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
      lintGutter(),
      editorTheme,
      EditorState.tabSize.of(2),
      keymap.of([{ key: 'Mod-Enter', run: () => (opts.onRun(), true) }, indentWithTab, ...defaultKeymap, ...historyKeymap]),
      EditorView.updateListener.of((u) => {
        if (u.docChanged && this.active >= 0) {
          // Typing makes old markers stale; they come back with the next run.
          this.tabs[this.active]!.problems = [];
          opts.onTextChanged?.(this.tabs[this.active]!.path);
        }
      }),
    ];
    // CodeMirror writes its styles with style-mod, which injects <style> elements into a document
    // (refused by the page's hash-based CSP) but uses constructable stylesheets inside a shadow
    // root, which the CSP allows. So the editor lives in an open shadow root.
    const shadow = host.attachShadow({ mode: 'open' });
    this.view = new EditorView({ root: shadow, parent: shadow, state: EditorState.create({ doc: '', extensions: this.base }) });
  }

  private stateFor(text: string, readOnly: boolean): EditorState {
    return EditorState.create({ doc: text, extensions: [...this.base, EditorState.readOnly.of(readOnly), EditorView.editable.of(!readOnly)] });
  }

  /** Replaces all tabs; the first is active. */
  setTabs(files: (TabInfo & { text: string })[]): void {
    this.saveActive();
    this.tabs = files.map((f) => ({ path: f.path, role: f.role, readOnly: f.readOnly, closable: f.closable, state: this.stateFor(f.text, f.readOnly), problems: [] }));
    this.active = -1;
    this.select(this.tabs.length > 0 ? 0 : -1);
    for (const t of this.tabs) this.opts.onTextChanged?.(t.path);
  }

  /** Adds a tab (or replaces the text of an existing one) and shows it. */
  addTab(f: TabInfo & { text: string }): void {
    this.saveActive();
    const i = this.tabs.findIndex((t) => t.path === f.path);
    const tab: Tab = { ...f, state: this.stateFor(f.text, f.readOnly), problems: [] };
    if (i >= 0) this.tabs[i] = tab;
    else this.tabs.push(tab);
    this.active = -1;
    this.select(i >= 0 ? i : this.tabs.length - 1);
  }

  closeTab(path: string): void {
    this.saveActive();
    const i = this.tabs.findIndex((t) => t.path === path);
    if (i < 0) return;
    const activePath = this.tabs[this.active]?.path;
    this.tabs.splice(i, 1);
    this.active = -1;
    const keep = this.tabs.findIndex((t) => t.path === activePath);
    this.select(keep >= 0 ? keep : Math.min(i, this.tabs.length - 1));
  }

  /** Tab metadata in order. */
  list(): TabInfo[] {
    return this.tabs.map(({ path, role, readOnly, closable }) => ({ path, role, readOnly, closable }));
  }

  activePath(): string | null {
    return this.tabs[this.active]?.path ?? null;
  }

  text(path: string): string | undefined {
    const i = this.tabs.findIndex((t) => t.path === path);
    if (i < 0) return undefined;
    return i === this.active ? this.view.state.doc.toString() : this.tabs[i]!.state.doc.toString();
  }

  /** Sets a tab's text (keeps the tab; its undo history starts over). */
  setText(path: string, text: string): void {
    const i = this.tabs.findIndex((t) => t.path === path);
    if (i < 0) return;
    if (i === this.active) {
      this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
    } else {
      const t = this.tabs[i]!;
      t.state = this.stateFor(text, t.readOnly);
      this.opts.onTextChanged?.(path);
    }
  }

  /** All tabs' texts by path. */
  texts(): Record<string, string> {
    this.saveActive();
    return Object.fromEntries(this.tabs.map((t) => [t.path, t.state.doc.toString()] as [string, string]));
  }

  /**
   * Shows problems as markers: each goes to the tab of its file; problems in files without a tab
   * are left to the report. Returns how many found a tab.
   */
  showProblems(problems: readonly LocatedProblem[]): number {
    this.saveActive();
    let placed = 0;
    for (const t of this.tabs) {
      t.problems = problems.filter((p) => p.file === t.path);
      placed += t.problems.length;
    }
    this.renderTabBar();
    this.applyProblems();
    // Jump to the first tab with an error, so the learner sees the line.
    const first = this.tabs.findIndex((t) => t.problems.some((p) => p.severity === 'error'));
    if (first >= 0) {
      if (first !== this.active) this.select(first);
      const p = this.tabs[first]!.problems.find((x) => x.severity === 'error')!;
      const doc = this.view.state.doc;
      this.view.dispatch({ effects: EditorView.scrollIntoView(doc.line(Math.min(Math.max(1, p.line), doc.lines)).from, { y: 'center' }) });
    }
    return placed;
  }

  select(i: number): void {
    if (i === this.active) return;
    this.saveActive();
    this.active = i;
    const t = this.tabs[i];
    this.view.setState(t ? t.state : this.stateFor('', true));
    this.applyProblems();
    this.renderTabBar();
    this.opts.onTabsChanged?.();
  }

  focus(): void {
    this.view.focus();
  }

  private saveActive(): void {
    const t = this.tabs[this.active];
    if (t) t.state = this.view.state;
  }

  private applyProblems(): void {
    const t = this.tabs[this.active];
    const doc = this.view.state.doc;
    const diags: LintDiagnostic[] = (t?.problems ?? []).map((p) => {
      const line = doc.line(Math.min(Math.max(1, p.line), doc.lines));
      const from = Math.min(line.from + Math.max(0, p.col - 1), line.to);
      return { from, to: from === line.to ? from : line.to, severity: p.severity, message: p.message };
    });
    this.view.dispatch(setDiagnostics(this.view.state, diags));
    // The messages as a list under the text (the gutter marker alone needs a hover to read).
    if (diags.length > 0) {
      // openLintPanel focuses its list; keep the focus where the learner had it.
      const hadFocus = this.view.hasFocus;
      const before = document.activeElement as HTMLElement | null;
      openLintPanel(this.view);
      if (hadFocus) this.view.focus();
      else {
        this.view.dom.querySelector<HTMLElement>('.cm-panel-lint ul')?.blur();
        before?.focus();
      }
    } else closeLintPanel(this.view);
  }

  private renderTabBar(): void {
    this.tabBar.replaceChildren(
      ...this.tabs.map((t, i) => {
        const errors = t.problems.filter((p) => p.severity === 'error').length;
        const button = h(
          'button',
          { type: 'button', role: 'tab', class: 'edit-tab', 'aria-selected': String(i === this.active), 'data-path': t.path, title: t.path },
          t.path.replace(/^.*\//, ''),
          h('span', { class: 'edit-tab-role' }, ` ${t.role}${t.readOnly ? ', read-only' : ''}`),
          errors > 0 ? h('span', { class: 'edit-tab-errors', 'data-testid': 'tab-errors' }, ` ${errors}`) : null,
        );
        button.addEventListener('click', () => this.select(i));
        if (!t.closable) return button;
        const close = h('button', { type: 'button', class: 'edit-tab-close', 'aria-label': `Close ${t.path}`, title: 'Close (the file is no longer applied)' }, '×');
        close.addEventListener('click', () => {
          this.closeTab(t.path);
          this.opts.onTabsChanged?.();
        });
        return h('span', { class: 'edit-tab-wrap' }, button, close);
      }),
    );
  }
}
