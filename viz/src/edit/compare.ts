/**
 * Before/after view of two runs: the behavioural diff of sim/expect/diff.ts (the one `meshsim
 * diff` prints) as tables — every flow's destination shares side by side, edges added and
 * removed, codes and latency — and the two graphs next to each other.
 */
import { diffTraffic, type CodeChange, type FlowDiff, type LatencySummaryMs } from '../../../sim/index.ts';
import { h } from '../dom.ts';
import { layoutGraph } from '../layout.ts';
import { buildGraph } from '../model.ts';
import type { RunOutcome } from '../protocol.ts';
import { renderGraph } from '../render-graph.ts';

export interface RunRecord {
  /** "run 3" */
  label: string;
  entry: string;
  outcome: RunOutcome;
}

const pct = (share: number): string => `${(Math.round(share * 1000) / 10).toFixed(1)}%`;
const pts = (d: number): string => `${d > 0 ? '+' : ''}${d.toFixed(1)} pts`;
const dest = (d: { destination: string | null; version: string | null }): string => `${d.destination ?? '(no workload)'}${d.version ? ` (${d.version})` : ''}`;

function table(testid: string, head: string[], rows: (string | Node)[][]): HTMLElement {
  return h(
    'table',
    { class: 'compare-table', 'data-testid': testid },
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
  );
}

function flowName(f: FlowDiff): string {
  return `${f.source} → ${f.service}`;
}

function sharesTable(flows: readonly FlowDiff[]): HTMLElement {
  const rows: (string | Node)[][] = [];
  for (const f of flows) {
    for (const d of f.destinations) {
      const mark = f.status === 'added' ? 'new edge' : f.status === 'removed' ? 'edge gone' : d.significant ? 'moved' : d.deltaPoints === 0 ? '' : 'within noise';
      const row = [flowName(f), dest(d), `${pct(d.base.share)} (${d.base.count})`, `${pct(d.head.share)} (${d.head.count})`, pts(d.deltaPoints), mark];
      rows.push(row);
    }
  }
  const t = table('compare-shares', ['Flow', 'Destination', 'Before', 'After', 'Change', ''], rows);
  [...t.querySelectorAll('tbody tr')].forEach((tr, i) => {
    const mark = rows[i]![5];
    if (mark === 'moved' || mark === 'new edge' || mark === 'edge gone') tr.classList.add('compare-significant');
  });
  return t;
}

function codeRows(owner: string, codes: readonly CodeChange[], prefix = ''): (string | Node)[][] {
  return codes.filter((c) => c.significant).map((c) => [owner, `${prefix}${c.code}`, `${pct(c.base.share)} (${c.base.count})`, `${pct(c.head.share)} (${c.head.count})`, pts(c.deltaPoints)]);
}

function latencyCell(l: LatencySummaryMs | null, k: 'p50' | 'p99'): string {
  return l ? `${l[k]} ms` : '–';
}

function miniGraph(r: RunRecord): HTMLElement {
  const box = h('div', { class: 'compare-graph' });
  const o = r.outcome;
  const model = buildGraph(o.summary, o.workloads, o.clients, o.services);
  renderGraph(box, model, layoutGraph(model, o.summary.seed));
  // Not "svg.graph": the page's scripts and tests mean the main graph by that selector.
  box.querySelector('svg.graph')?.setAttribute('class', 'compare-svg');
  return h('figure', { class: 'compare-figure' }, h('figcaption', {}, `${r.label}: ${r.outcome.summary.scenario}, seed ${r.outcome.summary.seed}`), box);
}

export function renderCompare(before: RunRecord, after: RunRecord): HTMLElement {
  const b = before.outcome.summary;
  const a = after.outcome.summary;
  const notes: string[] = [];
  if (before.entry !== after.entry) notes.push(`The runs are of different files (${before.entry}, ${after.entry}); the diff compares whatever flows they share.`);
  if (b.seed !== a.seed) notes.push(`The seeds differ (${b.seed}, ${a.seed}), so arrivals differ too: small shifts are noise; "moved" marks only changes beyond chance (99.9 %).`);
  if (b.traceHash === a.traceHash) notes.push('Same trace hash: the two runs behaved identically.');
  const d = diffTraffic(b, a);
  const moved = d.flows.filter((f) => f.status !== 'same');
  const codes = [...d.clients.flatMap((c) => codeRows(`client ${c.name}`, c.codes)), ...d.flows.filter((f) => f.status === 'changed' || f.status === 'same').flatMap((f) => [...codeRows(flowName(f), f.codes), ...codeRows(flowName(f), f.flags, 'flag ')])];
  const summary =
    moved.length === 0 && codes.length === 0
      ? 'No change beyond chance between the two runs.'
      : `${moved.length} flow(s) changed: ${moved.map((f) => `${flowName(f)} (${f.status === 'changed' ? `${f.movedPercent}% moved` : f.status === 'added' ? 'new' : 'gone'})`).join(', ') || 'none'}; ${codes.length} code change(s).`;
  return h(
    'section',
    { class: 'compare', 'data-testid': 'compare' },
    h('h2', {}, `Before → after: ${before.label} → ${after.label}`),
    h('p', { class: 'compare-summary', 'data-testid': 'compare-summary' }, summary),
    ...notes.map((n) => h('p', { class: 'compare-note' }, n)),
    h('div', { class: 'compare-graphs' }, miniGraph(before), miniGraph(after)),
    h('h3', {}, 'Share of each flow by destination'),
    sharesTable(d.flows),
    h('h3', {}, 'Codes and flags that changed beyond chance'),
    codes.length === 0 ? h('p', {}, 'None.') : table('compare-codes', ['Where', 'Code', 'Before', 'After', 'Change'], codes),
    h('h3', {}, 'Client latency'),
    table(
      'compare-latency',
      ['Client', 'p50 before', 'p50 after', 'p99 before', 'p99 after'],
      d.clients.map((c) => [c.name, latencyCell(c.latencyMs.base, 'p50'), latencyCell(c.latencyMs.head, 'p50'), latencyCell(c.latencyMs.base, 'p99'), latencyCell(c.latencyMs.head, 'p99')]),
    ),
  );
}
