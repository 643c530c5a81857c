/**
 * The three charts under the graph, drawn once from the binned series: client latency
 * percentiles, client responses stacked by code class, attempts per second per edge. Each has the
 * shared time cursor; clicking one seeks.
 */
import { area, line, max, scaleLinear, scaleOrdinal, schemeTableau10, stack, type SeriesPoint } from 'd3';
import { CODE_CLASSES, type Series } from '../replay/series.ts';
import { CHART, chartFrame, type TimeScale } from './time-axis.ts';

const HEIGHT = 150;
const CODE_COLOURS: Record<string, string> = { '2xx': '#3e8635', '3xx': '#2b9af3', '4xx': '#d08a00', '5xx': '#c9190b', 'no response': '#6a1b9a' };

function binMid(s: Series, b: number): number {
  return (b + 0.5) * s.binUs;
}

/** Legend swatches right-aligned on the title row, so they never run into the title. */
function legend(svg: ReturnType<typeof chartFrame>['svg'], items: { label: string; colour: string }[]): void {
  const labels = items.map((it) => ({ ...it, label: it.label.length > 34 ? `${it.label.slice(0, 33)}…` : it.label }));
  const widthOf = (label: string): number => 24 + Math.min(220, label.length * 6.2);
  let x = CHART.width - CHART.margin.right - labels.reduce((n, it) => n + widthOf(it.label), 0);
  for (const it of labels) {
    svg.append('rect').attr('class', 'legend-swatch').attr('x', x).attr('y', 6).attr('width', 10).attr('height', 10).attr('fill', it.colour);
    svg.append('text').attr('class', 'legend-text').attr('x', x + 14).attr('y', 15).text(it.label);
    x += widthOf(it.label);
  }
}

export function latencyChart(container: HTMLElement, s: Series, x: TimeScale, onSeek: (tUs: number) => void): SVGLineElement {
  const top = max([...s.p99Ms].filter((v) => !Number.isNaN(v))) ?? 1;
  const y = scaleLinear().domain([0, top * 1.05 || 1]).range([HEIGHT - CHART.margin.bottom, CHART.margin.top]).nice();
  const f = chartFrame(container, 'Client latency (ms): p50, p90, p99', HEIGHT, x, onSeek, y);
  f.svg.attr('data-testid', 'chart-latency');
  const series: [string, Float64Array, string][] = [
    ['p50', s.p50Ms, '#2b9af3'],
    ['p90', s.p90Ms, '#d08a00'],
    ['p99', s.p99Ms, '#c9190b'],
  ];
  for (const [name, values, colour] of series) {
    const path = line<number>()
      .defined((b) => !Number.isNaN(values[b]))
      .x((b) => x(binMid(s, b)))
      .y((b) => y(values[b]));
    f.plot.append('path').attr('class', `series series-${name}`).attr('stroke', colour).attr('fill', 'none').attr('d', path(Array.from({ length: s.bins }, (_, b) => b)) ?? '');
  }
  legend(f.svg, series.map(([label, , colour]) => ({ label, colour })));
  return f.cursor;
}

export function codesChart(container: HTMLElement, s: Series, x: TimeScale, onSeek: (tUs: number) => void): SVGLineElement {
  const rows = Array.from({ length: s.bins }, (_, b) => {
    const r: Record<string, number> = { b };
    CODE_CLASSES.forEach((c, i) => (r[c] = s.codes[i][b]));
    return r;
  });
  const stacked = stack<Record<string, number>>().keys([...CODE_CLASSES])(rows);
  const top = max(stacked[stacked.length - 1] ?? [], (d) => d[1]) ?? 1;
  const y = scaleLinear().domain([0, top || 1]).range([HEIGHT - CHART.margin.bottom, CHART.margin.top]).nice();
  const f = chartFrame(container, `Client responses by code (per ${Number((s.binUs / 1_000_000).toFixed(3))} s bin)`, HEIGHT, x, onSeek, y);
  f.svg.attr('data-testid', 'chart-codes');
  const a = area<SeriesPoint<Record<string, number>>>()
    .x((d) => x(binMid(s, d.data.b)))
    .y0((d) => y(d[0]))
    .y1((d) => y(d[1]));
  for (const layer of stacked) {
    if (layer.every((d) => d[1] === d[0])) continue;
    f.plot.append('path').attr('class', 'series').attr('fill', CODE_COLOURS[layer.key]).attr('fill-opacity', 0.75).attr('d', a(layer) ?? '');
  }
  legend(
    f.svg,
    CODE_CLASSES.filter((_, i) => s.codes[i].some((v) => v > 0)).map((c) => ({ label: c, colour: CODE_COLOURS[c] })),
  );
  return f.cursor;
}

/** Edges by volume, at most `limit` lines; `names` turns a graph edge id into a label. */
export function rpsChart(container: HTMLElement, s: Series, x: TimeScale, onSeek: (tUs: number) => void, names: (edgeId: string) => string, limit = 8): SVGLineElement {
  const total = (v: Float64Array): number => v.reduce((n, r) => n + r, 0);
  const edges = [...s.rpsByEdge.entries()].sort((a, b) => total(b[1]) - total(a[1]) || (a[0] < b[0] ? -1 : 1)).slice(0, limit);
  const top = max(edges.flatMap(([, v]) => [...v])) ?? 1;
  const y = scaleLinear().domain([0, top * 1.05 || 1]).range([HEIGHT - CHART.margin.bottom, CHART.margin.top]).nice();
  const f = chartFrame(container, 'Requests per second per edge', HEIGHT, x, onSeek, y);
  f.svg.attr('data-testid', 'chart-rps');
  const colour = scaleOrdinal<string, string>(schemeTableau10).domain(edges.map(([id]) => id));
  for (const [id, values] of edges) {
    const path = line<number>()
      .x((b) => x(binMid(s, b)))
      .y((b) => y(values[b]));
    f.plot.append('path').attr('class', 'series').attr('stroke', colour(id)).attr('fill', 'none').attr('d', path(Array.from({ length: s.bins }, (_, b) => b)) ?? '').append('title').text(names(id));
  }
  legend(f.svg, edges.slice(0, 3).map(([id]) => ({ label: names(id), colour: colour(id) })));
  return f.cursor;
}
