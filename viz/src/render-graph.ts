/**
 * Draws the graph view model as SVG with d3 selections. Every name reaches the page through
 * `.text()` (textContent), never as markup.
 */
import { select } from 'd3';
import { LAYOUT, type Layout } from './layout.ts';
import { edgeLabelLines, type GraphEdge, type GraphModel, type GraphNode, type Health } from './model.ts';

export function renderGraph(container: HTMLElement, model: GraphModel, layout: Layout): void {
  container.replaceChildren();
  if (model.nodes.length === 0) {
    const p = document.createElement('p');
    p.className = 'empty';
    p.textContent = 'No workloads to draw.';
    container.append(p);
    return;
  }
  const { bounds } = layout;
  const svg = select(container)
    .append('svg')
    .attr('class', 'graph')
    .attr('role', 'img')
    .attr('aria-label', 'Service graph')
    .attr('viewBox', `${bounds.x} ${bounds.y} ${bounds.width} ${bounds.height}`)
    .attr('width', bounds.width)
    .attr('height', bounds.height);

  const defs = svg.append('defs');
  for (const h of ['healthy', 'degraded', 'failure', 'idle'] satisfies Health[]) {
    defs
      .append('marker')
      .attr('id', `arrow-${h}`)
      .attr('viewBox', '0 0 10 10')
      .attr('refX', 9)
      .attr('refY', 5)
      .attr('markerUnits', 'userSpaceOnUse')
      .attr('markerWidth', 11)
      .attr('markerHeight', 11)
      .attr('orient', 'auto-start-reverse')
      .append('path')
      .attr('d', 'M0,0 L10,5 L0,10 z')
      .attr('class', `arrow health-${h}`);
  }

  svg
    .append('g')
    .attr('class', 'namespaces')
    .selectAll('g')
    .data(layout.boxes)
    .join('g')
    .attr('class', 'namespace')
    .attr('data-namespace', (b) => b.namespace)
    .call((g) =>
      g
        .append('rect')
        .attr('x', (b) => b.x)
        .attr('y', (b) => b.y)
        .attr('width', (b) => b.width)
        .attr('height', (b) => b.height)
        .attr('rx', 8),
    )
    .call((g) =>
      g
        .append('text')
        .attr('x', (b) => b.x + 10)
        .attr('y', (b) => b.y + 18)
        .text((b) => b.namespace),
    );

  const pos = (id: string) => layout.nodes.get(id)!;
  const edgeGeometry = (e: GraphEdge) => edgeEnds(layout, e);

  const edges = model.edges.filter((e) => e.source !== e.target);
  svg
    .append('g')
    .attr('class', 'edges')
    .selectAll('line')
    .data(edges)
    .join('line')
    .attr('class', (e) => `edge health-${e.health}`)
    .attr('data-edge', (e) => e.id)
    .attr('x1', (e) => edgeGeometry(e).x1)
    .attr('y1', (e) => edgeGeometry(e).y1)
    .attr('x2', (e) => edgeGeometry(e).x2)
    .attr('y2', (e) => edgeGeometry(e).y2)
    .attr('stroke-width', (e) => (e.requests === 0 ? 1 : 1.5 + Math.min(3, Math.log10(e.requests + 1))))
    .attr('marker-end', (e) => `url(#arrow-${e.health})`);

  const nodes = svg
    .append('g')
    .attr('class', 'nodes')
    .selectAll('g')
    .data(model.nodes)
    .join('g')
    .attr('class', (n) => `node kind-${n.kind} health-${n.health}`)
    .attr('data-node', (n) => n.label)
    .attr('transform', (n) => `translate(${pos(n.id).x},${pos(n.id).y})`);
  nodes.append('path').attr('class', 'shape').attr('d', (n) => nodeShape(n));
  nodes
    .append('text')
    .attr('class', 'node-label')
    .attr('y', LAYOUT.nodeRadius + 16)
    .attr('text-anchor', 'middle')
    .text((n) => n.label);
  nodes.append('title').text((n) => nodeTitle(n));

  const labels = svg
    .append('g')
    .attr('class', 'edge-labels')
    .selectAll('g')
    .data(edges.filter((e) => layout.labels.has(e.id)))
    .join('g')
    .attr('class', 'edge-label')
    .attr('data-edge', (e) => e.id)
    .attr('transform', (e) => `translate(${layout.labels.get(e.id)!.x},${layout.labels.get(e.id)!.y})`);
  labels.append('rect').attr('x', -62).attr('y', -15).attr('width', 124).attr('height', 30).attr('rx', 4);
  labels
    .append('text')
    .attr('text-anchor', 'middle')
    .call((t) => t.append('tspan').attr('x', 0).attr('y', -3).text((e) => edgeLabelLines(e)[0]))
    .call((t) => t.append('tspan').attr('x', 0).attr('y', 11).text((e) => edgeLabelLines(e)[1]));
  labels.append('title').text((e) => `${e.services.join(', ')}: ${e.requests} requests, ${e.errorPercent.toFixed(2)}% 5xx, ${e.clientErrorPercent.toFixed(2)}% 4xx`);

  // Size label backgrounds to their text now that it is laid out.
  labels.each(function () {
    const g = this as SVGGElement;
    const text = g.querySelector('text');
    const rect = g.querySelector('rect');
    if (!text || !rect) return;
    const box = text.getBBox();
    if (box.width === 0) return;
    rect.setAttribute('x', String(Math.floor(box.x - 5)));
    rect.setAttribute('y', String(Math.floor(box.y - 2)));
    rect.setAttribute('width', String(Math.ceil(box.width + 10)));
    rect.setAttribute('height', String(Math.ceil(box.height + 4)));
  });
}

