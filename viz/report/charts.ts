/**
 * Small d3 charts over the report's per-step series: lines (latency percentiles), stacked bars
 * (codes, flags) and stacked shares (traffic split). Every chart marks the scenario's timeline
 * actions on its time axis. Names reach the page only through `.text()`.
 */
import { axisBottom, axisLeft, line, scaleLinear, scaleOrdinal, select, stack, type Selection } from 'd3';

export interface Marker {
  timeMs: number;
  label: string;
}

export interface ChartFrame {
  svg: Selection<SVGSVGElement, unknown, null, undefined>;
  plot: Selection<SVGGElement, unknown, null, undefined>;
  x: (ms: number) => number;
  y: ReturnType<typeof scaleLinear<number, number>>;
  innerWidth: number;
  innerHeight: number;
}

const WIDTH = 620;
const HEIGHT = 230;
const MARGIN = { top: 14, right: 16, bottom: 30, left: 52 };

/** A palette that stays readable on white and for common colour-vision deficiencies (Okabe–Ito). */
export const PALETTE = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#f0e442', '#000000'];

/** Fixed colours where the meaning is fixed: success green, client errors amber, server errors red. */
export function codeColour(code: string): string {
  const c = Number(code);
  if (c === 0) return '#6a1b9a';
  if (c >= 500) return '#c9190b';
  if (c >= 400) return '#d08a00';
  if (c >= 300) return '#56b4e9';
  return '#3e8635';
}

/** Fixed colours for the response flags people look for, so UT/UO/FI look the same in every report. */
const FLAG_COLOURS: Record<string, string> = {
  UT: '#0072b2',
  UO: '#e69f00',
  FI: '#cc79a7',
  DI: '#56b4e9',
  NR: '#d55e00',
  NC: '#000000',
  UH: '#c9190b',
  UF: '#6a1b9a',
  URX: '#009e73',
  UC: '#8c564b',
  UR: '#7f7f7f',
  DC: '#bcbd22',
};

export function flagColour(flag: string, index: number): string {
  return FLAG_COLOURS[flag] ?? PALETTE[(index + 3) % PALETTE.length];
}

export function frame(container: HTMLElement, title: string, durationMs: number, yMax: number, yLabel: string, testId: string): ChartFrame {
  const figure = select(container).append('figure').attr('class', 'chart').attr('data-testid', testId);
  figure.append('figcaption').text(title);
  const svg = figure
    .append('svg')
    .attr('viewBox', `0 0 ${WIDTH} ${HEIGHT}`)
    .attr('width', WIDTH)
    .attr('height', HEIGHT)
    .attr('role', 'img')
    .attr('aria-label', title);
  const innerWidth = WIDTH - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const plot = svg.append('g').attr('transform', `translate(${MARGIN.left},${MARGIN.top})`);
  const xs = scaleLinear().domain([0, Math.max(1, durationMs) / 1000]).range([0, innerWidth]);
  const y = scaleLinear().domain([0, yMax > 0 ? yMax : 1]).nice().range([innerHeight, 0]);
  plot.append('g').attr('class', 'grid').call(axisLeft(y).ticks(5).tickSize(-innerWidth).tickFormat(() => ''));
  plot
    .append('g')
    .attr('class', 'axis')
    .attr('transform', `translate(0,${innerHeight})`)
    .call(axisBottom(xs).ticks(8).tickFormat((d) => `${d}s`));
  plot.append('g').attr('class', 'axis').call(axisLeft(y).ticks(5));
  svg
    .append('text')
    .attr('class', 'axis-label')
    .attr('transform', `translate(12,${MARGIN.top + innerHeight / 2}) rotate(-90)`)
    .attr('text-anchor', 'middle')
    .text(yLabel);
  return { svg, plot, x: (ms: number) => xs(ms / 1000), y, innerWidth, innerHeight };
}

