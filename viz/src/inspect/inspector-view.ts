/**
 * The side panel: a request's "why" chain and span waterfall, or a workload's sidecars at the
 * cursor. Every name from the run goes in as text (h() children, d3 .text()), never as markup.
 */
import { scaleLinear, select } from 'd3';
import { h } from '../dom.ts';
import type { TraceView } from '../replay/columnar.ts';
import { requestChain, requestSpans } from './request-chain.ts';
import type { ProxySnapshot } from './proxy-state.ts';
import type { ProxyTables } from '../../../sim/index.ts';

function panelHeader(title: string, onClose: () => void): HTMLElement {
  const close = h('button', { type: 'button', class: 'close', 'aria-label': 'Close inspector' }, '×');
  close.addEventListener('click', onClose);
  return h('header', {}, h('h2', {}, title), close);
}

function table(head: string[], rows: (string | number)[][], testid?: string): HTMLTableElement {
  return h(
    'table',
    testid ? { 'data-testid': testid } : {},
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, String(c)))))),
  );
}

export function showRequest(panel: HTMLElement, view: TraceView, req: number, onClose: () => void): void {
  const chain = requestChain(view, req);
  const spans = requestSpans(view, req);
  panel.replaceChildren(panelHeader(`Request #${req}`, onClose));
  panel.dataset.inspecting = `request:${req}`;
  if (chain.length === 0) {
    panel.append(h('p', {}, 'No events name this request.'));
    panel.hidden = false;
    return;
  }
  panel.append(h('h3', {}, 'Why: the decisions, in order'), h('ol', { class: 'chain', 'data-testid': 'request-chain' }, ...chain.map((l) => h('li', { 'data-kind': l.kind }, l.text))));
  panel.append(h('h3', {}, 'Attempts'), waterfall(spans));
  panel.hidden = false;
}

function waterfall(spans: ReturnType<typeof requestSpans>): HTMLElement {
  const box = h('div', { class: 'waterfall', 'data-testid': 'waterfall' });
  if (spans.length === 0) return box;
  const t0 = Math.min(...spans.map((s) => s.startUs));
  const t1 = Math.max(...spans.map((s) => s.endUs), t0 + 1);
  const width = 380;
  const rowH = 18;
  const x = scaleLinear().domain([t0, t1]).range([0, width - 10]);
  const svg = select(box)
    .append('svg')
    .attr('viewBox', `0 0 ${width} ${spans.length * rowH + 16}`)
    .attr('width', width)
    .attr('height', spans.length * rowH + 16);
  const g = svg
    .selectAll('g')
    .data(spans)
    .join('g')
    .attr('class', (s) => `span${s.error ? ' error' : ''}`)
    .attr('transform', (_, i) => `translate(0,${i * rowH})`);
  g.append('rect')
    .attr('x', (s) => x(s.startUs))
    .attr('y', 2)
    .attr('height', rowH - 5)
    .attr('width', (s) => Math.max(2, x(s.endUs) - x(s.startUs)));
  g.append('text')
    .attr('x', (s) => 2 + s.depth * 10)
    .attr('y', rowH - 6)
    .text((s) => `${s.label} · ${((s.endUs - s.startUs) / 1000).toFixed(2)} ms`);
  svg
    .append('text')
    .attr('class', 'scale')
    .attr('x', 0)
    .attr('y', spans.length * rowH + 12)
    .text(`0 … ${((t1 - t0) / 1000).toFixed(2)} ms`);
  return box;
}

/** `istioctl proxy-config routes` and `clusters` of the config version installed at the cursor. */
function configTables(t: ProxyTables | null, version: number | null): HTMLElement[] {
  if (t === null) return [h('p', { class: 'muted' }, version === null ? 'No config installed yet.' : 'Config tables were not recorded for this run.')];
  return [
    h('h4', {}, `Route table, version ${version} (istioctl proxy-config routes)`),
    table(['NAME', 'VHOST NAME', 'DOMAINS', 'MATCH', 'VIRTUAL SERVICE', 'ROUTES TO'], t.routes.map((r) => [r.name, r.vhost, r.domains, r.match, r.virtualService, r.action]), 'proxy-route-table'),
    h('h4', {}, `Clusters, version ${version} (istioctl proxy-config clusters / endpoints)`),
    table(['SERVICE FQDN', 'PORT', 'SUBSET', 'DIRECTION', 'TYPE', 'DESTINATION RULE', 'ENDPOINTS'], t.clusters.map((c) => [c.serviceFqdn, c.port, c.subset || '-', c.direction, c.type, c.destinationRule || '-', c.endpoints.join(', ') || '-']), 'proxy-cluster-table'),
  ];
}

