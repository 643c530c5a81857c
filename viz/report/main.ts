/**
 * The HTML report page: reads the run's data from the inert JSON block the CLI embedded and
 * draws the header, expectation verdicts, the service graph (the sandbox's own model, layout and
 * renderer, so both pictures agree), time charts and the summary tables. No network, no storage.
 */
import '../src/style.css';
import './report.css';
import type { ReportData } from '../../sim/index.ts';
import { h } from '../src/dom.ts';
import { buildGraph, formatMs, formatPercent } from '../src/model.ts';
import { layoutGraph } from '../src/layout.ts';
import { renderGraph } from '../src/render-graph.ts';
import { renderClients, renderEdges, renderExpectations } from '../src/render-report.ts';
import { codeColour, flagColour, lineChart, PALETTE, stackedBars, type Marker } from './charts.ts';

function readData(): ReportData {
  const el = document.getElementById('report-data');
  if (!el || !el.textContent) throw new Error('report data block is missing');
  return JSON.parse(el.textContent) as ReportData;
}

function header(d: ReportData): HTMLElement {
  const s = d.summary;
  const fact = (k: string, v: string) => h('div', { class: 'fact' }, h('dt', {}, k), h('dd', {}, v));
  const failed = s.expectations.filter((v) => !v.passed).length;
  const verdict = s.expectations.length === 0 ? 'no expectations' : failed === 0 ? `all ${s.expectations.length} expectations hold` : `${failed} of ${s.expectations.length} expectations failed`;
  return h(
    'header',
    { class: 'report-header', 'data-testid': 'header' },
    h('div', { class: 'title-row' }, h('h1', {}, d.header.scenario), h('span', { class: `verdict ${failed > 0 ? 'fail' : 'pass'}` }, verdict)),
    h(
      'dl',
      { class: 'facts' },
      fact('seed', String(d.header.seed)),
      fact('simulated', `${(s.simulatedMs / 1000).toFixed(3)} s`),
      fact('events', String(s.events)),
      fact('meshsim', d.header.meshsimVersion),
      fact('istio profile', d.header.istioVersion),
      fact('trace format', String(d.header.format)),
      fact('input hash', d.header.inputHash.slice(0, 16)),
      fact('trace hash', s.traceHash),
    ),
    h('div', { class: 'replay' }, h('span', {}, 'Replay: '), h('code', {}, d.replay)),
  );
}

function section(title: string, testId: string, ...children: (Node | string)[]): HTMLElement {
  return h('section', { class: 'panel', 'data-testid': testId }, h('h2', {}, title), ...children);
}

function graphSection(d: ReportData): HTMLElement {
  const container = h('div', { class: 'graph-host', id: 'graph' });
  const legend = h(
    'div',
    { class: 'legend' },
    'Edges: requests (upstream attempts, retries included) · share of the caller\u2019s traffic · p99. Health as Kiali:',
    h('span', { class: 'swatch health-healthy' }),
    'healthy',
    h('span', { class: 'swatch health-degraded' }),
    'degraded',
    h('span', { class: 'swatch health-failure' }),
    'failing',
    h('span', { class: 'swatch health-idle' }),
    'no traffic',
    h('span', { class: 'shapes' }, '● workload  ■ client  ▲ service without workload  ◆ unknown host'),
  );
  const panel = section('Service graph', 'graph', legend, container, edgeRates(d));
  // Drawn after the panel is in the document: label backgrounds are sized from the laid-out text.
  queueMicrotask(() => {
    const model = buildGraph(d.summary, d.workloads, d.clients, d.services);
    renderGraph(container, model, layoutGraph(model, d.header.seed));
  });
  return panel;
}

