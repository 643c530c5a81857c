/**
 * Page entry: pick a bundled scenario (or paste / load YAML, or open `?scenario=NAME` from
 * `meshsim serve`), run it in the simulation worker, draw the graph and the tables.
 */
import './style.css';
import type { MeshsimAutomation } from './automation.ts';
import { h } from './dom.ts';
import { layoutGraph } from './layout.ts';
import { buildGraph } from './model.ts';
import type { RunOutcome } from './protocol.ts';
import { renderGraph } from './render-graph.ts';
import { ReplayView } from './replay/replay-view.ts';
import { renderClients, renderDiagnostics, renderEdges, renderExpectations, renderFacts } from './render-report.ts';
import { SimulationClient, type FileFetcher, type RunResponse } from './run-client.ts';
import { bundledFiles, bundledScenarios, fetchablePath } from './scenarios.ts';
import { mountSandboxPanes } from './edit/mount.ts';

const client = new SimulationClient();
/** Finished runs so far, mirrored in <body data-runs> so scripts can wait for the next result. */
let runs = 0;
/** The replay of the run on screen (time travel over its trace); replaced by each run. */
let replay: ReplayView | null = null;
(window as unknown as { meshsimReplay: () => ReplayView | null }).meshsimReplay = () => replay;

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`page is missing #${id}`);
  return el as T;
}

const ui = {
  scenario: byId<HTMLSelectElement>('scenario'),
  seed: byId<HTMLInputElement>('seed'),
  run: byId<HTMLButtonElement>('run'),
  file: byId<HTMLInputElement>('file'),
  editor: byId<HTMLTextAreaElement>('editor'),
  editorPanel: byId<HTMLDetailsElement>('editor-panel'),
  status: byId<HTMLElement>('status'),
  graph: byId<HTMLElement>('graph'),
  replayControls: byId<HTMLElement>('replay-controls'),
  replayLanes: byId<HTMLElement>('replay-lanes'),
  inspector: byId<HTMLElement>('inspector'),
  report: byId<HTMLElement>('report'),
};

/** Where the editor's text came from; decides its path and which files it can read. */
interface Source {
  entry: string;
  /** Files are fetched from the serving origin (meshsim serve) instead of the bundle. */
  fromServer: boolean;
}
let source: Source = { entry: '', fromServer: false };

/** Tabbed editor with inline errors, wizards, share, before/after and labs (viz/src/edit/mount.ts). */
const panes = mountSandboxPanes({ textarea: ui.editor, editorPanel: ui.editorPanel, report: ui.report, seedInput: ui.seed, client, bundledFiles, pageEntry: () => source.entry, run: () => void runCurrent(), setStatus });

const canFetch = location.protocol === 'http:' || location.protocol === 'https:';