export function showProxies(
  panel: HTMLElement,
  workload: string,
  timeText: string,
  snapshots: ProxySnapshot[],
  onClose: () => void,
  tablesOf: (pod: string, version: number | null) => ProxyTables | null = () => null,
): void {
  panel.replaceChildren(panelHeader(`${workload} at ${timeText}`, onClose));
  panel.dataset.inspecting = `workload:${workload}`;
  if (snapshots.length === 0) panel.append(h('p', {}, 'No sidecar of this workload appears in the run (a client outside the mesh, or a service no workload answered).'));
  for (const s of snapshots) {
    const installed = s.configVersion === null ? 'no config push recorded' : `config version ${s.configVersion} installed`;
    const status = `${installed}; ${s.stale ? `STALE: version ${s.pendingVersion} sent, not yet applied` : 'SYNCED'}`;
    const section = h(
      'section',
      { class: 'proxy', 'data-pod': s.pod },
      h('h3', {}, `Sidecar of ${s.pod}`),
      h('p', { 'data-testid': 'proxy-status' }, `${status}; pod ${s.state ?? 'running'}${s.restarts > 0 ? `, ${s.restarts} restart(s)` : ''}`),
      ...configTables(tablesOf(s.pod, s.configVersion), s.configVersion),
      h('h4', {}, 'Routes matched so far'),
      s.routes.length === 0
        ? h('p', { class: 'muted' }, 'No outbound requests routed yet.')
        : table(['VIRTUAL HOST', 'VIRTUAL SERVICE', 'RULE', 'MATCH', 'OUTCOME', 'HITS'], s.routes.map((r) => [r.vhost, r.virtualService, r.rule < 0 ? '-' : r.rule, r.match < 0 ? '-' : r.match, r.outcome, r.hits]), 'proxy-routes'),
      h('h4', {}, 'Clusters and endpoints used'),
      s.clusters.length === 0
        ? h('p', { class: 'muted' }, 'No outbound attempts yet.')
        : table(['CLUSTER', 'ENDPOINTS (attempts)', 'ATTEMPTS', '5xx/000'], s.clusters.map((c) => [c.cluster, c.endpoints.map(([e, n]) => `${e} (${n})`).join(', '), c.attempts, c.errors]), 'proxy-clusters'),
      h('h4', {}, 'Outlier detection'),
      s.ejected.length === 0
        ? h('p', { class: 'muted', 'data-testid': 'proxy-outliers' }, 'No host ejected at this time.')
        : table(['CLUSTER', 'EJECTED HOST', 'SINCE'], s.ejected.map((e) => [e.cluster, e.host, `${(e.sinceUs / 1_000_000).toFixed(3)} s`]), 'proxy-outliers'),
    );
    panel.append(section);
  }
  panel.hidden = false;
}

/** Requests that finished shortly before the cursor, newest first; a click opens one. */
export function requestList(view: TraceView, tUs: number, limit: number, onPick: (req: number) => void): HTMLElement {
  const end = view.columns('client.end');
  const time = end.num('timeUs');
  const req = end.num('req');
  const code = end.num('code');
  const latency = end.num('latencyUs');
  // Rows are in time order: binary search for the last one at or before the cursor.
  let lo = 0;
  let hi = end.rows;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (time[mid] <= tUs) lo = mid + 1;
    else hi = mid;
  }
  const items: HTMLElement[] = [];
  for (let r = lo - 1; r >= 0 && items.length < limit; r--) {
    const c = code[r];
    const b = h('button', { type: 'button', class: `req${c === 0 || c >= 500 ? ' error' : ''}`, 'data-req': String(req[r]) }, `#${req[r]} ${end.str('client', r) ?? ''} → ${c === 0 ? '000' : c} in ${(latency[r] / 1000).toFixed(1)} ms at ${(time[r] / 1_000_000).toFixed(3)} s`);
    b.addEventListener('click', () => onPick(req[r]));
    items.push(h('li', {}, b));
  }
  return h('ul', { class: 'request-list', 'data-testid': 'request-list' }, ...items);
}
