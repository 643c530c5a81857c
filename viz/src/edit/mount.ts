/**
 * Mounts the sandbox panes on the page (main.ts calls this once): the tabbed editor with inline
 * errors, the wizards, share buttons, the before/after comparison and the labs pane. Everything
 * is added next to the page's own elements; nothing of main.ts is replaced.
 */
import { z } from 'zod';
import { h } from '../dom.ts';
import { LabsPane } from '../labs/labs-pane.ts';
import type { RunResponse, SimulationClient } from '../run-client.ts';
import { SharePane } from '../share/share-pane.ts';
import { WizardPane } from '../wizards/wizard-pane.ts';
import { Workbench, type RunPlan } from './workbench.ts';

// Bundles and lab files are checked with zod on the page too; under the page's CSP (no
// 'unsafe-eval') zod must not probe `new Function` (see worker.ts).
z.config({ jitless: true });

export interface SandboxDeps {
  textarea: HTMLTextAreaElement;
  editorPanel: HTMLDetailsElement;
  report: HTMLElement;
  seedInput: HTMLInputElement;
  client: SimulationClient;
  bundledFiles: Readonly<Record<string, string>>;
  pageEntry(): string;
  run(): void;
  setStatus(text: string, kind: 'idle' | 'busy' | 'ok' | 'error'): void;
}

export interface SandboxPanes {
  workbench: Workbench;
  share: SharePane;
  labs: LabsPane;
  /** What Run sends; `pageFiles` are the files the page would have sent (bundle + its editor text). */
  plan(pageFiles: Record<string, string>): RunPlan;
  afterRun(plan: RunPlan, response: RunResponse): void;
}

export function mountSandboxPanes(deps: SandboxDeps): SandboxPanes {
  const workbench = new Workbench({ textarea: deps.textarea, bundledFiles: deps.bundledFiles, pageEntry: deps.pageEntry, run: deps.run });
  const wizards = new WizardPane(workbench);
  const share = new SharePane({ workbench, seedInput: deps.seedInput, bundledFiles: deps.bundledFiles, setStatus: deps.setStatus });
  const labs = new LabsPane({ workbench, client: deps.client, bundledFiles: deps.bundledFiles, setStatus: deps.setStatus });
  const toolbar = h('div', { class: 'edit-toolbar' }, wizards.element, share.element);
  workbench.editor.element.before(toolbar, wizards.formElement);
  deps.editorPanel.open = true;
  deps.editorPanel.before(labs.element);
  deps.report.after(workbench.compareSection);
  return {
    workbench,
    share,
    labs,
    plan: (pageFiles) => workbench.plan(pageFiles),
    afterRun: (plan, response) => workbench.afterRun(plan, response),
  };
}