function nodeShape(n: GraphNode): string {
  const r = LAYOUT.nodeRadius;
  switch (n.kind) {
    case 'workload':
      return `M${-r},0 a${r},${r} 0 1,0 ${2 * r},0 a${r},${r} 0 1,0 ${-2 * r},0`;
    case 'client': {
      const s = r * 0.9;
      return `M${-s},${-s} H${s} V${s} H${-s} Z`;
    }
    case 'service':
      return `M0,${-r - 2} L${r + 2},${r - 2} L${-r - 2},${r - 2} Z`;
    case 'unknown':
      return `M0,${-r} L${r},0 L0,${r} L${-r},0 Z`;
  }
}

function nodeTitle(n: GraphNode): string {
  const where = n.namespace === null ? 'outside the mesh' : `namespace ${n.namespace}`;
  const kind = { workload: 'workload', service: 'service; no workload answered these requests', client: 'traffic client', unknown: 'host outside the registry' }[n.kind];
  return `${n.label} (${kind}, ${where}); ${n.requestsIn} requests in`;
}

/** Where an edge's line starts and ends: on the rims of its two nodes. */
export function edgeEnds(layout: Layout, e: Pick<GraphEdge, 'source' | 'target'>): { x1: number; y1: number; x2: number; y2: number } {
  const s = layout.nodes.get(e.source)!;
  const t = layout.nodes.get(e.target)!;
  const dx = t.x - s.x;
  const dy = t.y - s.y;
  const len = Math.hypot(dx, dy) || 1;
  const r = LAYOUT.nodeRadius + 2;
  return {
    x1: s.x + (dx / len) * r,
    y1: s.y + (dy / len) * r,
    x2: t.x - (dx / len) * (r + 2),
    y2: t.y - (dy / len) * (r + 2),
  };
}

export interface LiveEdge {
  lines: [string, string];
  health: Health;
  title: string;
  /** Requests counted up to the cursor (tests and scripts read it from data-requests). */
  requests: number;
}

/**
 * Replay: rewrites edge labels, health colours and node health in place for the cursor time;
 * edges missing from `edges` are drawn idle. Elements are looked up once per call by data-edge.
 */
export function updateGraphLive(container: HTMLElement, edges: ReadonlyMap<string, LiveEdge>, nodeHealth: ReadonlyMap<string, Health>): void {
  const svg = select(container).select<SVGSVGElement>('svg.graph');
  svg.selectAll<SVGLineElement, GraphEdge>('line.edge').each(function (e) {
    const live = edges.get(e.id);
    const health = live?.health ?? 'idle';
    this.setAttribute('class', `edge health-${health}`);
    this.setAttribute('marker-end', `url(#arrow-${health})`);
    this.dataset.requests = String(live?.requests ?? 0);
  });
  svg.selectAll<SVGGElement, GraphEdge>('g.edge-label').each(function (e) {
    const live = edges.get(e.id);
    const spans = this.querySelectorAll('tspan');
    const lines = live?.lines ?? ['0 req', '-'];
    if (spans[0] && spans[0].textContent !== lines[0]) spans[0].textContent = lines[0];
    if (spans[1] && spans[1].textContent !== lines[1]) spans[1].textContent = lines[1];
    this.dataset.requests = String(live?.requests ?? 0);
    const title = this.querySelector('title');
    if (title) title.textContent = live?.title ?? 'no requests yet';
    this.classList.toggle('idle', !live || live.requests === 0);
  });
  svg.selectAll<SVGGElement, GraphNode>('g.node').each(function (n) {
    const health = nodeHealth.get(n.id) ?? 'idle';
    const cls = `node kind-${n.kind} health-${health}`;
    if (this.getAttribute('class') !== cls) this.setAttribute('class', cls);
  });
}

const BADGE_TEXT: Record<string, [string, string]> = {
  'virtual-service': ['VS', 'A VirtualService routes to this workload'],
  fault: ['fault', 'A VirtualService injects faults on its way here'],
  'circuit-breaker': ['CB', 'A DestinationRule sets a circuit breaker (connectionPool or outlierDetection)'],
  mtls: ['mTLS', 'A STRICT PeerAuthentication covers this workload'],
  'no-sidecar': ['no sidecar', 'Sidecar injection is off for this workload'],
};

/** Small labelled pills above nodes (Kiali's badges), by node id. */
export function renderBadges(container: HTMLElement, layout: Layout, badges: ReadonlyMap<string, readonly string[]>): void {
  const svg = select(container).select<SVGSVGElement>('svg.graph');
  svg.selectAll('g.badges').remove();
  const root = svg.append('g').attr('class', 'badges');
  for (const [id, list] of badges) {
    const p = layout.nodes.get(id);
    if (!p || list.length === 0) continue;
    const widths = list.map((b) => 8 + 6.2 * (BADGE_TEXT[b]?.[0] ?? b).length);
    let x = p.x - (widths.reduce((a, w) => a + w, 0) + 3 * (list.length - 1)) / 2;
    list.forEach((b, i) => {
      const [text, title] = BADGE_TEXT[b] ?? [b, b];
      const g = root.append('g').attr('class', `badge badge-${b}`).attr('data-badge', b).attr('transform', `translate(${x},${p.y - LAYOUT.nodeRadius - 17})`);
      g.append('rect').attr('width', widths[i]).attr('height', 13).attr('rx', 6);
      g.append('text').attr('x', widths[i] / 2).attr('y', 10).attr('text-anchor', 'middle').text(text);
      g.append('title').text(title);
      x += widths[i] + 3;
    });
  }
}