/** Per-edge rate (requests per simulated second) and split, the numbers Kiali prints on edges. */
function edgeRates(d: ReportData): HTMLElement {
  const seconds = d.summary.simulatedMs / 1000;
  const total = new Map<string, number>();
  for (const e of d.summary.edges) total.set(e.source, (total.get(e.source) ?? 0) + e.requests);
  const rows = d.summary.edges.map((e) => {
    const errors = Object.entries(e.codes).reduce((n, [c, k]) => (Number(c) === 0 || Number(c) >= 500 ? n + k : n), 0);
    return h(
      'tr',
      {},
      h('td', {}, e.source),
      h('td', {}, `${e.service}${e.version ? ` ${e.version}` : ''}`),
      h('td', {}, e.destination ?? '(none)'),
      h('td', { class: 'num' }, seconds > 0 ? (e.requests / seconds).toFixed(2) : '–'),
      h('td', { class: 'num' }, formatPercent((100 * e.requests) / (total.get(e.source) || 1))),
      h('td', { class: 'num' }, e.requests > 0 ? formatPercent((100 * errors) / e.requests) : '–'),
      h('td', { class: 'num' }, e.requests > 0 ? formatMs(e.latencyMs.p50) : '–'),
      h('td', { class: 'num' }, e.requests > 0 ? formatMs(e.latencyMs.p99) : '–'),
    );
  });
  return h(
    'table',
    { class: 'data', 'data-testid': 'edge-rates' },
    h('caption', {}, 'Edge rates and split (requests per simulated second; % of the caller\u2019s attempts)'),
    h('thead', {}, h('tr', {}, ...['source', 'service', 'destination', 'req/s', '% of source', 'errors', 'p50', 'p99'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows),
  );
}

function chartsSection(d: ReportData): HTMLElement {
  const grid = h('div', { class: 'charts' });
  const panel = section('Over time', 'charts', grid);
  const ts = d.series;
  const durationMs = Math.max(d.summary.simulatedMs, ts.steps * ts.stepMs);
  // "apply bookinfo/virtual-service-reviews-v3.yaml" → "apply virtual-service-reviews-v3.yaml": the file name is what tells steps apart.
  const marks: Marker[] = ts.timeline.map((t) => ({ timeMs: t.timeMs, label: t.label.replace(/(\S*\/)+/g, '') }));
  queueMicrotask(() => {
    const cell = () => {
      const c = h('div', { class: 'chart-cell' });
      grid.append(c);
      return c;
    };
    const lines = ts.latency.flatMap((l, i) => [
      { name: `${l.client} p50`, colour: PALETTE[i % PALETTE.length], dash: true, values: l.p50 },
      { name: `${l.client} p90`, colour: PALETTE[(i + 1) % PALETTE.length], dash: true, values: l.p90 },
      { name: `${l.client} p99`, colour: PALETTE[i % PALETTE.length], dash: false, values: l.p99 },
    ]);
    lineChart(cell(), 'Client latency percentiles per step', 'chart-latency', durationMs, ts.stepMs, lines, marks, 'ms');
    stackedBars(cell(), 'Client responses by status code', 'chart-codes', durationMs, ts.stepMs, ts.codes.map((c) => ({ name: c.name === '0' ? '0 (no response)' : c.name, colour: codeColour(c.name), values: c.values })), marks, 'responses / step');
    const flags = ts.flags.filter((f) => f.name !== '-');
    if (flags.length > 0) {
      stackedBars(cell(), 'Upstream attempts with response flags', 'chart-flags', durationMs, ts.stepMs, flags.map((f, i) => ({ name: f.name, colour: flagColour(f.name, i), values: f.values })), marks, 'attempts / step');
    } else {
      cell().append(h('figure', { class: 'chart empty-chart', 'data-testid': 'chart-flags' }, h('figcaption', {}, 'Upstream response flags'), h('p', { class: 'empty' }, 'No attempt carried a response flag (no UT, UO, FI, NR, UH …).')));
    }
    for (const s of ts.split.filter((x) => x.versions.length > 1)) {
      stackedBars(cell(), `Split of ${s.edge} by destination version (first attempts)`, 'chart-split', durationMs, ts.stepMs, s.versions.map((v, i) => ({ name: v.name, colour: v.name.startsWith('no workload') ? '#9a9a9a' : PALETTE[i % PALETTE.length], values: v.values })), marks, '% of calls', true);
    }
  });
  return panel;
}

function timelineSection(d: ReportData): HTMLElement | null {
  if (d.series.timeline.length === 0) return null;
  return section(
    'Timeline',
    'timeline',
    h('ol', { class: 'timeline' }, ...d.series.timeline.map((t) => h('li', {}, h('code', {}, `${(t.timeMs / 1000).toFixed(3)}s`), ` ${t.action}: `, t.label))),
  );
}

function main(): void {
  const root = document.getElementById('report');
  if (!root) throw new Error('#report is missing');
  const d = readData();
  root.append(header(d));
  if (d.budgetMessage) root.append(h('p', { class: 'budget' }, `Run cut short: ${d.budgetMessage}`));
  root.append(section('Expectations', 'verdicts', renderExpectations(d.summary.expectations)));
  root.append(graphSection(d));
  root.append(chartsSection(d));
  const tl = timelineSection(d);
  if (tl) root.append(tl);
  root.append(section('Tables', 'tables', renderClients(d.summary.clients), renderEdges(d.summary.edges)));
  root.append(h('footer', {}, `meshsim ${d.header.meshsimVersion} · same inputs and seed give the same run; times are simulated.`));
}

main();
