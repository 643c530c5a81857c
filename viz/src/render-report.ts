/**
 * Tables under the graph: run facts, clients, edges, expectations, diagnostics.
 */
import type { ClientSummary, EdgeSummary, LatencySummaryMs, RunSummary, Verdict } from '../../sim/index.ts';
import { h } from './dom.ts';
import { formatMs, formatPercent } from './model.ts';
import type { RunOutcome } from './protocol.ts';

function codesText(codes: Record<string, number>): string {
  const keys = Object.keys(codes).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return keys.map((k) => `${k}: ${codes[k]}`).join(', ');
}

function latencyCells(l: LatencySummaryMs, requests: number): HTMLTableCellElement[] {
  const cell = (v: number) => h('td', { class: 'num' }, requests > 0 ? formatMs(v) : '–');
  return [cell(l.p50), cell(l.p90), cell(l.p99), cell(l.max)];
}

function table(caption: string, head: string[], rows: HTMLTableRowElement[], testId: string): HTMLElement {
  return h(
    'table',
    { class: 'data', 'data-testid': testId },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, ...rows),
  );
}

export function renderFacts(outcome: RunOutcome): HTMLElement {
  const s: RunSummary = outcome.summary;
  const fact = (k: string, v: string) => h('div', { class: 'fact' }, h('dt', {}, k), h('dd', {}, v));
  return h(
    'dl',
    { class: 'facts', 'data-testid': 'facts' },
    fact('scenario', s.scenario),
    fact('seed', String(s.seed)),
    fact('simulated', `${(s.simulatedMs / 1000).toFixed(3)} s`),
    fact('events', String(s.events)),
    fact('trace hash', s.traceHash),
    fact('worker time', `${Math.round(outcome.runMs)} ms`),
  );
}

export function renderClients(clients: readonly ClientSummary[]): HTMLElement {
  const rows = clients.map((c) => {
    const ok = Object.entries(c.codes).reduce((n, [code, k]) => (Number(code) >= 200 && Number(code) < 400 ? n + k : n), 0);
    return h('tr', {}, h('td', {}, c.name), h('td', { class: 'num' }, c.requests), h('td', { class: 'num' }, c.requests > 0 ? formatPercent((100 * ok) / c.requests) : '–'), h('td', {}, codesText(c.codes)), ...latencyCells(c.latencyMs, c.requests));
  });
  return table('Clients', ['client', 'requests', 'success', 'codes', 'p50', 'p90', 'p99', 'max'], rows, 'clients');
}

export function renderEdges(edges: readonly EdgeSummary[]): HTMLElement {
  const total = new Map<string, number>();
  for (const e of edges) total.set(e.source, (total.get(e.source) ?? 0) + e.requests);
  const rows = edges.map((e) =>
    h(
      'tr',
      {},
      h('td', {}, e.source),
      h('td', {}, e.destination ?? '(none)'),
      h('td', {}, e.service),
      h('td', {}, e.version ?? '–'),
      h('td', { class: 'num' }, e.requests),
      h('td', { class: 'num' }, formatPercent((100 * e.requests) / (total.get(e.source) || 1))),
      h('td', {}, codesText(e.codes)),
      h('td', {}, codesText(e.flags)),
      ...latencyCells(e.latencyMs, e.requests),
    ),
  );
  return table('Edges (requests as seen by the calling proxy)', ['source', 'destination', 'service', 'version', 'requests', '% of source', 'codes', 'flags', 'p50', 'p90', 'p99', 'max'], rows, 'edges');
}

export function renderExpectations(verdicts: readonly Verdict[]): HTMLElement {
  if (verdicts.length === 0) return h('p', { class: 'empty', 'data-testid': 'expectations' }, 'This scenario states no expectations.');
  const passed = verdicts.filter((v) => v.passed).length;
  return h(
    'section',
    { class: 'expectations', 'data-testid': 'expectations' },
    h('h2', {}, `Expectations: ${passed} of ${verdicts.length} hold`),
    h(
      'ul',
      {},
      ...verdicts.map((v) =>
        h('li', { class: v.passed ? 'pass' : 'fail' }, h('span', { class: 'badge' }, v.passed ? 'PASS' : 'FAIL'), h('strong', {}, v.name), h('span', { class: 'detail' }, v.detail)),
      ),
    ),
  );
}

export function renderDiagnostics(lines: readonly string[], title: string): HTMLElement {
  return h('section', { class: 'diagnostics', 'data-testid': 'diagnostics' }, h('h2', {}, title), h('pre', {}, lines.join('\n')));
}