const fetchFile: FileFetcher = async (path) => {
  if (!fetchablePath(path)) return null;
  try {
    const res = await fetch(path, { cache: 'no-store', credentials: 'same-origin' });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
};

function setStatus(text: string, kind: 'idle' | 'busy' | 'ok' | 'error' = 'idle'): void {
  ui.status.textContent = text;
  ui.status.dataset.kind = kind;
}

function fillScenarioList(): void {
  ui.scenario.replaceChildren(...bundledScenarios.map((p) => h('option', { value: p }, p.replace(/^scenarios\//, ''))));
}

function selectBundled(path: string): void {
  ui.scenario.value = path;
  ui.editor.value = bundledFiles[path] ?? '';
  source = { entry: path, fromServer: false };
}

function addCustomOption(value: string, label: string): void {
  for (const o of [...ui.scenario.options]) if (o.value === value) o.remove();
  ui.scenario.prepend(h('option', { value }, label));
  ui.scenario.value = value;
}

async function runCurrent(): Promise<void> {
  const seedText = ui.seed.value.trim();
  if (seedText !== '' && !/^\d+$/.test(seedText)) {
    setStatus('Seed must be a whole number ≥ 0.', 'error');
    return;
  }
  ui.run.disabled = true;
  setStatus(`Running ${source.entry} in the worker…`, 'busy');
  const files: Record<string, string> = source.fromServer ? {} : { ...bundledFiles };
  files[source.entry] = ui.editor.value;
  const plan = panes.plan(files);
  try {
    const response = await client.run({ entry: plan.entry, files: plan.files, apply: plan.apply, seed: seedText === '' ? undefined : Number(seedText), trace: true }, canFetch ? fetchFile : undefined);
    show(response);
    panes.afterRun(plan, response);
  } finally {
    ui.run.disabled = false;
    document.body.dataset.runs = String(++runs);
  }
}

function show(response: RunResponse): void {
  replay?.destroy();
  replay = null;
  ui.report.replaceChildren();
  if (response.kind === 'invalid') {
    ui.graph.replaceChildren();
    ui.report.append(renderDiagnostics(response.diagnostics, 'The scenario has errors'));
    setStatus(`Invalid input: ${response.diagnostics.length} problem(s).`, 'error');
    return;
  }
  if (response.kind === 'crash') {
    ui.graph.replaceChildren();
    ui.report.append(renderDiagnostics([response.message], 'The simulation failed (a meshsim bug)'));
    setStatus('The simulation failed.', 'error');
    return;
  }
  showOutcome(response.outcome);
}

function showOutcome(outcome: RunOutcome): void {
  const s = outcome.summary;
  const model = buildGraph(s, outcome.workloads, outcome.clients, outcome.services);
  const layout = layoutGraph(model, s.seed);
  renderGraph(ui.graph, model, layout);
  if (outcome.trace) replay = new ReplayView({ outcome, model, layout, graph: ui.graph, controls: ui.replayControls, lanes: ui.replayLanes, inspector: ui.inspector });
  const parts: HTMLElement[] = [renderFacts(outcome)];
  if (outcome.budgetMessage) parts.push(renderDiagnostics([outcome.budgetMessage], 'Run stopped early'));
  parts.push(renderExpectations(s.expectations), renderClients(s.clients), renderEdges(s.edges));
  if (s.diagnostics.length > 0) parts.push(renderDiagnostics(s.diagnostics.map((d) => `${d.source ? `${d.source}: ` : ''}${d.level} ${d.code}${d.resource ? ` (${d.resource})` : ''}: ${d.message}`), 'Diagnostics'));
  ui.report.replaceChildren(...parts);
  const failed = s.expectations.filter((v) => !v.passed).length;
  setStatus(
    `Ran ${s.scenario}: ${s.events} events, ${(s.simulatedMs / 1000).toFixed(1)} s simulated in ${Math.round(outcome.runMs)} ms. ` +
      (s.expectations.length === 0 ? 'No expectations.' : failed === 0 ? 'All expectations hold.' : `${failed} expectation(s) failed.`),
    failed === 0 && !outcome.budgetMessage ? 'ok' : 'error',
  );
}

async function loadFromQuery(): Promise<boolean> {
  const name = new URLSearchParams(location.search).get('scenario');
  if (!name) return false;
  const path = `scenarios/${name.replace(/^\/+/, '')}`;
  if (canFetch && fetchablePath(path)) {
    const text = await fetchFile(path);
    if (text !== null) {
      addCustomOption(path, `${name} (served)`);
      ui.editor.value = text;
      source = { entry: path, fromServer: true };
      return true;
    }
  }
  if (bundledFiles[path] !== undefined) {
    selectBundled(path);
    return true;
  }
  setStatus(`Scenario ${name} was not found; showing a bundled one.`, 'error');
  return false;
}

function wire(): void {
  ui.scenario.addEventListener('change', () => {
    const path = ui.scenario.value;
    if (bundledFiles[path] !== undefined) selectBundled(path);
  });
  ui.run.addEventListener('click', () => void runCurrent());
  ui.editor.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) {
      ev.preventDefault();
      void runCurrent();
    }
  });
  ui.file.addEventListener('change', async () => {
    const f = ui.file.files?.[0];
    if (!f) return;
    const base = f.name.replace(/[^A-Za-z0-9_.-]/g, '_').replace(/^\.+/, '_');
    // Under scenarios/ so that relative manifest paths resolve against the bundled folders.
    const path = `scenarios/${base}`;
    ui.editor.value = await f.text();
    addCustomOption(path, `${f.name} (loaded)`);
    source = { entry: path, fromServer: false };
    ui.editorPanel.open = true;
    ui.file.value = '';
    ui.run.disabled = false;
    setStatus(`Loaded ${f.name}. Press Run.`);
  });
}

const automation: MeshsimAutomation = {
  scenarios: () => [...bundledScenarios],
  async runBundled(path) {
    if (bundledFiles[path] === undefined) throw new Error(`no bundled scenario ${path}`);
    const r = await client.run({ entry: path, files: { ...bundledFiles } });
    if (r.kind === 'done') return r.outcome;
    throw new Error(r.kind === 'invalid' ? r.diagnostics.join('\n') : r.message);
  },
};
(window as unknown as { meshsim: MeshsimAutomation }).meshsim = automation;

async function start(): Promise<void> {
  fillScenarioList();
  wire();
  const fromQuery = await loadFromQuery();
  if (!fromQuery) {
    const initial = bundledScenarios.find((p) => p === 'scenarios/bookinfo.yaml') ?? bundledScenarios[0];
    if (initial) selectBundled(initial);
  }
  ui.run.disabled = source.entry === '';
  if (ui.status.dataset.kind !== 'error') setStatus(source.entry ? 'Ready. Press Run to simulate in a Web Worker.' : 'No scenarios bundled; load a YAML file.');
  await panes.share.loadFromFragment();
  document.body.dataset.ready = 'true';
}

void start();