/** Dashed vertical lines with a short label at each timeline action. */
export function markers(f: ChartFrame, marks: readonly Marker[]): void {
  const g = f.plot.append('g').attr('class', 'markers');
  marks.forEach((m, i) => {
    const x = f.x(m.timeMs);
    g.append('line').attr('class', 'marker').attr('x1', x).attr('x2', x).attr('y1', 0).attr('y2', f.innerHeight);
    const t = g
      .append('text')
      .attr('class', 'marker-label')
      .attr('x', x + 3)
      .attr('y', 10 + (i % 3) * 12)
      .text(shorten(m.label, 34));
    t.append('title').text(`${(m.timeMs / 1000).toFixed(3)}s: ${m.label}`);
  });
}

function shorten(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

export function legend(container: HTMLElement, items: readonly { name: string; colour: string; dash?: boolean }[]): void {
  const ul = select(container).select<HTMLElement>('figure:last-of-type').append('ul').attr('class', 'chart-legend');
  const li = ul.selectAll('li').data(items).join('li');
  li.append('span').attr('class', (d) => (d.dash ? 'key dash' : 'key')).attr('data-colour', (d) => d.colour).each(function (d) {
    // Colour through the CSSOM, not a style attribute: the page's CSP forbids inline style attributes.
    (this as HTMLElement).style.setProperty('--key', d.colour);
  });
  li.append('span').text((d) => d.name);
}

export interface LineSpec {
  name: string;
  colour: string;
  dash: boolean;
  values: (number | null)[];
}

export function lineChart(container: HTMLElement, title: string, testId: string, durationMs: number, stepMs: number, lines: readonly LineSpec[], marks: readonly Marker[], yLabel: string): void {
  const max = Math.max(0, ...lines.flatMap((l) => l.values.filter((v): v is number => v !== null)));
  const f = frame(container, title, durationMs, max * 1.05, yLabel, testId);
  markers(f, marks);
  for (const l of lines) {
    const pts = l.values.map((v, i) => [((i + 0.5) * stepMs), v] as [number, number | null]);
    const path = line<[number, number | null]>()
      .defined((d) => d[1] !== null)
      .x((d) => f.x(d[0]))
      .y((d) => f.y(d[1] ?? 0));
    f.plot
      .append('path')
      .attr('class', l.dash ? 'series dash' : 'series')
      .attr('stroke', l.colour)
      .attr('d', path(pts));
  }
  legend(container, lines.map((l) => ({ name: l.name, colour: l.colour, dash: l.dash })));
}

export interface StackSpec {
  name: string;
  colour: string;
  values: number[];
}

/** Stacked bars per step; `percent` turns each step into shares of 100%. */
export function stackedBars(container: HTMLElement, title: string, testId: string, durationMs: number, stepMs: number, series: readonly StackSpec[], marks: readonly Marker[], yLabel: string, percent = false): void {
  const steps = Math.max(0, ...series.map((s) => s.values.length));
  const rows = Array.from({ length: steps }, (_, i) => {
    const total = series.reduce((n, s) => n + (s.values[i] ?? 0), 0);
    const row: Record<string, number> = { step: i };
    for (const s of series) row[s.name] = percent ? (total > 0 ? (100 * (s.values[i] ?? 0)) / total : 0) : (s.values[i] ?? 0);
    return row;
  });
  const keys = series.map((s) => s.name);
  const stacked = stack<Record<string, number>>().keys(keys)(rows);
  const max = percent ? 100 : Math.max(0, ...rows.map((r) => keys.reduce((n, k) => n + r[k], 0)));
  const f = frame(container, title, durationMs, max, yLabel, testId);
  const colour = scaleOrdinal<string, string>().domain(keys).range(series.map((s) => s.colour));
  const bw = Math.max(1, f.x(stepMs) - f.x(0) - 1);
  f.plot
    .append('g')
    .attr('class', 'bars')
    .selectAll('g')
    .data(stacked)
    .join('g')
    .attr('fill', (d) => colour(d.key))
    .selectAll('rect')
    .data((d) => d)
    .join('rect')
    .attr('x', (_d, i) => f.x(i * stepMs) + 0.5)
    .attr('width', bw)
    .attr('y', (d) => f.y(d[1]))
    .attr('height', (d) => Math.max(0, f.y(d[0]) - f.y(d[1])));
  markers(f, marks);
  legend(container, series.map((s) => ({ name: s.name, colour: s.colour })));
}
