/**
 * Deterministic graph layout. Nodes start on a layered grid (left to right by call depth,
 * namespaces stacked in horizontal bands, rows in sorted order), then a d3-force simulation
 * tidies them: it is stopped at once and ticked a fixed number of times synchronously, with
 * `randomSource` seeded from the scenario seed, so the same run always draws the same picture.
 * No DOM here.
 */
import { forceCollide, forceLink, forceSimulation, forceX, forceY, randomLcg, type SimulationLinkDatum, type SimulationNodeDatum } from 'd3';
import { edgeLabelLines, type GraphModel } from './model.ts';

export const LAYOUT = {
  columnWidth: 250,
  rowHeight: 96,
  nodeRadius: 18,
  bandPadding: 56,
  bandGap: 28,
  ticks: 300,
} as const;

export interface NodePosition {
  id: string;
  x: number;
  y: number;
}

export interface NamespaceBox {
  namespace: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Centre of an edge label. */
export interface LabelPosition {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Layout {
  nodes: Map<string, NodePosition>;
  /** Label centres by edge id, for edges that carried traffic. */
  labels: Map<string, LabelPosition>;
  boxes: NamespaceBox[];
  /** Bounding box of everything drawn (nodes with their labels, boxes). */
  bounds: { x: number; y: number; width: number; height: number };
}

interface SimNode extends SimulationNodeDatum {
  id: string;
  homeX: number;
  homeY: number;
  bandTop: number;
  bandBottom: number;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Column of each node: the longest call path from a root (a node nobody calls), bounded so cycles
 * cannot loop forever. A node without any traffic joins the column of a busy node of the same app
 * (reviews-v3 beside reviews-v1), or a column of its own after the last one.
 */
function depths(model: GraphModel): Map<string, number> {
  const depth = new Map<string, number>(model.nodes.map((n) => [n.id, 0]));
  const limit = model.nodes.length;
  for (let round = 0; round < limit; round++) {
    let changed = false;
    for (const e of model.edges) {
      if (e.source === e.target) continue;
      const d = depth.get(e.source)! + 1;
      if (d > depth.get(e.target)! && d <= limit) {
        depth.set(e.target, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const connected = new Set(model.edges.flatMap((e) => [e.source, e.target]));
  if (connected.size === 0) return depth;
  const appColumn = new Map<string, number>();
  for (const n of model.nodes) {
    if (n.app !== null && connected.has(n.id) && !appColumn.has(`${n.namespace}/${n.app}`)) appColumn.set(`${n.namespace}/${n.app}`, depth.get(n.id)!);
  }
  const last = Math.max(...[...connected].map((id) => depth.get(id)!));
  for (const n of model.nodes) {
    if (connected.has(n.id)) continue;
    depth.set(n.id, (n.app !== null ? appColumn.get(`${n.namespace}/${n.app}`) : undefined) ?? last + 1);
  }
  return depth;
}

/** A 32-bit seed for the layout's LCG, derived from the scenario seed and a fixed label. */
export function layoutSeed(scenarioSeed: number): number {
  let h = 0x811c9dc5;
  for (const ch of `meshsim:${scenarioSeed}/viz/layout`) {
    h ^= ch.charCodeAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export function layoutGraph(model: GraphModel, scenarioSeed: number): Layout {
  const depth = depths(model);
  const bands: (string | null)[] = [null, ...model.namespaces];
  const bandKey = (ns: string | null): string => (ns === null ? '' : `ns:${ns}`);

  // Rows inside each (band, column): callers' average row first (fewer crossings), then id.
  const groups = new Map<string, string[]>();
  for (const n of model.nodes) {
    const k = `${bandKey(n.namespace)}|${depth.get(n.id)}`;
    const g = groups.get(k);
    if (g) g.push(n.id);
    else groups.set(k, [n.id]);
  }
  const row = new Map<string, number>();
  const columns = [...new Set(depth.values())].sort((a, b) => a - b);
  const nsOf = new Map(model.nodes.map((n) => [n.id, n.namespace] as [string, string | null]));
  for (const col of columns) {
    for (const band of bands) {
      const ids = groups.get(`${bandKey(band)}|${col}`);
      if (!ids) continue;
      const key = new Map<string, number>();
      for (const id of ids) {
        const callers = model.edges.filter((e) => e.target === id && e.source !== id && row.has(e.source) && nsOf.get(e.source) === band);
        key.set(id, callers.length === 0 ? Number.POSITIVE_INFINITY : callers.reduce((s, e) => s + row.get(e.source)!, 0) / callers.length);
      }
      ids.sort((a, b) => key.get(a)! - key.get(b)! || cmp(a, b));
      ids.forEach((id, i) => row.set(id, i));
    }
  }

  const simNodes: SimNode[] = [];
  const boxes: NamespaceBox[] = [];
  let top = 0;
  for (const band of bands) {
    const members = model.nodes.filter((n) => n.namespace === band);
    if (members.length === 0) continue;
    let rows = 1;
    for (const col of columns) rows = Math.max(rows, groups.get(`${bandKey(band)}|${col}`)?.length ?? 0);
    const pad = band === null ? 0 : LAYOUT.bandPadding;
    const bandTop = top + pad;
    const bandBottom = bandTop + rows * LAYOUT.rowHeight;
    for (const n of members) {
      const col = depth.get(n.id)!;
      const size = groups.get(`${bandKey(band)}|${col}`)!.length;
      const homeY = bandTop + ((rows - size) / 2 + row.get(n.id)! + 0.5) * LAYOUT.rowHeight;
      const homeX = col * LAYOUT.columnWidth;
      simNodes.push({ id: n.id, x: homeX, y: homeY, homeX, homeY, bandTop, bandBottom });
    }
    top = bandBottom + pad + LAYOUT.bandGap;
  }

  const index = new Map(simNodes.map((n) => [n.id, n]));
  const links: SimulationLinkDatum<SimNode>[] = model.edges.filter((e) => e.source !== e.target).map((e) => ({ source: index.get(e.source)!, target: index.get(e.target)! }));
  const simulation = forceSimulation<SimNode>(simNodes)
    .randomSource(randomLcg(layoutSeed(scenarioSeed)))
    .force('x', forceX<SimNode>((d) => d.homeX).strength(0.9))
    .force('y', forceY<SimNode>((d) => d.homeY).strength(0.25))
    .force('link', forceLink<SimNode, SimulationLinkDatum<SimNode>>(links).distance(LAYOUT.columnWidth).strength(0.02))
    .force('collide', forceCollide<SimNode>(LAYOUT.rowHeight * 0.45))
    .stop();
  simulation.tick(LAYOUT.ticks);

  const nodes = new Map<string, NodePosition>();
  for (const n of simNodes) {
    const margin = LAYOUT.rowHeight * 0.35;
    const y = Math.min(Math.max(n.y!, n.bandTop + margin), n.bandBottom - margin);
    // Whole pixels keep the SVG identical across runtimes whatever the last float bits do.
    nodes.set(n.id, { id: n.id, x: Math.round(n.x!), y: Math.round(y) });
  }

  // A namespace box hugs its nodes (title above, names below); nodes never leave their band, and
  // bands are further apart than these margins, so boxes cannot overlap.
  for (const ns of model.namespaces) {
    const members = model.nodes.filter((n) => n.namespace === ns).map((n) => nodes.get(n.id)!);
    const minX = Math.min(...members.map((p) => p.x)) - LAYOUT.columnWidth * 0.36;
    const maxX = Math.max(...members.map((p) => p.x)) + LAYOUT.columnWidth * 0.36;
    const minY = Math.min(...members.map((p) => p.y)) - LAYOUT.nodeRadius - 36;
    const maxY = Math.max(...members.map((p) => p.y)) + LAYOUT.nodeRadius + 30;
    boxes.push({ namespace: ns, x: minX, y: minY, width: maxX - minX, height: maxY - minY });
  }

  const xs = [...nodes.values()].map((p) => p.x);
  const ys = [...nodes.values()].map((p) => p.y);
  let minX = Math.min(...xs) - LAYOUT.columnWidth * 0.4;
  let maxX = Math.max(...xs) + LAYOUT.columnWidth * 0.4;
  let minY = Math.min(...ys) - LAYOUT.rowHeight * 0.5;
  let maxY = Math.max(...ys) + LAYOUT.rowHeight * 0.6;
  for (const b of boxes) {
    minX = Math.min(minX, b.x);
    maxX = Math.max(maxX, b.x + b.width);
    minY = Math.min(minY, b.y);
    maxY = Math.max(maxY, b.y + b.height);
  }
  const labels = placeEdgeLabels(model, nodes);
  for (const l of labels.values()) {
    minX = Math.min(minX, l.x - l.width / 2);
    maxX = Math.max(maxX, l.x + l.width / 2);
    minY = Math.min(minY, l.y - l.height / 2);
    maxY = Math.max(maxY, l.y + l.height / 2);
  }
  if (nodes.size === 0) return { nodes, labels, boxes, bounds: { x: 0, y: 0, width: 400, height: 200 } };
  return { nodes, labels, boxes, bounds: { x: minX - 10, y: minY - 10, width: maxX - minX + 20, height: maxY - minY + 20 } };
}

/** Approximate size of a two-line label at the page's 11px font (no DOM to measure with). */
function labelSize(lines: readonly string[]): { width: number; height: number } {
  return { width: Math.max(...lines.map((l) => l.length)) * 6.2 + 12, height: 30 };
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: Box, b: Box): boolean {
  return Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height;
}

/**
 * Puts each edge label on its edge: nearer the target when the source fans out, nearer the
 * source when several edges meet at the target, in the middle otherwise. Labels that would cover
 * another label or a node slide along their edge, then sideways, in a fixed order.
 */
export function placeEdgeLabels(model: GraphModel, nodes: ReadonlyMap<string, NodePosition>): Map<string, LabelPosition> {
  const outDegree = new Map<string, number>();
  const inDegree = new Map<string, number>();
  const drawn = model.edges.filter((e) => e.source !== e.target && e.requests > 0);
  for (const e of drawn) {
    outDegree.set(e.source, (outDegree.get(e.source) ?? 0) + 1);
    inDegree.set(e.target, (inDegree.get(e.target) ?? 0) + 1);
  }
  // Nodes with their name underneath are obstacles too.
  const obstacles: Box[] = [...nodes.values()].map((p) => ({ x: p.x, y: p.y + 10, width: 2 * LAYOUT.nodeRadius + 70, height: 2 * LAYOUT.nodeRadius + 26 }));
  const placed = new Map<string, LabelPosition>();
  for (const e of drawn) {
    const s = nodes.get(e.source)!;
    const t = nodes.get(e.target)!;
    const fanOut = (outDegree.get(e.source) ?? 0) > 1;
    const fanIn = (inDegree.get(e.target) ?? 0) > 1;
    const preferred = fanOut && !fanIn ? 0.62 : fanIn && !fanOut ? 0.38 : 0.5;
    const size = labelSize(edgeLabelLines(e));
    const candidates: { x: number; y: number }[] = [];
    for (const dt of [0, 0.08, -0.08, 0.16, -0.16, 0.24, -0.24]) {
      const at = preferred + dt;
      if (at < 0.2 || at > 0.8) continue;
      candidates.push({ x: s.x + (t.x - s.x) * at, y: s.y + (t.y - s.y) * at });
    }
    const base = candidates[0]!;
    for (const dy of [-24, 24, -48, 48]) candidates.push({ x: base.x, y: base.y + dy });
    const free = (c: { x: number; y: number }) => {
      const box = { ...c, ...size };
      return !obstacles.some((o) => overlaps(o, box)) && ![...placed.values()].some((p) => overlaps(p, box));
    };
    const at = candidates.find(free) ?? base;
    placed.set(e.id, { x: Math.round(at.x), y: Math.round(at.y), ...size });
  }
  return placed;
}
