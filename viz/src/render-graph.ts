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
  const edgeGeometry = (e: GraphEdge) => {
    const s = pos(e.source);
    const t = pos(e.target);
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
  };

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
